"""The gateway over HTTP: an external provider on a loopback port, a real token, every refusal."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from congso.exchange import gateway, services
from congso.exchange.models import AccessRight, Consent, MessageLogEntry

from . import factories
from .conftest import World, get_token
from .support import FakeProvider

PERSONAL_ID_HEADERS = {"Information-Mediator-Purpose": "administrative-procedure"}


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    document = response.json()
    assert document["code"] == code
    assert document["type"] == f"urn:congso:exchange:{code}"
    assert document["status"] == status
    return document


def test_call_reaches_the_provider_and_is_logged(world: World, provider: FakeProvider, call: Any) -> None:
    response = call(
        world.service_path(rest="/status/200"),
        headers={"X-Correlation-ID": "ho-so-abc-12345", "Accept": "application/json"},
        QUERY_STRING="nam=2026",
    )

    assert response.status_code == 200
    assert response.json()["client"] == world.consumer.client_id
    [received] = provider.requests
    assert received.path == "/status/200?nam=2026"
    assert received.headers["X-Road-Client"] == world.consumer.client_id
    assert received.headers["X-Correlation-ID"] == "ho-so-abc-12345"
    assert received.headers["X-Road-Id"] == response["X-Road-Id"]
    assert "Authorization" not in received.headers  # the caller's token stays at the gateway
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert (entry.client, entry.service, entry.status, entry.error_code) == (
        world.consumer.client_id,
        world.service.service_id,
        200,
        "",
    )
    assert entry.correlation_id == "ho-so-abc-12345"
    assert entry.response_hash == hashlib.sha256(response.content).hexdigest()
    assert entry.response_size == len(response.content)


def test_a_posted_body_is_forwarded_and_only_its_hash_is_kept(
    world: World, provider: FakeProvider, call: Any
) -> None:
    body = b'{"ma_so_thue": "0101234567"}'

    response = call(
        world.service_path(rest="/echo"), method="post", data=body, content_type="application/json"
    )

    assert response.status_code == 200
    assert provider.requests[0].body == body
    assert provider.requests[0].headers["Content-Type"] == "application/json"
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert entry.request_hash == hashlib.sha256(body).hexdigest() == response["X-Road-Request-Hash"]
    assert entry.request_size == len(body)
    stored = [str(value) for value in MessageLogEntry.objects.filter(pk=entry.pk).values().first().values()]
    assert not any("0101234567" in value for value in stored)


def test_a_path_with_vietnamese_letters_reaches_the_provider_encoded(
    world: World, provider: FakeProvider, call: Any
) -> None:
    response = call(world.service_path(rest="/tra-cứu/Hà Nội"))

    assert response.status_code == 200
    assert provider.requests[0].path == "/tra-c%E1%BB%A9u/H%C3%A0%20N%E1%BB%99i"


def test_provider_errors_pass_through_with_their_status(world: World, call: Any) -> None:
    response = call(world.service_path(rest="/status/404"))

    assert response.status_code == 404
    assert MessageLogEntry.objects.get(message_id=response["X-Road-Id"]).status == 404


# --- Refusals: each answered as problem+json, and the provider never reached -------------------
def test_no_token(client: Client, world: World, provider: FakeProvider) -> None:
    response = client.get(world.service_path(rest="/status/200"), HTTP_X_ROAD_CLIENT=world.consumer.client_id)

    _problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert provider.requests == []


def test_forged_token(client: Client, world: World, provider: FakeProvider, consumer_token: str) -> None:
    head, body, mac = consumer_token.split(".")
    forged = f"{head}.{body}.{mac[:-2]}AA"

    response = client.get(
        world.service_path(rest="/status/200"),
        HTTP_AUTHORIZATION=f"Bearer {forged}",
        HTTP_X_ROAD_CLIENT=world.consumer.client_id,
    )

    _problem(response, 401, "unauthorized")
    assert provider.requests == []


def test_expired_token(
    world: World, provider: FakeProvider, call: Any, settings: Any, client: Client
) -> None:
    settings.CONGSO_EXCHANGE_TOKEN_LIFETIME_SECONDS = -1
    token = get_token(client, client_id=world.consumer.client_id, key=world.consumer_key)

    _problem(call(world.service_path(rest="/status/200"), token=token), 401, "unauthorized")
    assert provider.requests == []


def test_missing_client_header(world: World, provider: FakeProvider, call: Any) -> None:
    _problem(call(world.service_path(rest="/status/200"), client_header=""), 400, "client_header_invalid")
    assert provider.requests == []


def test_information_mediator_header_is_accepted(world: World, client: Client, consumer_token: str) -> None:
    response = client.get(
        world.service_path(rest="/status/200"),
        HTTP_AUTHORIZATION=f"Bearer {consumer_token}",
        HTTP_INFORMATION_MEDIATOR_CLIENT=world.consumer.client_id,
    )

    assert response.status_code == 200


def test_header_naming_another_client_than_the_credentials(
    world: World, provider: FakeProvider, call: Any
) -> None:
    response = call(world.service_path(rest="/status/200"), client_header=world.outsider.client_id)

    _problem(response, 403, "client_mismatch")
    assert provider.requests == []
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert entry.error_code == "client_mismatch"
    assert entry.client == world.consumer.client_id


def test_client_without_a_right(world: World, provider: FakeProvider, call: Any, client: Client) -> None:
    token = get_token(client, client_id=world.outsider.client_id, key=world.outsider_key)

    response = call(
        world.service_path(rest="/status/200"), token=token, client_header=world.outsider.client_id
    )

    _problem(response, 403, "access_denied")
    assert provider.requests == []


def test_revoked_right(world: World, provider: FakeProvider, call: Any) -> None:
    assert call(world.service_path(rest="/status/200")).status_code == 200
    right = AccessRight.objects.active().get(client=world.consumer, service=world.service)

    services.access_right_revoke(right=right)

    _problem(call(world.service_path(rest="/status/200")), 403, "access_denied")
    assert len(provider.requests) == 1


def test_disabled_service(world: World, provider: FakeProvider, call: Any) -> None:
    services.service_set_enabled(service=world.service, enabled=False)

    _problem(call(world.service_path(rest="/status/200")), 503, "service_disabled")
    assert provider.requests == []


def test_suspended_client(world: World, provider: FakeProvider, call: Any) -> None:
    services.subsystem_set_active(subsystem=world.consumer, active=False)

    _problem(call(world.service_path(rest="/status/200")), 403, "client_disabled")
    assert provider.requests == []


def test_unknown_service(world: World, provider: FakeProvider, call: Any) -> None:
    response = call("/r1/VN/GOV/000.00.00.G10/THUE/khong-co/status/200")

    _problem(response, 404, "unknown_service")
    assert provider.requests == []
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert entry.service == "VN/GOV/000.00.00.G10/THUE/khong-co"


def test_rate_limit(world: World, provider: FakeProvider, call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world.consumer.rate_limit_per_minute = 2
    world.consumer.save()
    gateway.exchange_cache_clear()
    monkeypatch.setattr(gateway, "_clock", lambda: 1_800_000_010.0)  # 10 s into a minute

    assert [call(world.service_path(rest="/status/200")).status_code for _ in range(2)] == [200, 200]
    response = call(world.service_path(rest="/status/200"))

    _problem(response, 429, "rate_limited")
    assert response["Retry-After"] == "51"
    assert len(provider.requests) == 2
    monkeypatch.setattr(gateway, "_clock", lambda: 1_800_000_070.0)  # the next minute
    assert call(world.service_path(rest="/status/200")).status_code == 200


def test_body_too_large(world: World, provider: FakeProvider, call: Any, settings: Any) -> None:
    settings.CONGSO_EXCHANGE_MAX_BODY_BYTES = 100

    response = call(
        world.service_path(rest="/echo"), method="post", data=b"x" * 101, content_type="text/plain"
    )

    _problem(response, 413, "body_too_large")
    assert provider.requests == []
    assert (
        call(
            world.service_path(rest="/echo"), method="post", data=b"x" * 100, content_type="text/plain"
        ).status_code
        == 200
    )


def test_provider_down(world: World, call: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services.service_update(service=world.service, data={"base_url": f"http://127.0.0.1:{port}"})

    response = call(world.service_path(rest="/status/200"))

    _problem(response, 502, "provider_unavailable")
    assert MessageLogEntry.objects.get(message_id=response["X-Road-Id"]).error_code == "provider_unavailable"


def test_provider_timeout(world: World, provider: FakeProvider, call: Any) -> None:
    response = call(world.service_path(rest="/slow"))  # the service's read timeout is 2 s

    _problem(response, 504, "provider_timeout")
    provider.release.set()


def test_provider_answer_too_large(world: World, provider: FakeProvider, call: Any, settings: Any) -> None:
    settings.CONGSO_EXCHANGE_MAX_RESPONSE_BYTES = 1000

    _problem(call(world.service_path(rest="/big")), 502, "provider_response_too_large")


# --- Personal data -----------------------------------------------------------------------------------
def test_personal_data_needs_a_subject_and_a_purpose(world: World, provider: FakeProvider, call: Any) -> None:
    path = world.service_path(world.personal_service, "/status/200")

    _problem(call(path, headers=PERSONAL_ID_HEADERS), 400, "data_subject_required")
    _problem(
        call(path, headers={"Information-Mediator-Data-Subject": "001188000501"}), 400, "purpose_required"
    )
    _problem(
        call(
            path,
            headers={
                "Information-Mediator-Data-Subject": "001188000501",
                "Information-Mediator-Purpose": "marketing",
            },
        ),
        403,
        "purpose_not_allowed",
    )
    assert provider.requests == []


def test_personal_data_without_consent_is_refused_then_given_then_withdrawn(
    world: World, provider: FakeProvider, call: Any
) -> None:
    person = factories.citizen(commune=factories.units())
    user = factories.person_user(person)
    headers = {**PERSONAL_ID_HEADERS, "Information-Mediator-Data-Subject": person.personal_id}
    path = world.service_path(world.personal_service, "/status/200")

    _problem(call(path, headers=headers), 403, "consent_required")
    assert provider.requests == []

    consent = services.consent_grant(
        citizen_user=user,
        consumer_subsystem=world.consumer,
        services=[world.personal_service],
        purpose=world.purpose,
        valid_until=factories.in_days(30),
    )
    response = call(path, headers=headers)
    assert response.status_code == 200
    assert provider.requests[0].headers["Information-Mediator-Data-Subject"] == person.personal_id
    assert provider.requests[0].headers["Information-Mediator-Purpose"] == "administrative-procedure"
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert entry.data_subject == person.personal_id
    assert entry.basis == f"consent: {consent.receipt_id}"

    services.consent_revoke(citizen_user=user, consent=consent)
    _problem(call(path, headers=headers), 403, "consent_required")
    assert len(provider.requests) == 1


def test_consent_for_another_system_does_not_count(world: World, provider: FakeProvider, call: Any) -> None:
    person = factories.citizen(commune=factories.units())
    user = factories.person_user(person)
    services.access_right_grant(client=world.outsider, service=world.personal_service)
    services.consent_grant(
        citizen_user=user,
        consumer_subsystem=world.outsider,
        services=[world.personal_service],
        purpose=world.purpose,
        valid_until=factories.in_days(30),
    )
    headers = {**PERSONAL_ID_HEADERS, "Information-Mediator-Data-Subject": person.personal_id}

    _problem(
        call(world.service_path(world.personal_service, "/status/200"), headers=headers),
        403,
        "consent_required",
    )
    assert provider.requests == []


def test_legal_basis_replaces_consent_for_its_purpose(
    world: World, provider: FakeProvider, call: Any, client: Client
) -> None:
    token = get_token(client, client_id=world.outsider.client_id, key=world.outsider_key)
    services.access_right_grant(
        client=world.outsider,
        service=world.personal_service,
        legal_basis="Luật Quản lý thuế 2019, Điều 99",
        legal_basis_purposes=[world.purpose],
    )
    headers = {**PERSONAL_ID_HEADERS, "Information-Mediator-Data-Subject": "001188000501"}

    response = call(
        world.service_path(world.personal_service, "/status/200"),
        token=token,
        client_header=world.outsider.client_id,
        headers=headers,
    )

    assert response.status_code == 200
    entry = MessageLogEntry.objects.get(message_id=response["X-Road-Id"])
    assert entry.basis == "law: Luật Quản lý thuế 2019, Điều 99"


# --- What one call costs ----------------------------------------------------------------------------
@contextmanager
def _statements() -> Iterator[list[str]]:
    """Every SQL statement sent meanwhile, but savepoints.

    An execute wrapper, not ``connection.queries``: the test client's request_started signal
    empties that list halfway through a call. Savepoints are left out because they are the
    test's transaction wrapping the append's own (BEGIN ... COMMIT outside a test).
    """
    sent: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "SAVEPOINT" not in sql:
            sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


def test_a_call_with_cached_lookups_sends_only_the_log_append(
    world: World, provider: FakeProvider, call: Any, settings: Any
) -> None:
    settings.CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS = 3600
    path = world.service_path(rest="/status/200")
    assert call(path).status_code == 200  # loads the client, service and right; starts the log

    with _statements() as sent:
        response = call(path)

    assert response.status_code == 200
    assert MessageLogEntry.objects.filter(message_id=response["X-Road-Id"]).exists()
    # PostgreSQL: one INSERT fed by the head's UPDATE. SQLite: read the head, insert, update it.
    assert len(sent) <= (1 if connection.vendor == "postgresql" else 3), sent


def test_a_personal_data_call_adds_only_the_consent_lookup(
    world: World, provider: FakeProvider, call: Any, settings: Any
) -> None:
    settings.CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS = 3600
    person = factories.citizen(commune=factories.units())
    services.consent_grant(
        citizen_user=factories.person_user(person),
        consumer_subsystem=world.consumer,
        services=[world.personal_service],
        purpose=world.purpose,
        valid_until=factories.in_days(30),
    )
    headers = {**PERSONAL_ID_HEADERS, "Information-Mediator-Data-Subject": person.personal_id}
    path = world.service_path(world.personal_service, "/status/200")
    assert call(path, headers=headers).status_code == 200

    with _statements() as sent:
        response = call(path, headers=headers)

    assert response.status_code == 200
    assert len(sent) <= (2 if connection.vendor == "postgresql" else 4), sent


def _orm_receipt(*, subject: str, consumer_pk: int, purpose: str, service_pk: int) -> str | None:
    receipt = (
        Consent.objects.in_force()
        .filter(
            subject_personal_id=subject, consumer_id=consumer_pk, purpose__code=purpose, services=service_pk
        )
        .values_list("receipt_id", flat=True)
        .first()
    )
    return None if receipt is None else str(receipt)


def test_the_consent_lookup_answers_as_the_orm_does(world: World) -> None:
    person = factories.citizen(commune=factories.units())
    user = factories.person_user(person)
    other_purpose = factories.purpose(code="social-benefit")
    services.access_right_grant(client=world.outsider, service=world.personal_service)
    now = timezone.now()

    def consent(*, consumer: Any = None, **changes: Any) -> Consent:
        granted = services.consent_grant(
            citizen_user=user,
            consumer_subsystem=consumer or world.consumer,
            services=[world.personal_service],
            purpose=world.purpose,
            valid_until=factories.in_days(30),
        )
        Consent.objects.filter(pk=granted.pk).update(**changes)
        return granted

    older = consent(granted_at=now - timedelta(days=3))
    newer = consent(granted_at=now - timedelta(days=2))
    consent(granted_at=now - timedelta(days=1), revoked_at=now - timedelta(hours=1))
    consent(granted_at=now, valid_until=now - timedelta(minutes=1))
    consent(granted_at=now, valid_from=now + timedelta(hours=1))
    consent(granted_at=now, purpose=other_purpose)
    outsiders = consent(consumer=world.outsider, granted_at=now - timedelta(days=5))

    asked = [
        {"subject": subject, "consumer_pk": consumer, "purpose": purpose, "service_pk": service}
        for subject in (person.personal_id, "001188000999")
        for consumer in (world.consumer.pk, world.outsider.pk)
        for purpose in (world.purpose.code, other_purpose.code)
        for service in (world.personal_service.pk, world.service.pk)
    ]
    answers = [gateway.consent_receipt_in_force(**question) for question in asked]

    assert answers == [_orm_receipt(**question) for question in asked]
    assert answers[0] == str(newer.receipt_id) != str(older.receipt_id)
    assert str(outsiders.receipt_id) in answers


def test_the_rate_counter_opens_a_window_then_counts_into_it(world: World) -> None:
    assert [gateway._window_count("congso:exchange:rate:test:1") for _ in range(3)] == [1, 2, 3]


def test_a_window_another_process_opened_meanwhile_is_counted_into(monkeypatch: pytest.MonkeyPatch) -> None:
    class RacingCache:
        """The window is missing when this process looks, and there when it tries to open it."""

        count: int | None = None

        def incr(self, key: str) -> int:
            if self.count is None:
                self.count = 1  # the other process's call
                raise ValueError(key)
            self.count += 1
            return self.count

        def add(self, key: str, value: int, timeout: int) -> bool:
            return False

    monkeypatch.setattr(gateway, "cache", RacingCache())

    assert gateway._window_count("congso:exchange:rate:test:2") == 2


def test_calls_to_a_provider_share_one_kept_alive_connection(
    world: World, provider: FakeProvider, call: Any
) -> None:
    for _ in range(3):
        assert call(world.service_path(rest="/status/200")).status_code == 200

    assert len(provider.requests) == 3
    assert len({request.peer_port for request in provider.requests}) == 1

"""Refused token requests are limited per address and per client: past the limit even a correct
request waits (429, Retry-After), other addresses do not, and the lock is audited once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congso.core.models import AuditEntry
from congso.identity.models import Throttle

from .flows import AuthRequest, RelyingParty, authorize, code_from, sign_in

ATTACKER = "198.51.100.7"
SERVICE = "203.0.113.20"
WINDOW = 15 * 60


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> None:
    settings.CONGSO_OIDC_TOKEN_REFUSALS_PER_ADDRESS = 3
    settings.CONGSO_OIDC_TOKEN_REFUSALS_PER_CLIENT = 4
    settings.CONGSO_OIDC_TOKEN_REFUSAL_WINDOW_MINUTES = 15


def fresh_code(client: Client, rp: RelyingParty) -> tuple[AuthRequest, str]:
    request = AuthRequest(rp)
    return request, code_from(authorize(client, request), request)


def token_post(
    request: AuthRequest, code: str, *, ip: str, verifier: str | None = None, secret: str | None = None
) -> Any:
    rp = request.rp
    auth = rp.basic_auth() if secret is None else RelyingParty(rp.application, "", secret=secret).basic_auth()
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.redirect_uri,
        "code_verifier": request.verifier if verifier is None else verifier,
    }
    return Client().post("/oidc/token/", data, HTTP_AUTHORIZATION=auth, REMOTE_ADDR=ip)


def refusals(request: AuthRequest, count: int, *, ip: str, **wrong: Any) -> None:
    for number in range(count):
        response = token_post(request, f"not-a-code-{number}", ip=ip, **wrong)
        assert response.status_code in (400, 401), response.content


def throttle_audits() -> int:
    return AuditEntry.objects.filter(action="oidc.token.throttle").count()


@pytest.mark.django_db
def test_after_the_limit_even_a_correct_request_from_that_address_waits(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    sign_in(client, person)
    request, code = fresh_code(client, rp)
    refusals(request, 3, ip=ATTACKER)

    blocked = token_post(request, code, ip=ATTACKER)

    assert blocked.status_code == 429
    assert blocked.json()["error"] == "invalid_request"
    assert "access_token" not in blocked.json()
    assert 0 < int(blocked["Retry-After"]) <= WINDOW
    assert blocked["Cache-Control"] == "no-store"
    assert "Vui lòng thử lại sau" in blocked.json()["detail"]
    # The code was not looked at: from another address it still works.
    elsewhere = token_post(request, code, ip=SERVICE)
    assert elsewhere.status_code == 200, elsewhere.content
    assert "access_token" in elsewhere.json()


@pytest.mark.django_db
def test_the_lock_is_audited_once_not_per_request_turned_away(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    sign_in(client, person)
    request, _code = fresh_code(client, rp)
    refusals(request, 3, ip=ATTACKER)
    refused_before = AuditEntry.objects.filter(action="oidc.token.refuse").count()

    for _ in range(4):
        assert token_post(request, "again", ip=ATTACKER).status_code == 429

    assert throttle_audits() == 1
    entry = AuditEntry.objects.get(action="oidc.token.throttle")
    assert (entry.target_type, entry.target_id) == ("identity.address", ATTACKER)
    assert AuditEntry.objects.filter(action="oidc.token.refuse").count() == refused_before == 3


@pytest.mark.django_db
def test_the_lock_ends_with_the_window_and_counting_starts_again(
    client: Client, make_rp: Any, person: Any, settings: Any
) -> None:
    settings.CONGSO_OIDC_TOKEN_REFUSALS_PER_CLIENT = 100  # only the address's count matters here
    rp = make_rp()
    sign_in(client, person)
    request, code = fresh_code(client, rp)
    refusals(request, 3, ip=ATTACKER)
    assert token_post(request, code, ip=ATTACKER).status_code == 429

    past = timezone.now() - timedelta(seconds=1)
    Throttle.objects.filter(key=f"oidc:token:ip:{ATTACKER}").update(
        window_started_at=past - timedelta(seconds=WINDOW), locked_until=past
    )

    refusals(request, 2, ip=ATTACKER)  # a fresh count: two are below the limit
    assert token_post(request, code, ip=ATTACKER).status_code == 200


@pytest.mark.django_db
def test_successful_requests_are_never_counted(client: Client, make_rp: Any, person: Any) -> None:
    rp = make_rp()
    sign_in(client, person)

    for _ in range(4):
        request, code = fresh_code(client, rp)
        assert token_post(request, code, ip=SERVICE).status_code == 200

    assert not Throttle.objects.filter(key__startswith="oidc:token:").exists()


@pytest.mark.django_db
def test_refusals_of_an_authenticated_client_from_many_addresses_lock_that_client(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp, other_rp = make_rp(), make_rp()
    sign_in(client, person)
    request, code = fresh_code(client, rp)
    other_request, other_code = fresh_code(client, other_rp)
    for number in range(4):
        refusals(request, 1, ip=f"192.0.2.{number + 1}")

    blocked = token_post(request, code, ip=SERVICE)

    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    assert token_post(other_request, other_code, ip=SERVICE).status_code == 200
    entry = AuditEntry.objects.get(action="oidc.token.throttle")
    assert (entry.target_type, entry.target_id) == ("oidc.application", rp.client_id)


@pytest.mark.django_db
def test_a_wrong_secret_counts_against_the_address_only_not_the_public_client_id(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    sign_in(client, person)
    request, code = fresh_code(client, rp)
    for number in range(6):
        refusals(request, 1, ip=f"192.0.2.{number + 1}", secret="guessed")

    response = token_post(request, code, ip=SERVICE)

    assert response.status_code == 200, response.content
    assert not Throttle.objects.filter(key=f"oidc:token:client:{rp.client_id}").exists()

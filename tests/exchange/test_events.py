"""Events: signed webhooks, retried until delivered, with an idempotency key; same rules as calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.utils import timezone

from congso.core.errors import InvalidInput
from congso.exchange import events, services
from congso.exchange.models import AccessRight, Delivery, DeliveryStatus, MessageLogEntry

from . import factories
from .conftest import World
from .support import FakeProvider

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def event_type(world: World) -> Any:
    return events.event_type_define(
        provider=world.provider_system,
        code="tax.status-changed",
        title="Tình trạng thuế thay đổi",
        service=world.service,
    )


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers["Webhook-Signature"])


def test_a_subscriber_gets_a_signed_webhook(
    world: World,
    provider: FakeProvider,
    event_type: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    subscription, secret = events.subscription_create(
        subscriber=world.consumer, event_type=event_type, callback_url=f"{provider.url}/hook"
    )

    with django_capture_on_commit_callbacks(execute=True):
        event = events.event_publish(
            provider=world.provider_system,
            code="tax.status-changed",
            payload={"ma_so_thue": "0101234567", "tinh_trang": "active"},
        )

    [received] = provider.requests
    assert received.path == "/hook"
    assert received.headers["Webhook-Id"] == received.headers["Idempotency-Key"] == str(event.event_id)
    assert _verify(secret, received.headers, received.body)
    assert not _verify("another-secret", received.headers, received.body)
    sent = json.loads(received.body)
    assert (sent["type"], sent["source"], sent["data"]["tinh_trang"]) == (
        "tax.status-changed",
        world.provider_system.client_id,
        "active",
    )
    delivery = Delivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    entry = MessageLogEntry.objects.get(transport="webhook")
    assert (entry.client, entry.service, entry.status) == (
        world.consumer.client_id,
        world.service.service_id,
        200,
    )


def test_failed_deliveries_are_retried_with_the_same_key_until_delivered(
    world: World, provider: FakeProvider, event_type: Any
) -> None:
    provider.flaky_failures = 2
    events.subscription_create(
        subscriber=world.consumer, event_type=event_type, callback_url=f"{provider.url}/flaky"
    )
    events.event_publish(provider=world.provider_system, code="tax.status-changed", payload={"n": 1})
    delivery = Delivery.objects.get()

    assert events.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    assert (
        events.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    )  # not due yet: no request
    assert len(provider.requests) == 1
    for expected in (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED):
        _make_due(delivery.pk)
        assert events.delivery_attempt(delivery_id=delivery.pk) == expected

    assert [request.headers["Webhook-Id"] for request in provider.requests] == [
        provider.requests[0].headers["Webhook-Id"]
    ] * 3
    delivery.refresh_from_db()
    assert delivery.attempts == 3


def _make_due(delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())


def test_a_delivery_gives_up_after_the_last_attempt(
    world: World, provider: FakeProvider, event_type: Any, settings: Any
) -> None:
    settings.CONGSO_EXCHANGE_WEBHOOK_MAX_ATTEMPTS = 2
    events.subscription_create(
        subscriber=world.consumer, event_type=event_type, callback_url=f"{provider.url}/status/500"
    )
    events.event_publish(provider=world.provider_system, code="tax.status-changed", payload={})
    delivery = Delivery.objects.get()

    events.delivery_attempt(delivery_id=delivery.pk)
    _make_due(delivery.pk)
    assert events.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 500"
    assert len(provider.requests) == 2


def test_only_holders_of_the_right_subscribe_and_receive(
    world: World, provider: FakeProvider, event_type: Any
) -> None:
    with pytest.raises(InvalidInput, match="no right"):
        events.subscription_create(
            subscriber=world.outsider, event_type=event_type, callback_url=f"{provider.url}/hook"
        )
    events.subscription_create(
        subscriber=world.consumer, event_type=event_type, callback_url=f"{provider.url}/hook"
    )
    services.access_right_revoke(right=AccessRight.objects.get(client=world.consumer, service=world.service))

    events.event_publish(provider=world.provider_system, code="tax.status-changed", payload={})

    assert not Delivery.objects.exists()


def test_personal_events_need_consent_or_a_legal_basis(world: World, provider: FakeProvider) -> None:
    residence_changed = events.event_type_define(
        provider=world.provider_system,
        code="income.changed",
        title="Thu nhập thay đổi",
        service=world.personal_service,
    )
    events.subscription_create(
        subscriber=world.consumer,
        event_type=residence_changed,
        callback_url=f"{provider.url}/hook",
        purpose=world.purpose,
    )
    person = factories.citizen(commune=factories.units())

    events.event_publish(
        provider=world.provider_system, code="income.changed", payload={}, data_subject=person.personal_id
    )
    assert not Delivery.objects.exists()

    services.consent_grant(
        citizen_user=factories.person_user(person),
        consumer_subsystem=world.consumer,
        services=[world.personal_service],
        purpose=world.purpose,
        valid_until=factories.in_days(10),
    )
    events.event_publish(
        provider=world.provider_system, code="income.changed", payload={}, data_subject=person.personal_id
    )
    events.delivery_attempt(delivery_id=Delivery.objects.get().pk)

    entry = MessageLogEntry.objects.get(transport="webhook")
    assert entry.data_subject == person.personal_id
    assert entry.basis.startswith("consent: ")

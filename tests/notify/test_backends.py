"""The HTTP SMS gateway backend against a real HTTP server on a loopback port."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from congso.notify.models import Channel, Message, MessageStatus
from congso.notify.services import REDACTED, message_deliver, message_send

from .support import FakeGateway

pytestmark = pytest.mark.django_db


def queue_sms(code: str = "482913") -> Message:
    [message] = message_send(
        template="identity.activation_code",
        context={"code": code, "minutes": 5},
        channels=[Channel.SMS],
        phone="0912345678",
    )
    return message


def time_passes(message: Message) -> None:
    """The retry delay is over."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_accepted_sms_keeps_the_gateway_id(gateway: FakeGateway) -> None:
    gateway.answer(("reply", 200, {"id": "VT-2026-000123", "status": "accepted"}))
    message = queue_sms()
    assert message_deliver(message_id=message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.provider_message_id == "VT-2026-000123"
    assert message.sent_at is not None
    [request] = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer bi-mat-cua-cong"
    assert request["json"]["to"] == "+84912345678"
    assert request["json"]["sender"] == "CONGSO"
    assert request["json"]["reference"] == str(message.reference)
    assert request["headers"]["Idempotency-Key"] == str(message.reference)
    assert "482913" in request["json"]["text"]


def test_server_error_is_retried_and_the_sms_is_sent_once(gateway: FakeGateway, settings: Any) -> None:
    settings.CONGSO_NOTIFY_RETRY_BASE_SECONDS = 30
    gateway.answer(("reply", 500, {"error": "upstream down"}), ("reply", 200, {"message_id": "m-2"}))
    message = queue_sms()
    before = timezone.now()
    assert message_deliver(message_id=message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1
    assert "HTTP 500" in message.last_error
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= before + datetime.timedelta(seconds=30)
    # Not due yet: a worker that picks it up early does nothing.
    assert message_deliver(message_id=message.pk) == MessageStatus.QUEUED
    assert len(gateway.requests) == 1

    time_passes(message)
    assert message_deliver(message_id=message.pk) == MessageStatus.SENT
    time_passes(message)
    assert message_deliver(message_id=message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.provider_message_id == "m-2"
    assert message.last_error == ""
    assert len(gateway.requests) == 2
    # The same reference both times, so a deduplicating gateway can drop a copy.
    assert {r["json"]["reference"] for r in gateway.requests} == {str(message.reference)}


def test_refused_sms_fails_for_good_with_the_reason(gateway: FakeGateway) -> None:
    gateway.answer(("reply", 400, {"error": "số điện thoại không tồn tại"}))
    message = queue_sms()
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.next_attempt_at is None  # no retry planned
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.attempts == 1
    assert "HTTP 400" in message.last_error
    assert "số điện thoại không tồn tại" in message.last_error
    assert len(gateway.requests) == 1


def test_a_gateway_that_does_not_answer_gets_a_retry(gateway: FakeGateway) -> None:
    gateway.answer(("hang", 10))
    message = queue_sms()
    before = timezone.now()
    assert message_deliver(message_id=message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1
    assert "timed out" in message.last_error
    assert message.next_attempt_at is not None
    assert message.next_attempt_at > before


def test_retries_stop_at_the_maximum_number_of_attempts(gateway: FakeGateway, settings: Any) -> None:
    settings.CONGSO_NOTIFY_MAX_ATTEMPTS = 3
    gateway.answer(*[("reply", 503, {"error": "busy"})] * 3)
    message = queue_sms()
    statuses = []
    for _ in range(4):
        statuses.append(message_deliver(message_id=message.pk))
        time_passes(message)
    assert statuses == [
        MessageStatus.QUEUED,
        MessageStatus.QUEUED,
        MessageStatus.FAILED,
        MessageStatus.FAILED,
    ]
    message.refresh_from_db()
    assert message.attempts == 3
    assert "HTTP 503" in message.last_error
    assert len(gateway.requests) == 3


def test_retry_delay_doubles(gateway: FakeGateway, settings: Any) -> None:
    settings.CONGSO_NOTIFY_RETRY_BASE_SECONDS = 10
    gateway.answer(("reply", 502, {}), ("reply", 502, {}))
    message = queue_sms()
    delays = []
    for _ in range(2):
        started = timezone.now()
        message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.next_attempt_at is not None
        delays.append(round((message.next_attempt_at - started).total_seconds()))
        time_passes(message)
    assert delays == [10, 20]


def test_unconfigured_gateway_keeps_the_message_for_a_retry(settings: Any) -> None:
    settings.CONGSO_SMS_BACKEND = "congso.notify.backends.sms.HttpGatewayBackend"
    settings.CONGSO_SMS_GATEWAY_URL = ""
    message = queue_sms()
    assert message_deliver(message_id=message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert "CONGSO_SMS_GATEWAY_URL" in message.last_error


def test_dev_mailbox_backend_keeps_mail_for_the_dev_page(
    settings: Any, immediate_tasks: Any, django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    settings.EMAIL_BACKEND = "congso.notify.backends.email.DevMailboxBackend"
    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            template="identity.activation_code",
            context={"code": "770011", "minutes": 5},
            channels=[Channel.EMAIL],
            email="chi@example.vn",
        )
    assert mail.outbox == []  # not through locmem: through the development mailbox
    [stored] = client.get("/dev/mail.json").json()["messages"]
    assert stored["to"] == "chi@example.vn"
    assert stored["subject"] == "Mã kích hoạt tài khoản Cổng Số"
    assert "770011" in stored["body"]
    page = client.get("/dev/mail", {"to": "chi@"})
    assert "770011" in page.content.decode()


def queue_email() -> Message:
    [message] = message_send(
        template="identity.activation_code",
        context={"code": "550550", "minutes": 5},
        channels=[Channel.EMAIL],
        email="khong-ton-tai@example.vn",
    )
    return message


def test_mailbox_that_does_not_exist_fails_the_email_for_good(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notify.support.RefusingEmailBackend"
    message = queue_email()
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert "recipient refused" in message.last_error
    assert "User unknown" in message.last_error
    assert message.body == REDACTED  # the code is not kept once the message is over


def test_smtp_server_hanging_up_gets_a_retry(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notify.support.DisconnectingEmailBackend"
    message = queue_email()
    assert message_deliver(message_id=message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.last_error == "Connection unexpectedly closed"
    assert "550550" in message.body  # kept for the retry

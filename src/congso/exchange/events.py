"""Events: providers publish (e.g. ``residence.changed``), subscribers receive signed webhooks.

Delivery is at least once: each (event, subscriber) pair is a :class:`Delivery` row, retried
with exponential backoff until the subscriber answers 2xx or ``CONGSO_EXCHANGE_WEBHOOK_MAX_ATTEMPTS``
is spent. Every attempt carries the same idempotency key (the event id) so a subscriber
that got a delivery twice can tell. Requests are signed as Standard Webhooks describes:
``webhook-signature: v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}"))``.

An event only goes to a subscriber that still holds a right to the event type's service at
publication, and, when the service carries personal data and the event names a data subject,
on a legal basis of that right or the subject's consent for the subscription's purpose: the
same rules as a call through the gateway. Each attempt is logged in the message log, so it
appears in the person's data tracker.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

import structlog
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput

from .conf import setting
from .evidence import timestamp
from .gateway import personal_data_basis, right_lookup, service_lookup
from .ids import ServiceId
from .messagelog import LogRecord, log_append
from .models import Delivery, DeliveryStatus, Event, EventType, Purpose, Service, Subscription, Subsystem
from .services import _require_admin

log = structlog.get_logger(__name__)


def event_type_define(
    *, actor: Any = None, provider: Subsystem, code: str, title: str, service: Service
) -> EventType:
    """Declare an event ``provider`` publishes; subscribing needs a right to ``service``."""
    _require_admin(actor, provider.member, action="exchange.event_type.define", target=provider)
    if service.provider_id != provider.pk:
        raise InvalidInput(
            "Sự kiện phải gắn với một dịch vụ của chính hệ thống phát.",
            "An event type must belong to a service of the publishing system.",
            field="service",
        )
    with transaction.atomic():
        event_type, created = EventType.objects.update_or_create(
            provider=provider, code=code, defaults={"title": title, "service": service}
        )
        audit_record(
            actor=actor, action="exchange.event_type.define", target=event_type, details={"created": created}
        )
    return event_type


def subscription_create(
    *,
    actor: Any = None,
    subscriber: Subsystem,
    event_type: EventType,
    callback_url: str,
    purpose: Purpose | None = None,
) -> tuple[Subscription, str]:
    """Subscribe ``subscriber`` to an event type; returns the subscription and its signing secret."""
    _require_admin(actor, subscriber.member, action="exchange.subscription.create", target=subscriber)
    if not callback_url.startswith(("http://", "https://")):
        raise InvalidInput(
            "Địa chỉ nhận phải là http(s)://.", "The callback URL must be http(s)://.", field="callback_url"
        )
    if right_lookup(subscriber.pk, event_type.service_id) is None:
        raise InvalidInput(
            f"Hệ thống {subscriber.name} không có quyền dùng dịch vụ {event_type.service.title}.",
            f"System {subscriber.name} holds no right to service {event_type.service.title}.",
            field="event_type",
        )
    if event_type.service.personal_data and purpose is None:
        raise InvalidInput(
            "Sự kiện chứa dữ liệu cá nhân: cần nêu mục đích nhận.",
            "The event carries personal data: state the purpose.",
            field="purpose",
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            subscriber=subscriber,
            event_type=event_type,
            purpose=purpose,
            callback_url=callback_url,
            secret=secret,
        )
        audit_record(
            actor=actor,
            action="exchange.subscription.create",
            target=subscription,
            details={
                "subscriber": subscriber.client_id,
                "event_type": event_type.code,
                "callback_url": callback_url,
            },
        )
    return subscription, secret


def _eligible(subscription: Subscription, event: Event) -> str | None:
    """The basis on which this subscriber may receive this event now, or None."""
    event_type = event.event_type
    service = service_lookup(ServiceId.parse(event_type.service.service_id))  # type: ignore[arg-type]
    if service is None or not service.enabled or not subscription.subscriber.is_active:
        return None
    right = right_lookup(subscription.subscriber_id, service.pk)
    if right is None:
        return None
    if not (service.personal_data and event.data_subject):
        return ""
    purpose = subscription.purpose.code if subscription.purpose else ""
    if not purpose:
        return None
    return personal_data_basis(
        client_pk=subscription.subscriber_id,
        service=service,
        right=right,
        subject=event.data_subject,
        purpose=purpose,
    )


def event_publish(
    *, provider: Subsystem, code: str, payload: dict[str, Any], data_subject: str = "", actor: Any = None
) -> Event:
    """Publish an event; deliveries leave after commit, through the task queue."""
    event_type = (
        EventType.objects.select_related("service__provider__member")
        .filter(provider=provider, code=code)
        .first()
    )
    if event_type is None:
        raise InvalidInput(
            f"Hệ thống chưa khai báo sự kiện '{code}'.",
            f"The system declares no event '{code}'.",
            field="code",
        )
    with transaction.atomic():
        event = Event.objects.create(event_type=event_type, data_subject=data_subject, payload=payload)
        subscriptions = Subscription.objects.filter(event_type=event_type, is_active=True).select_related(
            "subscriber__member", "purpose"
        )
        now = timezone.now()
        deliveries = [
            Delivery(event=event, subscription=subscription, next_attempt_at=now)
            for subscription in subscriptions
            if _eligible(subscription, event) is not None
        ]
        Delivery.objects.bulk_create(deliveries)
        audit_record(
            actor=actor,
            action="exchange.event.publish",
            target=event,
            details={"type": code, "provider": provider.client_id, "deliveries": len(deliveries)},
        )
        ids = list(Delivery.objects.filter(event=event).values_list("pk", flat=True))
        transaction.on_commit(partial(_enqueue, ids), robust=True)
    return event


def _enqueue(delivery_ids: list[int], run_after: Any = None) -> None:
    from .tasks import delivery_attempt_task

    task = delivery_attempt_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # exchange_deliveries_run (cron) picks it up when due
        task = task.using(run_after=run_after)
    for delivery_id in delivery_ids:
        try:
            task.enqueue(delivery_id=delivery_id)
        except Exception:
            log.exception("exchange.delivery_enqueue_failed", delivery_id=delivery_id)


def webhook_signature(secret: str, webhook_id: str, sent_at: int, body: bytes) -> str:
    signed = f"{webhook_id}.{sent_at}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one due delivery once; return its status afterwards. Safe to call concurrently."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    delivery = (
        Delivery.objects.select_related(
            "event__event_type__service__provider__member",
            "subscription__subscriber__member",
            "subscription__purpose",
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "missing"
    if not claimed:
        return delivery.status
    event, subscription = delivery.event, delivery.subscription
    basis = _eligible(subscription, event)
    message_id = str(uuid.uuid4())
    webhook_id = str(event.event_id)
    body = json.dumps(
        {
            "id": webhook_id,
            "type": event.event_type.code,
            "source": event.event_type.provider.client_id,
            "time": timestamp(event.published_at),
            "data_subject": event.data_subject or None,
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    requested_at = timezone.now()
    status, error = 0, ""
    if basis is None:
        error = "access_denied"  # the right or the consent ended since publication
    else:
        sent_at = int(time.time())
        # http(s) only: subscription_create refuses other schemes.
        request = urllib.request.Request(  # noqa: S310
            subscription.callback_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Webhook-Id": webhook_id,
                "Webhook-Timestamp": str(sent_at),
                "Webhook-Signature": webhook_signature(subscription.secret, webhook_id, sent_at, body),
                "Idempotency-Key": webhook_id,
                "X-Road-Id": message_id,
                "X-Road-Client": event.event_type.provider.client_id,
            },
        )
        try:
            timeout = float(setting("CONGSO_EXCHANGE_WEBHOOK_TIMEOUT"))
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            error = str(getattr(exc, "reason", exc))[:300] or type(exc).__name__
    log_append(
        LogRecord(
            message_id=message_id,
            correlation_id=webhook_id,
            client=subscription.subscriber.client_id,
            service=event.event_type.service.service_id,
            service_version=event.event_type.service.version,
            transport="webhook",
            method="POST",
            path=f"event:{event.event_type.code}",
            data_subject=event.data_subject,
            purpose=subscription.purpose.code if subscription.purpose else "",
            dossier_ref="",
            user_id="",
            basis=basis or "",
            requested_at=requested_at,
            responded_at=timezone.now(),
            status=status,
            error_code=""
            if 200 <= status < 300
            else ("access_denied" if basis is None else "provider_unavailable"),
            request_size=len(body),
            response_size=0,
            request_hash=hashlib.sha256(body).hexdigest(),
            response_hash=hashlib.sha256(b"").hexdigest(),
        )
    )
    _record_outcome(delivery, ok=200 <= status < 300, error=error, final=basis is None)
    return delivery.status


def _record_outcome(delivery: Delivery, *, ok: bool, error: str, final: bool) -> None:
    now = timezone.now()
    fields: dict[str, Any]
    if ok:
        fields = {
            "status": DeliveryStatus.DELIVERED,
            "delivered_at": now,
            "last_error": "",
            "next_attempt_at": None,
        }
    elif final or delivery.attempts >= int(setting("CONGSO_EXCHANGE_WEBHOOK_MAX_ATTEMPTS")):
        fields = {"status": DeliveryStatus.FAILED, "last_error": error[:500], "next_attempt_at": None}
    else:
        delay = int(setting("CONGSO_EXCHANGE_WEBHOOK_RETRY_BASE_SECONDS")) * 2 ** (delivery.attempts - 1)
        fields = {
            "status": DeliveryStatus.PENDING,
            "last_error": error[:500],
            "next_attempt_at": now + timedelta(seconds=min(delay, 6 * 3600)),
            "claimed_at": None,
        }
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
        audit_record(
            action=f"exchange.delivery.{fields['status']}",
            target=delivery,
            details={"attempts": delivery.attempts, "error": error[:300]},
        )
        if fields["status"] == DeliveryStatus.PENDING:
            transaction.on_commit(
                partial(_enqueue, [delivery.pk], run_after=fields["next_attempt_at"]), robust=True
            )
    for name, value in fields.items():
        setattr(delivery, name, value)


def deliveries_due_run(*, limit: int = 500) -> int:
    """Attempt every due delivery (cron, or after a crash lost the task); return how many."""
    stale = timezone.now() - timedelta(minutes=15)
    # A delivery left "sending" by a stopped worker goes back to the queue.
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        delivery_attempt(delivery_id=delivery_id)
    return len(due)

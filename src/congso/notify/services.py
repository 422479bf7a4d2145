"""Every change to notifications: sending, delivering, sweeping, reading, editing templates.

The outbox: :func:`message_send` writes one ``Message`` per channel in the caller's
transaction and asks the task queue to deliver it only once that transaction has committed.
:func:`message_deliver` claims a queued message with a conditional UPDATE (of two workers
only one sees the row change), hands it to the SMS or e-mail backend outside any transaction,
then records sent, failed, or a retry with exponential backoff. :func:`notify_sweep`
re-enqueues whatever a crash left behind, so a process killed between the commit and the
enqueue loses nothing. Delivery is at least once in one case only: a worker that dies while
the provider is answering; the message's reference (a UUID) lets the gateway drop the copy.
"""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput, NotFound

from .backends.sms import PermanentSendError, RetryableSendError, SendResult, sms_backend
from .defaults import TEMPLATE_FIELDS, template_default_all, template_default_get
from .models import Channel, Message, MessageStatus, MessageTemplate
from .phone import phone_mask, phone_normalize
from .rendering import context_plain, template_render, template_source_check
from .sms import sms_prepare

log = structlog.get_logger(__name__)

REDACTED = "[đã ẩn sau khi gửi / hidden after sending]"
_SWEEP_BATCH = 500
_LANGUAGES = ("vi", "en")


# --- Sending --------------------------------------------------------------------------------
def message_send(
    *,
    template: str,
    context: Mapping[str, Any],
    channels: Sequence[Channel | str],
    user: Any = None,
    phone: str | None = None,
    email: str | None = None,
    language: str | None = None,
) -> list[Message]:
    """Queue the message ``template`` on each channel; it leaves only after the caller commits.

    The recipient is ``user`` (in-app inbox; their e-mail and ``phone`` unless given) and/or an
    explicit ``phone`` / ``email``. ``language`` defaults to the user's preferred language
    (``user.language``), else Vietnamese. In-app messages are in the inbox as soon as the
    transaction commits; SMS and e-mail go through the task queue.
    """
    if not channels:
        raise InvalidInput("Chưa chọn kênh gửi thông báo.", "No channel was chosen.", code="no_channel")
    lang = _language(user, language)
    default = template_default_get(template)
    sensitive = bool(default and default.sensitive)
    plain = context_plain(context)
    now = timezone.now()
    messages: list[Message] = []
    with transaction.atomic():
        for channel in dict.fromkeys(Channel(c) for c in channels):
            to = _recipient(channel, user=user, phone=phone, email=email)
            rendered = template_render(key=template, channel=channel, language=lang, context=plain)
            body = rendered.body
            if channel == Channel.SMS:
                sms = sms_prepare(
                    body,
                    max_segments=settings.CONGSO_SMS_MAX_SEGMENTS,
                    plain=settings.CONGSO_SMS_STRIP_DIACRITICS,
                )
                if sms.truncated:
                    log.warning(
                        "notify.sms_truncated", template=template, language=lang, segments=sms.segments
                    )
                body = sms.text
            inapp = channel == Channel.INAPP
            message = Message.objects.create(
                template_key=template,
                channel=channel,
                language=lang,
                user=user,
                to=to,
                subject=rendered.subject,
                body=body,
                body_html=rendered.body_html,
                sensitive=sensitive and not inapp,
                status=MessageStatus.SENT if inapp else MessageStatus.QUEUED,
                sent_at=now if inapp else None,
                next_attempt_at=None if inapp else now,
                enqueued_at=None if inapp else now,
            )
            audit_record(
                action="notify.message.stored" if inapp else "notify.message.queued",
                target=message,
                details={"template": template, "channel": str(channel), "to": _mask(to)},
            )
            messages.append(message)
        outgoing = [m.pk for m in messages if m.channel != Channel.INAPP]
        if outgoing:
            # robust: the caller's change is committed by now; a queue hiccup must not turn
            # their success into an error page (the sweeper re-enqueues the message).
            transaction.on_commit(partial(_enqueue, outgoing), robust=True)
    return messages


def _language(user: Any, language: str | None) -> str:
    chosen = language or getattr(user, "language", "") or "vi"
    return chosen if chosen in _LANGUAGES else "vi"


def _recipient(channel: Channel, *, user: Any, phone: str | None, email: str | None) -> str:
    if channel == Channel.SMS:
        raw = phone or getattr(user, "phone", "") or ""
        if not raw:
            raise InvalidInput(
                "Chưa có số điện thoại để gửi SMS.",
                "There is no phone number to send the SMS to.",
                code="no_phone",
            )
        return phone_normalize(raw)
    if channel == Channel.EMAIL:
        address = (email or getattr(user, "email", "") or "").strip()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidInput(
                "Chưa có địa chỉ thư điện tử hợp lệ.", "There is no valid e-mail address.", code="no_email"
            ) from exc
        return address
    if user is None:
        raise InvalidInput(
            "Thông báo trên cổng cần một tài khoản nhận.",
            "An in-app message needs a recipient account.",
            code="no_user",
        )
    return ""


def _mask(to: str) -> str:
    if "@" in to:
        name, _, domain = to.partition("@")
        return f"{name[:1]}***@{domain}"
    return phone_mask(to) if to else ""


def _enqueue(message_ids: list[int], run_after: datetime | None = None) -> None:
    from .tasks import message_deliver_task

    task = message_deliver_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the sweeper enqueues it once it is due
        task = task.using(run_after=run_after)
    for message_id in message_ids:
        try:
            task.enqueue(message_id=message_id)
        except Exception:
            log.exception("notify.enqueue_failed", message_id=message_id)
    _sweep_keepalive()


# --- Delivering -----------------------------------------------------------------------------
def message_deliver(*, message_id: int) -> str:
    """Deliver one due, queued message at most once; return its status afterwards.

    Safe to call any number of times, from any number of workers: only the call whose
    conditional UPDATE moves the row from queued to sending goes on to send.
    """
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED, next_attempt_at__lte=now)
        .exclude(channel=Channel.INAPP)
        .update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    try:
        result = _dispatch(message)
    except PermanentSendError as exc:
        _record_failure(message, str(exc), permanent=True)
    except Exception as exc:
        # RetryableSendError, and anything unforeseen: it may well pass next time.
        _record_failure(message, str(exc) or type(exc).__name__, permanent=False)
    else:
        _record_success(message, result)
    return message.status


def _dispatch(message: Message) -> SendResult:
    if message.channel == Channel.SMS:
        return sms_backend().send(to=message.to, text=message.body, reference=str(message.reference))
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"X-Congso-Reference": str(message.reference)},
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    try:
        accepted = mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentSendError(f"recipient refused: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        error = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        # SMTP 5xx replies are final (RFC 5321 section 4.2.1); 4xx are transient.
        if exc.smtp_code >= 500:
            raise PermanentSendError(f"SMTP {exc.smtp_code}: {error}") from exc
        raise RetryableSendError(f"SMTP {exc.smtp_code}: {error}") from exc
    if not accepted:
        raise RetryableSendError("the e-mail backend did not accept the message")
    return SendResult()


def _final_fields(message: Message) -> dict[str, Any]:
    return {"body": REDACTED, "body_html": ""} if message.sensitive else {}


def _record_success(message: Message, result: SendResult) -> None:
    now = timezone.now()
    fields = {
        "status": MessageStatus.SENT,
        "sent_at": now,
        "provider_message_id": result.provider_message_id,
        "last_error": "",
        "next_attempt_at": None,
        **_final_fields(message),
    }
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**fields)
        audit_record(
            action="notify.message.sent",
            target=message,
            details={"attempts": message.attempts, "provider_message_id": result.provider_message_id},
        )
    for name, value in fields.items():
        setattr(message, name, value)
    log.info("notify.message_sent", message_id=message.pk, channel=message.channel, attempts=message.attempts)


def _record_failure(message: Message, error: str, *, permanent: bool) -> None:
    now = timezone.now()
    error = error[:2000]
    final = permanent or message.attempts >= settings.CONGSO_NOTIFY_MAX_ATTEMPTS
    fields: dict[str, Any]
    if final:
        fields = {
            "status": MessageStatus.FAILED,
            "last_error": error,
            "next_attempt_at": None,
            **_final_fields(message),
        }
    else:
        delay = min(
            settings.CONGSO_NOTIFY_RETRY_BASE_SECONDS * 2 ** (message.attempts - 1),
            settings.CONGSO_NOTIFY_RETRY_MAX_SECONDS,
        )
        fields = {
            "status": MessageStatus.QUEUED,
            "last_error": error,
            "next_attempt_at": now + timedelta(seconds=delay),
            "enqueued_at": now,
            "claimed_at": None,
        }
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**fields)
        audit_record(
            action="notify.message.failed" if final else "notify.message.retry_scheduled",
            target=message,
            details={"attempts": message.attempts, "error": error[:300], "permanent": permanent},
        )
        if not final:
            transaction.on_commit(
                partial(_enqueue, [message.pk], run_after=fields["next_attempt_at"]), robust=True
            )
    for name, value in fields.items():
        setattr(message, name, value)
    log.warning(
        "notify.message_failed" if final else "notify.message_retry",
        message_id=message.pk,
        channel=message.channel,
        attempts=message.attempts,
        error=error[:300],
    )


# --- Sweeping -------------------------------------------------------------------------------
def notify_sweep() -> int:
    """Put back on the task queue every message a crash left behind; return how many.

    A message still queued ``CONGSO_NOTIFY_SWEEP_AFTER_MINUTES`` after it was due and after it
    was last enqueued lost its task (process killed between commit and enqueue, queue
    down); one still sending ``CONGSO_NOTIFY_SENDING_TIMEOUT_MINUTES`` after it was claimed
    lost its worker, and is retried (or failed, if out of attempts).
    """
    now = timezone.now()
    stuck_before = now - timedelta(minutes=settings.CONGSO_NOTIFY_SWEEP_AFTER_MINUTES)
    abandoned_before = now - timedelta(minutes=settings.CONGSO_NOTIFY_SENDING_TIMEOUT_MINUTES)
    lost = "worker stopped while sending; outcome unknown"
    with transaction.atomic():
        abandoned = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lte=abandoned_before)
        exhausted = list(
            abandoned.filter(attempts__gte=settings.CONGSO_NOTIFY_MAX_ATTEMPTS).values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=exhausted).update(
            status=MessageStatus.FAILED, last_error=lost, next_attempt_at=None
        )
        Message.objects.filter(pk__in=exhausted, sensitive=True).update(body=REDACTED, body_html="")
        reclaimed = list(abandoned.values_list("pk", flat=True))
        Message.objects.filter(pk__in=reclaimed).update(
            status=MessageStatus.QUEUED, next_attempt_at=now, claimed_at=None, last_error=lost
        )
        due = list(
            Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=stuck_before)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stuck_before))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:_SWEEP_BATCH]
        )
        requeued = reclaimed + [pk for pk in due if pk not in reclaimed]
        Message.objects.filter(pk__in=requeued).update(enqueued_at=now)
        if requeued or exhausted:
            # One entry per sweep, not per message (ADR 0002: bulk operations).
            audit_record(
                action="notify.sweep",
                target_type="notify.message",
                details={"requeued": requeued, "failed": exhausted},
            )
            log.warning("notify.sweep", requeued=len(requeued), failed=len(exhausted))
        if requeued:
            transaction.on_commit(partial(_enqueue, requeued), robust=True)
    return len(requeued)


def notify_sweep_schedule() -> bool:
    """Make sure one periodic sweep is waiting in the database task queue; True if one was added.

    The sweep task schedules its successor when it finishes, so the chain lives in the
    database across restarts; this restarts it if it was ever broken. With a task backend other
    than the database one, run ``manage.py notify_sweep`` from cron instead.
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import notify_sweep_task

    backend = notify_sweep_task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=notify_sweep_task.module_path, status=TaskResultStatus.READY, backend_name=backend.alias
    )
    if waiting.exists():
        return False
    run_after = timezone.now() + timedelta(seconds=settings.CONGSO_NOTIFY_SWEEP_INTERVAL_SECONDS)
    notify_sweep_task.using(run_after=run_after).enqueue()
    return True


_keepalive_lock = threading.Lock()
_keepalive_at = [float("-inf")]


def _sweep_keepalive() -> None:
    """At most once per sweep interval per process, restart the sweep chain if it is broken."""
    with _keepalive_lock:
        if time.monotonic() - _keepalive_at[0] < settings.CONGSO_NOTIFY_SWEEP_INTERVAL_SECONDS:
            return
        _keepalive_at[0] = time.monotonic()
    try:
        notify_sweep_schedule()
    except Exception:
        log.exception("notify.sweep_schedule_failed")


# --- Inbox ----------------------------------------------------------------------------------
@transaction.atomic
def inbox_mark_read(*, user: Any, message_id: int) -> Message:
    """Mark one of the user's own in-app messages as read."""
    message = Message.objects.visible_to(user).inbox().filter(pk=message_id).first()
    if message is None:
        raise NotFound("Không tìm thấy thông báo.", "Message not found.")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit_record(actor=user, action="notify.message.read", target=message)
    return message


# --- Templates ------------------------------------------------------------------------------
@transaction.atomic
def template_save(*, template: MessageTemplate, actor: Any, changed: Sequence[str] = ()) -> MessageTemplate:
    """Save an operator's wording after checking that every field renders safely."""
    for name in TEMPLATE_FIELDS:
        template_source_check(getattr(template, name))
    template.save()
    audit_record(
        actor=actor, action="notify.template.saved", target=template, details={"fields": list(changed)}
    )
    return template


@transaction.atomic
def template_reset(*, template: MessageTemplate, actor: Any) -> MessageTemplate:
    """Blank every field, so the message reads as the code default again."""
    for name in TEMPLATE_FIELDS:
        setattr(template, name, "")
    template.save()
    audit_record(actor=actor, action="notify.template.reset", target=template)
    return template


@transaction.atomic
def template_delete(*, template: MessageTemplate, actor: Any) -> None:
    audit_record(
        actor=actor, action="notify.template.deleted", target=template, details={"key": template.key}
    )
    template.delete()


@transaction.atomic
def templates_install_defaults(*, using: str = "default") -> int:
    """Create an (empty, so default-reading) row for every registered key an operator has not got yet."""
    existing = set(MessageTemplate.objects.using(using).values_list("key", flat=True))
    missing = [d for d in template_default_all() if d.key not in existing]
    MessageTemplate.objects.using(using).bulk_create(
        [MessageTemplate(key=d.key, description=d.description) for d in missing]
    )
    if missing:
        audit_record(
            action="notify.template.installed",
            target_type="notify.messagetemplate",
            details={"keys": [d.key for d in missing]},
        )
    return len(missing)

"""Notifications ("thông báo"): templates, the outbox of messages, and the development inboxes.

A :class:`Message` is one rendered message on one channel to one recipient. It is written in
the caller's transaction with status ``queued`` and leaves the building only after that
transaction commits (see ``services.message_send``), so a rolled-back change sends nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Thư điện tử (e-mail)"
    INAPP = "inapp", "Hộp thư trên cổng (in-app)"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Chờ gửi (queued)"
    SENDING = "sending", "Đang gửi (sending)"
    SENT = "sent", "Đã gửi (sent)"
    FAILED = "failed", "Gửi lỗi (failed)"


class MessageTemplate(models.Model):
    """An operator's wording of one message, in Vietnamese and English, for every channel.

    Blank fields fall back to the default registered in code (``notify.defaults``), so an
    operator only writes what they want to change.
    """

    key = models.CharField("mã mẫu", max_length=100, unique=True, help_text="ví dụ: dossier.received")
    description = models.CharField("mô tả", max_length=300, blank=True)
    sms_vi = models.TextField("SMS (tiếng Việt)", blank=True)
    sms_en = models.TextField("SMS (English)", blank=True)
    email_subject_vi = models.CharField("tiêu đề thư (tiếng Việt)", max_length=300, blank=True)
    email_subject_en = models.CharField("tiêu đề thư (English)", max_length=300, blank=True)
    email_body_vi = models.TextField("nội dung thư (tiếng Việt)", blank=True)
    email_body_en = models.TextField("nội dung thư (English)", blank=True)
    inapp_title_vi = models.CharField("tiêu đề thông báo (tiếng Việt)", max_length=300, blank=True)
    inapp_title_en = models.CharField("tiêu đề thông báo (English)", max_length=300, blank=True)
    inapp_body_vi = models.TextField("nội dung thông báo (tiếng Việt)", blank=True)
    inapp_body_en = models.TextField("nội dung thông báo (English)", blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: Any) -> MessageQuerySet:
        """A person sees only the messages addressed to their own account."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def inbox(self) -> MessageQuerySet:
        return self.filter(channel=Channel.INAPP, status=MessageStatus.SENT)


class Message(models.Model):
    """One message on one channel to one recipient: the outbox row and its delivery status."""

    # Sent with the message (SMS reference, Idempotency-Key, e-mail header) so a provider can
    # drop a duplicate; a UUID, so two deployments sharing a gateway account never collide.
    reference = models.UUIDField("mã tham chiếu", default=uuid.uuid4, unique=True, editable=False)
    template_key = models.CharField("mẫu", max_length=100)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    language = models.CharField("ngôn ngữ", max_length=8, default="vi")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản nhận",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.CharField("gửi tới", max_length=254, blank=True, help_text="số điện thoại +84… hoặc e-mail")
    subject = models.CharField("tiêu đề", max_length=300, blank=True)
    body = models.TextField("nội dung")
    body_html = models.TextField("nội dung HTML", blank=True)
    # Codes and other secrets are blanked once the message has left (see services._finish).
    sensitive = models.BooleanField("nội dung nhạy cảm", default=False)
    status = models.CharField(
        "trạng thái", max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    enqueued_at = models.DateTimeField("đưa vào hàng đợi lúc", null=True, blank=True)
    claimed_at = models.DateTimeField("bắt đầu gửi lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    provider_message_id = models.CharField("mã tin của nhà cung cấp", max_length=200, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    read_at = models.DateTimeField("đọc lúc", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "tin nhắn"
        verbose_name_plural = "tin nhắn"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_status_due_idx"),
            models.Index(fields=["user", "channel", "-created_at"], name="notify_msg_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.channel} #{self.pk}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DevPhoneMessage(models.Model):
    """An SMS "delivered" to the development phone (demo and debug only)."""

    to = models.CharField("số điện thoại", max_length=20, db_index=True)
    text = models.TextField("nội dung")
    reference = models.CharField("mã tin", max_length=64, blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "SMS điện thoại thử nghiệm"
        verbose_name_plural = "SMS điện thoại thử nghiệm"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:40]}"


class DevMailMessage(models.Model):
    """An e-mail "delivered" to the development mailbox (demo and debug only)."""

    to = models.CharField("gửi tới", max_length=1000, db_index=True)
    from_email = models.CharField("người gửi", max_length=254, blank=True)
    subject = models.CharField("tiêu đề", max_length=300, blank=True)
    body = models.TextField("nội dung")
    body_html = models.TextField("nội dung HTML", blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "thư thử nghiệm"
        verbose_name_plural = "thư thử nghiệm"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

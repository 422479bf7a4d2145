"""Tables of the shared kernel: calendar overrides, the audit chain, daily code sequences.

Nothing here refers to another domain: ``core`` depends on nothing of ours (ADR 0001).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, NoReturn

from django.db import models

# The genesis entry's prev_hash: there is no previous entry to point at.
GENESIS_HASH = "0" * 64


class CalendarOverride(models.Model):
    """An operator's correction to the public-holiday calendar ("ngày điều chỉnh lịch làm việc").

    The ``holidays`` package computes the statutory holidays of Labour Code 2019 art. 112,
    but each year the government also announces swapped days (a Saturday worked to bridge a
    holiday) that the package can only guess; these rows make the calendar match the
    announcement.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Ngày nghỉ bổ sung (extra holiday)"
        WORKING_DAY = "working_day", "Ngày làm việc, kể cả thứ Bảy/Chủ nhật làm bù (working day)"
        NOT_HOLIDAY = "not_holiday", "Không phải ngày nghỉ lễ (remove a listed holiday)"

    day = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    name = models.CharField("tên", max_length=200, blank=True)
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "ngày điều chỉnh lịch làm việc"
        verbose_name_plural = "ngày điều chỉnh lịch làm việc"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} — {self.get_kind_display()}" + (f" — {self.name}" if self.name else "")


class AuditLogImmutable(RuntimeError):
    """Raised on any attempt to change or remove an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk writes would bypass the chain, so the queryset refuses them."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("Nhật ký kiểm toán chỉ được ghi thêm / The audit log is append-only")

    def delete(self) -> NoReturn:
        raise AuditLogImmutable("Nhật ký kiểm toán chỉ được ghi thêm / The audit log is append-only")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("Dùng audit_record() để ghi nhật ký / Use audit_record() to append")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("Nhật ký kiểm toán chỉ được ghi thêm / The audit log is append-only")


class AuditEntry(models.Model):
    """One link of the hash-chained audit log ("nhật ký kiểm toán"), ADR 0002.

    Written only by :func:`congso.core.audit.audit_record`; never changed or deleted.
    """

    seq = models.PositiveBigIntegerField("số thứ tự", primary_key=True)
    at = models.DateTimeField("thời điểm")
    # Plain values, not a foreign key: the log must outlive the account and stay
    # readable (and verifiable) exactly as written.
    actor_id = models.CharField("mã người thực hiện", max_length=64, blank=True)
    actor_label = models.CharField("người thực hiện", max_length=200)
    action = models.CharField("hành động", max_length=100)
    target_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    target_id = models.CharField("mã đối tượng", max_length=100, blank=True)
    details = models.JSONField("chi tiết", default=dict)
    prev_hash = models.CharField("mã băm trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "mục nhật ký kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx"),
            models.Index(fields=["actor_id", "seq"], name="core_audit_actor_idx"),
            models.Index(fields=["action"], name="core_audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable("Không được sửa mục nhật ký / An audit entry cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("Không được xoá mục nhật ký / An audit entry cannot be deleted")

    def canonical_bytes(self) -> bytes:
        """The exact bytes the hash covers: sorted-key compact JSON in UTF-8.

        Timestamps are ISO 8601 in UTC with microseconds, so the encoding is the same
        whichever database or time zone wrote the row.
        """
        payload = {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()


class AuditChainHead(models.Model):
    """The single row naming the chain's last link; appenders lock it (ADR 0002).

    It also lets ``audit_verify`` notice entries cut off the end of the chain, which a walk
    of the entries alone cannot see.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField("số thứ tự cuối", default=0)
    last_hash = models.CharField("mã băm cuối", max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "đầu chuỗi nhật ký"
        verbose_name_plural = "đầu chuỗi nhật ký"

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class DailySequence(models.Model):
    """The last number given out per agency and day, for dossier codes (Circular 01/2018 art. 19)."""

    agency_code = models.CharField("mã cơ quan", max_length=64)
    day = models.DateField("ngày")
    last_value = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm mã hồ sơ theo ngày"
        verbose_name_plural = "bộ đếm mã hồ sơ theo ngày"
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="core_dailysequence_agency_day_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day:%d/%m/%Y}: {self.last_value}"

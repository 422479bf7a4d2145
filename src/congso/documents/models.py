"""The citizen's personal document store ("kho dữ liệu cá nhân").

A :class:`StoredDocument` ("giấy tờ trong kho dữ liệu cá nhân") is a file a person uploaded or
the platform issued to them (a result, a receipt). The person can reuse it in later
applications instead of uploading it again: the reuse of digitised data is a Decision 766
indicator (vietnam.md section 6), counted by :class:`DocumentReuse`.

Files live on the default storage under ``documents/%Y/%m/<uuid>.<ext>`` and are never served
from MEDIA_URL: every download goes through a view that checks who is asking. Writes go
through ``services.py``, reads through ``selectors.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """Where a stored document comes from."""

    UPLOAD = "upload", _("Uploaded file")
    RESULT = "result", _("Result of an administrative procedure")
    RECEIPT = "receipt", _("Receipt")
    OTHER = "other", _("Other")


def document_file_path(instance: StoredDocument, filename: str) -> str:
    """``documents/<year>/<month>/<public id>.<extension>``: nothing of the person's file name."""
    created = timezone.localtime(instance.created_at or timezone.now())
    extension = (instance.extension or "bin").lower()
    return f"documents/{created:%Y/%m}/{instance.public_id}.{extension}"


class StoredDocumentQuerySet(models.QuerySet["StoredDocument"]):
    def alive(self) -> StoredDocumentQuerySet:
        """Documents their owner has not removed from the store."""
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user: Any) -> StoredDocumentQuerySet:
        """What ``user`` sees in their store: their own documents, not removed.

        Only the owner: other domains that grant access (an officer through a dossier) check
        their own rules and then read the file with ``selectors.document_open``.
        """
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.alive().filter(owner_id=user.pk)


class StoredDocument(models.Model):
    """A document in a person's store ("giấy tờ trong kho dữ liệu cá nhân")."""

    public_id = models.UUIDField("mã công khai", default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chủ sở hữu",
        on_delete=models.PROTECT,
        related_name="stored_documents",
    )
    title = models.CharField("tên giấy tờ", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=DocumentKind.choices, default=DocumentKind.UPLOAD)
    file = models.FileField("tệp", upload_to=document_file_path, max_length=255)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("kiểu nội dung (theo nội dung tệp)", max_length=100)
    extension = models.CharField("phần mở rộng", max_length=10)
    size = models.PositiveBigIntegerField("kích thước (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    issuer = models.ForeignKey(
        "registry.Agency",
        verbose_name="cơ quan cấp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dossier_code = models.CharField("mã hồ sơ nguồn", max_length=50, blank=True)
    reuse_count = models.PositiveIntegerField("số lần dùng lại", default=0)
    # Soft delete: the owner hides it from the store; a submitted dossier may still hold it.
    deleted_at = models.DateTimeField("ẩn khỏi kho lúc", null=True, blank=True)

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "giấy tờ trong kho dữ liệu cá nhân"
        verbose_name_plural = "giấy tờ trong kho dữ liệu cá nhân"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "deleted_at", "-created_at"], name="documents_store_of_owner"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="documents_document_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="documents_document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentReuse(models.Model):
    """One use of a stored document in an application instead of a new upload (append-only)."""

    document = models.ForeignKey(
        StoredDocument, verbose_name="giấy tờ", on_delete=models.PROTECT, related_name="reuses"
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=50, blank=True)
    at = models.DateTimeField("lúc", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "lần dùng lại giấy tờ"
        verbose_name_plural = "lần dùng lại giấy tờ"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="documents_reuse_at")]
        constraints = [
            # A dossier reuses a document once, however often the application is saved.
            models.UniqueConstraint(
                fields=["document", "dossier_code"],
                condition=~Q(dossier_code=""),
                name="documents_reuse_once_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.dossier_code or '—'}"

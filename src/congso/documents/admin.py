"""Operator screens: the stores' metadata, read-only.

Operators see what a document is (kind, size, hash, owner, issuer, reuse) to answer support
questions, never its content: there is no file link, no download and no change here. A
person's file leaves the platform only through the owner's pages or another domain's own
permission check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DocumentReuse, StoredDocument


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredDocument)
class StoredDocumentAdmin(_ReadOnly, admin.ModelAdmin[StoredDocument]):
    list_display = ("title", "owner", "kind", "issuer", "size", "reuse_count", "created_at", "deleted_at")
    list_filter = ("kind", ("deleted_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner", "issuer")
    search_fields = ("=public_id", "=sha256", "=owner__username", "=dossier_code")
    date_hierarchy = "created_at"
    # Everything but the file itself.
    fields = (
        "public_id",
        "owner",
        "title",
        "kind",
        "original_name",
        "content_type",
        "extension",
        "size",
        "sha256",
        "issuer",
        "dossier_code",
        "reuse_count",
        "created_at",
        "deleted_at",
    )
    readonly_fields = fields


@admin.register(DocumentReuse)
class DocumentReuseAdmin(_ReadOnly, admin.ModelAdmin[DocumentReuse]):
    list_display = ("document", "dossier_code", "at")
    list_select_related = ("document",)
    search_fields = ("=dossier_code",)
    date_hierarchy = "at"
    fields = ("document", "dossier_code", "at")
    readonly_fields = fields

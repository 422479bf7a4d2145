"""Operator screens: agencies' signing certificates and the trusted CAs, read-only.

Certificates come from ``manage.py signing_import_pkcs12`` (or the demo CA), never from a
form here; private keys are not in the database and nothing here shows where they are.
The one change offered is to retire a certificate or distrust a CA, through the services,
which audit it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core.errors import DomainError

from . import services
from .models import AgencyCertificate, TrustAnchor

_CERTIFICATE_FIELDS = (
    "agency",
    "common_name",
    "subject",
    "issuer",
    "serial",
    "not_before",
    "not_after",
    "fingerprint_sha256",
    "source",
    "active",
    "created_at",
    "certificate_pem",
    "chain_pem",
)
_ANCHOR_FIELDS = (
    "name",
    "subject",
    "serial",
    "not_before",
    "not_after",
    "fingerprint_sha256",
    "source",
    "active",
    "created_at",
    "certificate_pem",
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_deactivate_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return bool(request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"))


@admin.register(AgencyCertificate)
class AgencyCertificateAdmin(_ReadOnlyAdmin):
    list_display = ("agency", "common_name", "source", "not_after", "active")
    list_filter = ("active", "source")
    search_fields = ("agency__code", "agency__name", "common_name", "fingerprint_sha256", "serial")
    list_select_related = ("agency",)
    fields = _CERTIFICATE_FIELDS
    readonly_fields = _CERTIFICATE_FIELDS
    actions = ("deactivate",)

    @admin.action(description="Ngừng dùng để ký (retire)", permissions=["deactivate"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[AgencyCertificate]) -> None:
        for certificate in queryset.select_related("agency"):
            try:
                services.agency_certificate_deactivate(certificate=certificate, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)


@admin.register(TrustAnchor)
class TrustAnchorAdmin(_ReadOnlyAdmin):
    list_display = ("name", "source", "not_after", "active")
    list_filter = ("active", "source")
    search_fields = ("name", "subject", "fingerprint_sha256")
    fields = _ANCHOR_FIELDS
    readonly_fields = _ANCHOR_FIELDS
    actions = ("deactivate",)

    @admin.action(description="Thôi tin cậy (distrust)", permissions=["deactivate"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[TrustAnchor]) -> None:
        for anchor in queryset:
            try:
                services.trust_anchor_deactivate(anchor=anchor, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)

"""Operator screens: register relying parties, see consents and authorizations.

django-oauth-toolkit registers the Application model with ``ApplicationAdmin`` (named by the
``APPLICATION_ADMIN_CLASS`` setting); it deliberately does not import ``oauth2_provider.admin``,
which imports it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from oauth2_provider.forms import ApplicationForm

from . import services
from .models import Application, Authorization, Consent


class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = ("name", "organisation", "client_id", "client_type", "min_assurance_level", "is_active")
    list_filter = ("is_active", "client_type", "min_assurance_level", "skip_authorization")
    search_fields = ("name", "organisation", "client_id")
    readonly_fields = ("created", "updated")
    fieldsets = (
        (
            "Dịch vụ (service)",
            {"fields": ("name", "organisation", "description", "is_active")},
        ),
        (
            "Đăng nhập (sign-in)",
            {
                "fields": (
                    "client_id",
                    "client_type",
                    "client_secret",
                    "redirect_uris",
                    "post_logout_redirect_uris",
                    "allowed_origins",
                    "min_assurance_level",
                    "sector_identifier",
                    "skip_authorization",
                ),
                "description": "Địa chỉ chuyển hướng phải khớp chính xác; https (http chỉ cho máy cục bộ). "
                "'Skip authorization' = dịch vụ của chính cổng, không hỏi đồng ý. / Redirect URIs must "
                "match exactly; https (http for loopback only). 'Skip authorization' = first-party, no "
                "consent screen.",
            },
        ),
        ("", {"fields": ("created", "updated")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.hash_client_secret = True  # secrets are always stored hashed
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.application_change_record(
                actor=request.user,
                application=obj,
                action="update" if change else "create",
                fields=list(form.changed_data),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            services.application_change_record(
                actor=request.user, application=obj, action="delete", fields=[]
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "application", "scopes", "updated")
    list_select_related = ("user", "application")
    search_fields = ("application__name", "application__client_id")
    raw_id_fields = ("user", "application")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Authorization)
class AuthorizationAdmin(admin.ModelAdmin):
    list_display = ("pk", "application", "user", "acr", "created", "redeemed_at")
    list_select_related = ("user", "application")
    list_filter = ("acr",)
    search_fields = ("application__client_id",)
    exclude = ("code_checksum",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


__all__ = ["Application", "ApplicationAdmin"]

"""Operator and provider-administrator screens of the exchange.

Access rights and client keys are created through ``services.py`` (permission check and
audit); the message log, its checkpoints and consents are read-only; "Monitoring" shows
calls, errors and p50/p95 latency per service and client.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import DomainError

from . import metrics, services
from .gateway import exchange_cache_clear
from .models import (
    AccessRight,
    ClientKey,
    Consent,
    Delivery,
    EventType,
    Member,
    MessageLogCheckpoint,
    MessageLogEntry,
    Purpose,
    Service,
    ServiceMetric,
    Subscription,
    Subsystem,
)


class AuditedAdmin(admin.ModelAdmin):
    """Edits made here are audited like any other write, and clear the gateway's caches."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"exchange.{obj._meta.model_name}.{'change' if change else 'create'}",
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )
        exchange_cache_clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"exchange.{obj._meta.model_name}.delete",
            target=obj,
            details={"repr": str(obj)},
        )
        super().delete_model(request, obj)
        exchange_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ("name", "instance", "member_class", "code", "agency")
    list_filter = ("instance", "member_class")
    search_fields = ("name", "code")
    raw_id_fields = ("agency", "organisation")
    filter_horizontal = ("administrators",)


@admin.register(Subsystem)
class SubsystemAdmin(AuditedAdmin):
    list_display = ("name", "client_id", "is_active", "rate_limit_per_minute")
    list_filter = ("is_active", "member__member_class")
    search_fields = ("name", "code", "member__name", "member__code")
    list_select_related = ("member",)


class ClientKeyForm(forms.ModelForm):
    public_key = forms.CharField(
        label="Khoá công khai (PEM hoặc JWK)",
        widget=forms.Textarea,
        required=False,
        help_text="Chỉ khoá công khai.",
    )

    class Meta:
        model = ClientKey
        fields = ("subsystem", "public_key", "certificate_pem")


@admin.register(ClientKey)
class ClientKeyAdmin(admin.ModelAdmin):
    form = ClientKeyForm
    list_display = ("subsystem", "kind", "kid", "created_at", "revoked_at")
    list_filter = ("kind",)
    actions = ("revoke",)
    list_select_related = ("subsystem__member",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (
            ("subsystem", "kind", "kid", "public_jwk", "thumbprint", "certificate_pem", "revoked_at")
            if obj
            else ()
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            self.get_readonly_fields(request, obj) if obj else ("subsystem", "public_key", "certificate_pem")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        text = form.cleaned_data.get("public_key", "").strip()
        try:
            key = services.client_key_add(
                actor=request.user,
                subsystem=form.cleaned_data["subsystem"],
                jwk=json.loads(text) if text.startswith("{") else None,
                pem=text if not text.startswith("{") else "",
                certificate_pem=form.cleaned_data.get("certificate_pem", ""),
            )
        except (DomainError, ValueError) as error:
            raise forms.ValidationError(str(error)) from error
        obj.pk, obj._state.adding = key.pk, False

    @admin.action(description="Thu hồi các khoá đã chọn (revoke)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ClientKey]) -> None:
        for key in queryset:
            try:
                services.client_key_revoke(actor=request.user, key=key)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)


@admin.register(Purpose)
class PurposeAdmin(AuditedAdmin):
    list_display = ("code", "name_vi", "name_en")
    search_fields = ("code", "name_vi", "name_en")


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("title", "service_id", "provider_kind", "personal_data", "is_enabled")
    list_filter = ("is_enabled", "personal_data", "provider_kind")
    search_fields = ("code", "title", "provider__code", "provider__member__code")
    filter_horizontal = ("purposes",)
    list_select_related = ("provider__member",)


class AccessRightForm(forms.ModelForm):
    class Meta:
        model = AccessRight
        fields = ("client", "service", "legal_basis", "legal_basis_purposes")

    request: HttpRequest

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, client = data.get("service"), data.get("client")
        if service is not None and not services.member_administers(
            self.request.user, service.provider.member
        ):
            raise forms.ValidationError(
                "Bạn không phải quản trị viên của thành viên cung cấp dịch vụ này "
                "(you do not administer the member providing this service)."
            )
        if (
            client is not None
            and service is not None
            and AccessRight.objects.active().filter(client=client, service=service).exists()
        ):
            raise forms.ValidationError("Hệ thống này đã có quyền dùng dịch vụ (the right already exists).")
        return data


@admin.register(AccessRight)
class AccessRightAdmin(admin.ModelAdmin):
    form = AccessRightForm
    list_display = ("client", "service", "legal_basis", "granted_at", "granted_by", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("client__code", "client__member__code", "service__code")
    actions = ("revoke",)
    list_select_related = ("client__member", "service__provider__member", "granted_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessRight]:
        queryset = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return queryset
        return queryset.filter(service__provider__member__administrators=request.user)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a right is granted or revoked, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        right = services.access_right_grant(
            actor=request.user,
            client=form.cleaned_data["client"],
            service=form.cleaned_data["service"],
            legal_basis=form.cleaned_data.get("legal_basis", ""),
            legal_basis_purposes=form.cleaned_data.get("legal_basis_purposes") or (),
        )
        obj.pk, obj.granted_at, obj._state.adding = right.pk, right.granted_at, False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service already set the purposes."""

    @admin.action(description="Thu hồi các quyền đã chọn (revoke)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessRight]) -> None:
        for right in queryset.filter(revoked_at__isnull=True):
            try:
                services.access_right_revoke(actor=request.user, right=right)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("receipt_id", "subject_personal_id", "consumer", "purpose", "valid_until", "revoked_at")
    list_filter = ("purpose",)
    search_fields = ("subject_personal_id", "receipt_id", "dossier_ref")
    list_select_related = ("consumer__member", "purpose")


@admin.register(MessageLogEntry)
class MessageLogEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "requested_at",
        "client",
        "service",
        "status",
        "error_code",
        "purpose",
        "dossier_ref",
    )
    list_filter = ("transport", "error_code")
    search_fields = ("message_id", "correlation_id", "client", "service", "data_subject", "dossier_ref")
    show_full_result_count = False  # COUNT(*) over a very large table on each page is too slow


@admin.register(MessageLogCheckpoint)
class MessageLogCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "key_id", "hash")


@admin.register(ServiceMetric)
class ServiceMetricAdmin(ReadOnlyAdmin):
    """The monitoring page: per service and client, over the last N hours (``?hours=24``)."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            hours = max(1, min(int(request.GET.get("hours", "24")), 24 * 90))
        except ValueError:
            hours = 24
        metrics.metrics_flush()
        stats = metrics.service_stats(since=timezone.now() - timedelta(hours=hours))
        context = {
            **self.admin_site.each_context(request),
            "title": "Giám sát dịch vụ trao đổi dữ liệu (monitoring)",
            "opts": self.model._meta,
            "stats": stats,
            "hours": hours,
            "hour_choices": (1, 24, 24 * 7, 24 * 30),
        }
        return TemplateResponse(request, "admin/exchange/monitoring.html", context)


@admin.register(EventType)
class EventTypeAdmin(AuditedAdmin):
    list_display = ("code", "title", "provider", "service")


@admin.register(Subscription)
class SubscriptionAdmin(AuditedAdmin):
    """Subscriptions are made with ``events.subscription_create`` (which hands out the secret)."""

    list_display = ("subscriber", "event_type", "callback_url", "is_active")
    fields = ("subscriber", "event_type", "purpose", "callback_url", "is_active")
    readonly_fields = ("subscriber", "event_type", "purpose")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    )
    list_filter = ("status",)

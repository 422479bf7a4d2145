"""Operator screens for the shared kernel.

Calendar overrides are edited here and every change is audited; the audit log itself is
read-only, whoever looks at it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core.audit import audit_record
from congso.core.models import AuditEntry, CalendarOverride, DailySequence


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    # Django's defaults try the American month-first "%m/%d/%Y", which would read 09/03/2027
    # as 3 September; Vietnamese write day first.
    day = forms.DateField(
        label="ngày",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=AdminDateWidget(format="%d/%m/%Y"),
        help_text="dd/mm/yyyy",
    )

    class Meta:
        model = CalendarOverride
        fields = ("day", "kind", "name", "note")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    form = CalendarOverrideForm
    list_display = ("day", "kind", "name", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "note")
    date_hierarchy = "day"
    ordering = ("-day",)
    fields = ("day", "kind", "name", "note")

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        # The changeform view runs in one transaction, so the entry commits with the row.
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="core.calendar_override.update" if change else "core.calendar_override.create",
            target=obj,
            details={"day": obj.day.isoformat(), "kind": obj.kind, "name": obj.name, "via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_delete(self, request: HttpRequest, obj: CalendarOverride) -> None:
        audit_record(
            actor=request.user,
            action="core.calendar_override.delete",
            target=obj,
            details={"day": obj.day.isoformat(), "kind": obj.kind, "name": obj.name, "via": "admin"},
        )


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    # Millions of entries: never COUNT(*) the whole chain on each page.
    show_full_result_count = False
    list_display = ("seq", "at", "actor_label", "action", "target_type", "target_id")
    search_fields = ("=action", "=target_id", "=actor_id", "actor_label")
    readonly_fields = (
        "seq",
        "at",
        "actor_id",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "details",
        "prev_hash",
        "hash",
    )
    ordering = ("-seq",)
    # A count of millions of rows on every page view would be the slowest query of the page.
    show_full_result_count = False


@admin.register(DailySequence)
class DailySequenceAdmin(ReadOnlyAdmin):
    list_display = ("agency_code", "day", "last_value")
    search_fields = ("=agency_code",)
    date_hierarchy = "day"
    ordering = ("-day", "agency_code")

"""Operator screens of the registries.

Saves and deletions made here are audited like every other write (``AuditedAdmin``); model
``clean()`` methods apply the same checks as the services, so a malformed ID number, an
impossible date or a wrong enterprise code cannot be typed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from congso.core.audit import audit_record

from .events import RESIDENCE_FIELDS, residence_changed_publish
from .models import (
    AdministrativeUnit,
    Agency,
    Citizen,
    DriverLicence,
    HealthInsuranceCard,
    Household,
    HouseholdMember,
    Organisation,
    Registry,
    VehicleRegistration,
)


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Writes one audit entry per save or deletion, in the admin's transaction."""

    def _action(self, obj: models.Model, verb: str) -> str:
        return f"registry.{obj._meta.model_name}.admin_{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=self._action(obj, "change" if change else "add"),
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=self._action(obj, "delete"), target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=self._action(obj, "delete"), target=obj)
        super().delete_queryset(request, queryset)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    # Loaded from the official list by `registry_load_units`; not edited by hand.
    list_display = ("code", "name", "division_type", "level", "parent")
    list_filter = ("level", "division_type", "parent")
    search_fields = ("code", "name", "codename")
    list_select_related = ("parent",)
    readonly_fields = ("code", "name", "division_type", "level", "parent", "codename")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "administrative_unit")
    list_select_related = ("parent",)


@admin.register(Registry)
class RegistryAdmin(AuditedAdmin):
    list_display = ("kind", "owner")
    autocomplete_fields = ("owner",)


class HouseholdMemberInline(admin.TabularInline[HouseholdMember, Household]):
    model = HouseholdMember
    extra = 0
    autocomplete_fields = ("citizen",)


@admin.register(Citizen)
class CitizenAdmin(AuditedAdmin):
    list_display = ("personal_id", "full_name", "date_of_birth", "sex", "permanent_commune")
    list_filter = ("sex", "ethnicity", "nationality")
    search_fields = ("=personal_id", "full_name", "=phone")
    autocomplete_fields = ("permanent_commune", "temporary_commune")
    list_select_related = ("permanent_commune",)
    show_full_result_count = False  # counting a national population on every page is slow
    date_hierarchy = "date_of_birth"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The ID number is the person's identity: it is never re-typed on an existing record.
        return ("personal_id",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and RESIDENCE_FIELDS.intersection(form.changed_data):
            residence_changed_publish(obj, actor=request.user)


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    list_display = ("code", "address_line", "commune")
    search_fields = ("=code", "=members__citizen__personal_id", "members__citizen__full_name")
    autocomplete_fields = ("commune",)
    list_select_related = ("commune",)
    inlines = (HouseholdMemberInline,)
    show_full_result_count = False


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("code", "name", "legal_form", "status", "founded_date")
    list_filter = ("status", "legal_form")
    search_fields = ("=code", "name", "english_name", "=representative__personal_id")
    autocomplete_fields = ("commune", "representative")
    fieldsets = (
        ("Thông tin công khai (public)", {"fields": (*Organisation.PUBLIC_FIELDS, "business_lines")}),
        ("Thông tin riêng (private)", {"fields": ("representative", "phone", "email")}),
    )
    show_full_result_count = False


@admin.register(DriverLicence)
class DriverLicenceAdmin(AuditedAdmin):
    list_display = ("number", "holder_personal_id", "classes", "issue_date", "expiry_date", "status")
    list_filter = ("status",)
    search_fields = ("=number", "=holder_personal_id")
    autocomplete_fields = ("issuing_agency",)
    show_full_result_count = False


@admin.register(VehicleRegistration)
class VehicleRegistrationAdmin(AuditedAdmin):
    list_display = (
        "plate",
        "vehicle_type",
        "brand",
        "model",
        "owner_identifier",
        "registration_date",
        "status",
    )
    list_filter = ("vehicle_type", "status", "owner_kind")
    search_fields = ("=plate", "=owner_identifier", "=chassis_number", "=engine_number")
    autocomplete_fields = ("issuing_agency",)
    show_full_result_count = False


@admin.register(HealthInsuranceCard)
class HealthInsuranceCardAdmin(AuditedAdmin):
    list_display = ("number", "holder_personal_id", "benefit_level", "primary_care_facility_name", "valid_to")
    list_filter = ("benefit_level",)
    search_fields = ("=number", "=holder_personal_id", "primary_care_facility_code")
    show_full_result_count = False

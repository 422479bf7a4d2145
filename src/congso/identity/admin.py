"""Operator screens for accounts (the site itself, behind our login, is in admin_site.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from . import services
from .models import AssuranceVerification, LoginEvent, OfficerRole, OrganisationAuthorisation, User


@admin.register(User)
class CongsoUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (
            "Cổng Số",
            {
                "fields": (
                    "full_name",
                    "kind",
                    "citizen",
                    "organisation_code",
                    "representative",
                    "representation_checked_at",
                    "assurance_level",
                    "preferred_language",
                    "single_device",
                )
            },
        ),
    )
    list_display = ("username", "full_name", "kind", "assurance_level", "is_staff", "is_active")
    list_filter = ("kind", "assurance_level", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "full_name", "email")
    raw_id_fields = ("citizen",)
    # Level 2 is raised only by a police officer through the back office (audited); who
    # represents an organisation is the business registry's answer, not an operator's.
    readonly_fields = ("assurance_level", "organisation_code", "representative", "representation_checked_at")


@admin.register(OfficerRole)
class OfficerRoleAdmin(admin.ModelAdmin):
    """Operators may give the first administrator of an agency; the service audits it."""

    list_display = ("user", "agency", "role", "granted_at", "revoked_at")
    list_filter = ("role", "agency__kind")
    search_fields = ("user__username", "user__full_name", "agency__code", "agency__name")
    raw_id_fields = ("user", "agency")
    fields = ("user", "agency", "role")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OfficerRole, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        created = services.officer_role_assign(
            actor=request.user, user=obj.user, agency=obj.agency, role=obj.role
        )
        obj.pk = created.pk


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssuranceVerification)
class AssuranceVerificationAdmin(_ReadOnlyAdmin):
    list_display = ("user", "level", "officer", "agency", "verified_at")
    search_fields = ("user__username", "officer__username")


@admin.register(OrganisationAuthorisation)
class OrganisationAuthorisationAdmin(_ReadOnlyAdmin):
    list_display = ("organisation_account", "employee", "expires_at", "revoked_at")
    search_fields = ("organisation_account__username", "employee__username")


@admin.register(LoginEvent)
class LoginEventAdmin(_ReadOnlyAdmin):
    list_display = ("at", "personal_id", "outcome", "method", "ip")
    list_filter = ("outcome", "method")
    search_fields = ("personal_id", "ip")

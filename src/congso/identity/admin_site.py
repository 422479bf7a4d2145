"""The operators' admin site, behind the platform's own login (with its second factor).

The admin has no password form of its own: ``login`` sends people to /dang-nhap/, and
``has_permission`` also asks that this session used a second factor (operators must).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse


class CongsoAdminSite(admin.AdminSite):
    site_header = "Cổng Số — quản trị vận hành"
    site_title = "Cổng Số"
    index_title = "Quản trị (Administration)"

    def has_permission(self, request: HttpRequest) -> bool:
        from .auth import session_is_multi_factor

        user = request.user
        return bool(user.is_active and user.is_staff and session_is_multi_factor(request))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from .views import admin_login

        return admin_login(request, extra_context)

    def logout(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        """The admin's "log out" is the platform's: the session record ends too."""
        from .views import logout_view

        return logout_view(request)


class CongsoAdminConfig(AdminConfig):
    default_site = "congso.identity.admin_site.CongsoAdminSite"

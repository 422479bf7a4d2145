"""``manage.py oidc_clear_expired``: delete expired tokens, codes and their authorizations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.identity.oidc import services


class Command(BaseCommand):
    help = (
        "Xoá token, mã xác thực hết hạn và bản ghi cấp quyền không còn dùng đến. / Delete expired tokens "
        "and codes (django-oauth-toolkit's cleartokens) and authorizations no token can refer to any more."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = services.expired_clear()
        self.stdout.write(f"authorizations deleted: {removed}")

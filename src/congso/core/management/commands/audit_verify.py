"""``manage.py audit_verify``: walk the audit chain; exit 1 naming the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congso.core.audit import audit_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi nhật ký kiểm toán / Verify the audit hash chain"

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)

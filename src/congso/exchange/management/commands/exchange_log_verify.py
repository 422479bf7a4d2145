"""``manage.py exchange_log_verify``: check the message log's chain and checkpoint signatures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congso.exchange.messagelog import log_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi nhật ký thông điệp và chữ ký / Verify the message log's chain and checkpoint signatures"

    def handle(self, *args: Any, **options: Any) -> None:
        result = log_verify()
        if not result.ok:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)

"""``manage.py exchange_deliveries_run``: attempt every due event delivery (cron fallback)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.exchange.events import deliveries_due_run


class Command(BaseCommand):
    help = "Gửi các sự kiện đến hạn / Attempt every due event delivery"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{deliveries_due_run()} deliveries attempted")

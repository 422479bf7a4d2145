"""``manage.py exchange_log_checkpoint``: sign the message log's head now (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.exchange.messagelog import log_checkpoint_now


class Command(BaseCommand):
    help = "Ký điểm kiểm tra cho nhật ký thông điệp / Sign a checkpoint of the message log now"

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = log_checkpoint_now()
        if checkpoint is None:
            self.stdout.write("Nhật ký trống / The log is empty")
            return
        self.stdout.write(f"#{checkpoint.seq} {checkpoint.hash} key={checkpoint.key_id}")

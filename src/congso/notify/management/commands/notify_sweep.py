from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congso.notify.services import notify_sweep, notify_sweep_schedule


class Command(BaseCommand):
    help = (
        "Re-enqueue notifications left queued or half-sent by a crash (run it from cron, or use --schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also make sure the periodic sweep task waits in the database task queue.",
        )

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        requeued = notify_sweep()
        self.stdout.write(f"{requeued} message(s) re-enqueued")
        if schedule:
            added = notify_sweep_schedule()
            self.stdout.write("periodic sweep scheduled" if added else "periodic sweep already scheduled")

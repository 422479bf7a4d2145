"""``manage.py exchange_log_export MESSAGE_ID [--out FILE]``: one call's signed evidence bundle."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.audit import audit_record
from congso.exchange.messagelog import log_bundle_export
from congso.exchange.models import MessageLogEntry


class Command(BaseCommand):
    help = (
        "Xuất gói bằng chứng có ký số của một thông điệp / Export one message's signed evidence bundle "
        "(verify it offline with exchange_bundle_verify or python -m congso.exchange.evidence)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("message_id", help="the X-Road-Id of the call")
        parser.add_argument("--out", help="write the bundle to this file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            bundle = log_bundle_export(message_id=options["message_id"])
        except MessageLogEntry.DoesNotExist:
            raise CommandError(
                f"Không có thông điệp {options['message_id']} / No message {options['message_id']}"
            ) from None
        audit_record(
            action="exchange.log.export",
            target_type="exchange.messagelogentry",
            target_id=str(bundle["entry"]["seq"]),
            details={"message_id": options["message_id"]},
        )
        text = json.dumps(bundle, ensure_ascii=False, indent=2)
        if options.get("out"):
            with open(options["out"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(
                f"{options['out']}: seq {bundle['entry']['seq']}, checkpoint {bundle['checkpoint']['seq']}"
            )
        else:
            self.stdout.write(text)

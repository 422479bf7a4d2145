"""``manage.py exchange_bundle_verify FILE``: verify an evidence bundle offline (no database).

The same check runs without Django: ``python -m congso.exchange.evidence FILE``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.exchange.evidence import bundle_verify


class Command(BaseCommand):
    help = "Kiểm tra gói bằng chứng ngoại tuyến / Verify an evidence bundle offline"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle")
        parser.add_argument("--public-key", action="append", default=[], help="trusted gateway key (base64)")
        parser.add_argument("--request-body", help="file with the request body, to check its hash")
        parser.add_argument("--response-body", help="file with the response body, to check its hash")

    def handle(self, *args: Any, **options: Any) -> None:
        bundle = json.loads(Path(options["bundle"]).read_text(encoding="utf-8"))
        result = bundle_verify(
            bundle,
            trusted_keys=options["public_key"],
            request_body=Path(options["request_body"]).read_bytes() if options.get("request_body") else None,
            response_body=Path(options["response_body"]).read_bytes()
            if options.get("response_body")
            else None,
        )
        if not result.ok:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)

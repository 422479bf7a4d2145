import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congso.catalog.selectors import procedure_export


class Command(BaseCommand):
    help = "Xuất thủ tục ra tệp JSON / Export procedures as JSON (to a file, or standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", type=Path, help="Tệp đích; bỏ trống để in ra (default: stdout)"
        )
        parser.add_argument("--code", action="append", dest="codes", help="Chỉ thủ tục này (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        data = procedure_export(codes=options["codes"])
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        path: Path | None = options["path"]
        if path is None:
            self.stdout.write(text, ending="")
            return
        path.write_text(text, encoding="utf-8")
        self.stderr.write(
            f"{len(data['procedures'])} thủ tục → {path} ({len(data['procedures'])} procedures)"
        )

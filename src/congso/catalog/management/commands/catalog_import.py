from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.services import ImportRejected, procedure_import_file


class Command(BaseCommand):
    help = (
        "Nhập thủ tục từ tệp JSON (tất cả hoặc không gì cả) / Import procedures from a JSON file "
        "(all or nothing; upsert by code)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="Tệp JSON định dạng congso.catalog/1 (a congso.catalog/1 file)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path} (cannot read the file): {error}") from error
        try:
            report = procedure_import_file(content=content, source=path.name)
        except ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(f"  - {problem.message}")
            raise CommandError(error.message) from None
        self.stdout.write(report.message)

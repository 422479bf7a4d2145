from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.registry.importing import DEFAULT_BATCH_SIZE, IMPORTERS
from congso.registry.services import registry_import


class Command(BaseCommand):
    help = (
        "Nhập một tệp CSV UTF-8 vào cơ sở dữ liệu nền và in báo cáo các dòng bị từ chối "
        "(Import a UTF-8 CSV file into a registry and print the report)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="Loại dữ liệu (what the file holds).")
        parser.add_argument("file", type=Path, help="Tệp CSV (the CSV file).")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Ghi mọi dòng bị từ chối vào tệp CSV này (write every rejected row here).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rejects_path: Path | None = options["rejects"]
        try:
            if rejects_path is not None:
                with rejects_path.open("w", encoding="utf-8", newline="") as rejects:
                    report = registry_import(
                        kind=options["kind"],
                        path=options["file"],
                        batch_size=options["batch_size"],
                        rejects=rejects,
                    )
            else:
                report = registry_import(
                    kind=options["kind"], path=options["file"], batch_size=options["batch_size"]
                )
        except DomainError as error:
            raise CommandError(error.message) from None
        for line in report.lines():
            self.stdout.write(line)

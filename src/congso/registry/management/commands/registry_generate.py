from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.registry.importing import DEFAULT_BATCH_SIZE
from congso.registry.services import registry_generate


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu dân cư, hộ gia đình, doanh nghiệp và giấy tờ giả lập, xác định theo seed "
        "(Make deterministic synthetic registry data). Without --out the data is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, required=True, help="Số công dân (number of people).")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--out", type=Path, help="Chỉ ghi các tệp CSV vào thư mục này (only write the CSVs here)."
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Ngày tham chiếu YYYY-MM-DD (reference date; default today).",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["citizens"] < 0:
            raise CommandError("--citizens phải >= 0 (must not be negative).")
        try:
            generated, imports = registry_generate(
                citizens=options["citizens"],
                seed=options["seed"],
                out_dir=options["out"],
                as_of=options["as_of"],
                batch_size=options["batch_size"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        counts = ", ".join(f"{kind}: {count}" for kind, count in generated.counts.items())
        self.stdout.write(f"Đã tạo (generated) seed={generated.seed} as_of={generated.as_of}: {counts}")
        self.stdout.write(f"  {generated.seconds:.1f} giây (s)")
        if options["out"] is not None:
            for path in generated.files.values():
                self.stdout.write(f"  {path}")
        for report in imports:
            for line in report.lines():
                self.stdout.write(line)

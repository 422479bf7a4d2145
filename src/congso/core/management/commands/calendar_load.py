"""``manage.py calendar_load FILE``: load calendar overrides from CSV or JSON.

CSV has a header row ``date,kind,name,note``; JSON is an array of objects with those keys.
``date`` is YYYY-MM-DD or DD/MM/YYYY; ``kind`` is holiday, working_day or not_holiday.
Rows are upserted by date, so loading a file again changes nothing. Rows in error are
listed with their line numbers; the good rows are loaded anyway, and the command then exits
non-zero so a script notices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.calendar import CalendarFileError, calendar_load_file


class Command(BaseCommand):
    help = "Nạp ngày nghỉ/ngày làm bù từ tệp CSV hoặc JSON / Load holiday and working-day overrides"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (date,kind,name,note) or JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            result = calendar_load_file(path=path)
        except CalendarFileError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            f"Đã nạp: {result.created} mới, {result.updated} cập nhật, {result.unchanged} không đổi"
            f"; {len(result.errors)} dòng lỗi / Loaded: {result.created} created, {result.updated} updated,"
            f" {result.unchanged} unchanged; {len(result.errors)} rows rejected"
        )
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} dòng bị từ chối, các dòng khác đã được nạp / "
                f"{len(result.errors)} rows rejected, the others were loaded"
            )

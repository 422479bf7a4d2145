from typing import Any

from django.core.management.base import BaseCommand

from congso.registry.services import administrative_units_load


class Command(BaseCommand):
    help = "Nạp/cập nhật 34 tỉnh và 3.321 xã, phường, đặc khu (Load or refresh the administrative units)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = administrative_units_load()
        self.stdout.write(
            f"Tỉnh (provinces): {report.provinces}; xã/phường (communes): {report.communes}; "
            f"tạo mới (created): {report.created}; cập nhật (updated): {report.updated}; "
            f"không đổi (unchanged): {report.unchanged}"
        )

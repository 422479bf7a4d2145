"""``manage.py exchange_demo_setup``: publish the base registries on the exchange (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.exchange.demo import exchange_demo_setup


class Command(BaseCommand):
    help = "Đăng ký thành viên, dịch vụ dữ liệu dựng sẵn và cổng / Register members, built-in services and the portal"

    def handle(self, *args: Any, **options: Any) -> None:
        report = exchange_demo_setup()
        self.stdout.write(f"{report.members} members; portal {report.portal}")
        for service in report.services:
            self.stdout.write(f"  {service}")
        if report.skipped_registries:
            self.stdout.write(f"No owner agency configured for: {', '.join(report.skipped_registries)}")

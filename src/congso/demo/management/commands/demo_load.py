from typing import Any

from django.core.management.base import BaseCommand

from congso.demo.services import demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn (một lần) và in các tài khoản demo / Load the demo data once and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load(progress=lambda message: self.stdout.write(f"  … {message}"))
        state = "đã nạp / loaded" if report.created else "đã có sẵn / already present"
        self.stdout.write(
            f"Dữ liệu demo {state}: {report.agencies} cơ quan, {report.citizens} công dân, "
            f"{report.organisations} doanh nghiệp."
        )
        self.stdout.write(
            "\nTài khoản demo / demo accounts (đăng nhập bằng số định danh / log in with the ID number):"
        )
        names = {citizen.personal_id: citizen.full_name for citizen in report.people.values()}
        for role, username, password in report.accounts:
            self.stdout.write(f"  {username}  {password}  {names.get(username, ''):<16} {role}")
        self.stdout.write(
            "Mã SMS được gửi tới hộp thư điện thoại thử nghiệm / SMS codes arrive in the development phone: /dev/phone"
        )

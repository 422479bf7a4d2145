"""Helpers of the identity browser journeys: demo-mode SMS, people in the registry, codes."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from playwright.sync_api import Page, expect

from congso.identity.models import AccountKind, User
from congso.registry import validators
from congso.registry.choices import DivisionType, Sex, UnitLevel
from congso.registry.models import AdministrativeUnit, Citizen

PASSWORD = "Mat-Khau-9x!"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_serials = itertools.count(200_001)


def demo_sms(settings: Any) -> None:
    """SMS land on the development phone at once, and /dev/phone.json is open (demo mode)."""
    settings.DEMO_MODE = True
    settings.CONGSO_SMS_BACKEND = "congso.notify.backends.sms.DevPhoneBackend"
    settings.TASKS = IMMEDIATE_TASKS


def citizen(*, full_name: str, phone: str) -> Citizen:
    province, _ = AdministrativeUnit.objects.get_or_create(
        code="01",
        defaults={
            "name": "Thành phố Hà Nội",
            "division_type": DivisionType.CENTRAL_CITY,
            "level": UnitLevel.PROVINCE,
        },
    )
    commune, _ = AdministrativeUnit.objects.get_or_create(
        code="00004",
        defaults={
            "name": "Phường Ba Đình",
            "division_type": DivisionType.WARD,
            "level": UnitLevel.COMMUNE,
            "parent": province,
        },
    )
    born = date(1988, 9, 2)
    return Citizen.objects.create(
        personal_id=validators.personal_id_build(
            province_code="001", date_of_birth=born, sex=Sex.MALE, serial=next(_serials)
        ),
        full_name=full_name,
        date_of_birth=born,
        sex=Sex.MALE,
        permanent_address="Số 8 phố Hoàng Diệu",
        permanent_commune=commune,
        phone=phone,
    )


def account(person: Citizen) -> User:
    user = User(
        username=person.personal_id, full_name=person.full_name, kind=AccountKind.PERSON, citizen=person
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def sms_code(page: Page, base_url: str, phone: str, *, count: int = 1) -> str:
    """The code in the newest SMS to ``phone``, read from the development phone (/dev/phone.json)."""
    messages = page.request.get(f"{base_url}/dev/phone.json?phone={phone}").json()["messages"]
    assert len(messages) == count, messages
    match = re.search(r"\b(\d{6})\b", messages[0]["text"])
    assert match is not None, messages[0]["text"]
    return match.group(1)


def log_in_with_sms(page: Page, base_url: str, user: User, *, sms_count: int = 1) -> None:
    page.goto(f"{base_url}/dang-nhap/")
    page.get_by_label("Số định danh cá nhân").fill(user.username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận đúng là bạn")
    page.get_by_label("Mã xác thực").fill(sms_code(page, base_url, user.phone, count=sms_count))
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")

"""Lockout in Chromium: after the configured number of wrong passwords, "try again at"."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from congso.identity.models import Throttle

from .identity_support import PASSWORD, account, citizen

pytestmark = pytest.mark.e2e


def _submit(page: Page, base: str, personal_id: str, password: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số định danh cá nhân").fill(personal_id)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Tiếp tục").click()


def test_the_account_locks_after_the_configured_failures(page: Page, live_server: Any, settings: Any) -> None:
    settings.CONGSO_LOGIN_MAX_FAILURES = 3
    user = account(citizen(full_name="Quách Văn Khoá", phone="0912345613"))
    base = live_server.url

    for attempt in range(2):
        _submit(page, base, user.username, f"Sai-mat-khau-{attempt}")
        expect(page.get_by_role("alert")).to_contain_text("Số định danh cá nhân hoặc mật khẩu không đúng.")
    _submit(page, base, user.username, "Sai-mat-khau-3")

    until = timezone.localtime(Throttle.objects.get(key=f"login:id:{user.username}").locked_until)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"Vui lòng thử lại lúc {until:%H:%M %d/%m/%Y}")
    expect(alert).to_contain_text("Please try again at")

    _submit(page, base, user.username, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng thử lại lúc")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")


def test_an_unknown_id_reads_exactly_like_a_wrong_password(page: Page, live_server: Any) -> None:
    user = account(citizen(full_name="Trịnh Văn Thật", phone="0912345614"))
    base = live_server.url

    _submit(page, base, user.username, "Sai-mat-khau-1")
    known = page.get_by_role("alert").inner_text()
    _submit(page, base, "001188999999", "Sai-mat-khau-1")
    unknown = page.get_by_role("alert").inner_text()

    assert known == unknown
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in known

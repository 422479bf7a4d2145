"""An authenticator app set up by QR code in Chromium, then asked for at the next login."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from congso.identity.models import TotpDevice

from .identity_support import PASSWORD, account, citizen, demo_sms, log_in_with_sms

pytestmark = pytest.mark.e2e


def test_set_up_an_authenticator_app_then_log_in_with_it(page: Page, live_server: Any, settings: Any) -> None:
    demo_sms(settings)
    base = live_server.url
    user = account(citizen(full_name="Hà Văn Ứng", phone="0912345621"))
    log_in_with_sms(page, base, user)

    page.get_by_role("link", name="Bảo mật", exact=True).click()
    page.get_by_role("link", name="Thiết lập ứng dụng xác thực").click()

    qr = page.get_by_role("img", name="Mã QR để quét bằng ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the QR code really drew
    secret = page.locator(".secret-key").inner_text().replace(" ", "")
    page.get_by_label("Mã từ ứng dụng xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_label("Tên ứng dụng (không bắt buộc)").fill("Điện thoại Android")
    page.get_by_role("button", name="Xác nhận và bật").click()

    expect(page.get_by_text("Đã thiết lập ứng dụng xác thực")).to_be_visible()
    assert TotpDevice.objects.get(user=user).name == "Điện thoại Android"

    page.get_by_role("link", name="Thông tin cá nhân").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số định danh cá nhân").fill(user.username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Mở ứng dụng xác thực và nhập mã 6 chữ số")).to_be_visible()
    # A code of the next time step: the one used to confirm the app cannot be replayed.
    page.get_by_label("Mã từ ứng dụng xác thực").fill(pyotp.TOTP(secret).at(int(time.time()) + 30))
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")

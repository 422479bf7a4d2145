"""A passkey registered and then used to log in, through Chromium's virtual authenticator.

WebAuthn needs a secure context: http://localhost is one, and the relying party id is then
"localhost" (pytest-django's live server listens on localhost).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from congso.core.models import AuditEntry
from congso.identity.models import LoginEvent, Passkey
from tests.e2e.conftest import csp_violations

from .identity_support import account, citizen, demo_sms, log_in_with_sms

pytestmark = pytest.mark.e2e


def _virtual_authenticator(page: Page) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_register_a_passkey_then_log_in_with_it_alone(
    new_page: Callable[..., Page], live_server: Any, settings: Any
) -> None:
    demo_sms(settings)
    base = live_server.url
    assert base.startswith("http://localhost:")
    user = account(citizen(full_name="Đặng Văn Khoá", phone="0912345611"))
    page = new_page()  # the site's real CSP: the passkey script must work under it
    violations = csp_violations(page)
    _virtual_authenticator(page)

    log_in_with_sms(page, base, user)
    page.goto(f"{base}/tai-khoan/bao-mat/khoa-truy-cap/them/")
    page.get_by_label("Tên khoá truy cập").fill("Máy tính ở nhà")
    page.get_by_role("button", name="Tạo khoá truy cập").click()

    expect(page.get_by_text("Đã thêm khoá truy cập")).to_be_visible()
    expect(page.get_by_role("button", name="Gỡ bỏ Máy tính ở nhà")).to_be_visible()
    assert Passkey.objects.get(user=user).name == "Máy tính ở nhà"

    page.goto(f"{base}/tai-khoan/")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()

    page.goto(f"{base}/dang-nhap/")
    page.get_by_role("button", name="Đăng nhập bằng khoá truy cập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
    expect(page.get_by_text("Đặng Văn Khoá").first).to_be_visible()
    assert LoginEvent.objects.filter(user=user, method="passkey", outcome="success").count() == 1
    login = AuditEntry.objects.filter(action="identity.login.succeeded", target_id=str(user.pk)).last()
    assert login is not None
    assert login.details["amr"] == ["hwk", "user"]
    assert Passkey.objects.get(user=user).last_used_at is not None
    assert violations == []


def test_a_passkey_of_an_unknown_site_user_is_refused(
    new_page: Callable[..., Page], live_server: Any, settings: Any
) -> None:
    """A passkey this site never registered (made elsewhere on the authenticator) gets no login."""
    demo_sms(settings)
    base = live_server.url
    user = account(citizen(full_name="Tô Văn Lạ", phone="0912345612"))
    page = new_page()
    _virtual_authenticator(page)
    log_in_with_sms(page, base, user)
    page.goto(f"{base}/tai-khoan/bao-mat/khoa-truy-cap/them/")
    page.get_by_role("button", name="Tạo khoá truy cập").click()
    expect(page.get_by_text("Đã thêm khoá truy cập")).to_be_visible()
    Passkey.objects.filter(user=user).delete()  # the site forgets it; the authenticator still has it

    page.goto(f"{base}/tai-khoan/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_role("button", name="Đăng nhập bằng khoá truy cập").click()

    expect(page.get_by_text("Khoá truy cập không được chấp nhận")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")

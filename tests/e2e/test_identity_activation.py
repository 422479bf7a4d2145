"""Activation and login in Chromium, reading the SMS codes from the development phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from congso.identity.models import LoginEvent, User
from tests.e2e.conftest import axe_scan, csp_violations, describe_violations

from .identity_support import PASSWORD, citizen, demo_sms, log_in_with_sms, sms_code

pytestmark = pytest.mark.e2e


def test_activate_then_log_in_with_the_sms_code(page: Page, live_server: Any, settings: Any) -> None:
    demo_sms(settings)
    person = citizen(full_name="Nguyễn Văn An", phone="0912345678")
    base = live_server.url

    page.goto(f"{base}/kich-hoat/")
    page.get_by_label("Số định danh cá nhân").fill(person.personal_id)
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("button", name="Gửi mã cho tôi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã xác thực")
    expect(page.get_by_text("Nếu thông tin bạn cung cấp khớp với dữ liệu của chúng tôi")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(sms_code(page, base, "0912345678"))
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu")
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    page.get_by_role("button", name="Kích hoạt tài khoản").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_text("Tài khoản của bạn đã được kích hoạt")).to_be_visible()
    user = User.objects.get(username=person.personal_id)
    assert user.assurance_level == 1

    log_in_with_sms(page, base, user, sms_count=2)

    expect(page.get_by_text("Nguyễn Văn An").first).to_be_visible()
    expect(page.get_by_text("Mức 1", exact=True)).to_be_visible()
    assert LoginEvent.objects.filter(user=user, method="sms", outcome="success").count() == 1


def test_a_wrong_code_is_explained_next_to_the_field(page: Page, live_server: Any, settings: Any) -> None:
    demo_sms(settings)
    person = citizen(full_name="Lý Văn Bảo", phone="0912345679")
    page.goto(f"{live_server.url}/kich-hoat/")
    page.get_by_label("Số định danh cá nhân").fill(person.personal_id)
    page.get_by_label("Số điện thoại di động").fill("0912345679")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    right = sms_code(page, live_server.url, "0912345679")

    page.get_by_label("Mã xác thực").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Tiếp tục").click()

    code_field = page.get_by_label("Mã xác thực")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_code-error")).to_contain_text("Mã xác thực không đúng. Bạn còn 4 lần thử.")
    expect(page.get_by_role("alert")).to_contain_text("Có lỗi cần sửa")


@pytest.mark.parametrize(
    ("path", "heading"), [("/dang-nhap/", "Đăng nhập"), ("/kich-hoat/", "Kích hoạt tài khoản")]
)
def test_login_and_activation_pages_are_accessible_and_styled(
    new_page: Callable[..., Page], page: Page, live_server: Any, path: str, heading: str
) -> None:
    styled = new_page()
    violations = csp_violations(styled)
    styled.goto(f"{live_server.url}{path}")
    expect(styled.get_by_role("heading", level=1)).to_have_text(heading)
    styled.screenshot(path=f"/tmp/identity{path.replace('/', '-').rstrip('-')}.png", full_page=True)
    assert violations == []

    page.goto(f"{live_server.url}{path}")
    found = axe_scan(page)
    assert found == [], describe_violations(found)


def test_login_works_without_javascript(
    new_page: Callable[..., Page], live_server: Any, settings: Any
) -> None:
    from .identity_support import account

    demo_sms(settings)
    user = account(citizen(full_name="Mai Văn Chín", phone="0912345670"))
    page = new_page(java_script_enabled=False)

    page.goto(f"{live_server.url}/dang-nhap/")
    expect(page.get_by_role("button", name="Đăng nhập bằng khoá truy cập")).to_be_hidden()
    log_in_with_sms(page, live_server.url, user)

"""Applying online in Chromium: consent, the prefilled form, an upload, the receipt; and the
wizard asking again once the consent has been withdrawn. Checked with axe-core and the CSP."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from congso.dossiers.models import Dossier
from congso.identity.assurance import ACR_BY_LEVEL, SESSION_AUTH_KEY
from tests.dossiers import factories
from tests.e2e.conftest import axe_scan, csp_violations, describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATABASE = "Cơ sở dữ liệu quốc gia về dân cư"
CODE = re.compile(r"H15\.50-\d{6}-\d{4}")


def log_in(page: Page, live_server: Any, user: Any) -> None:
    """Give the browser the session of a person who has just logged in (password + SMS code)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_KEY] = {
        "acr": ACR_BY_LEVEL[user.assurance_level],
        "amr": ["pwd", "otp", "sms"],
        "auth_time": int(time.time()),
    }
    session.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key or "", "url": live_server.url}]
    )


def test_a_citizen_applies_and_gets_a_receipt(
    page: Page, live_server: Any, world: factories.World, tmp_path: Path
) -> None:
    log_in(page, live_server, world.applicant)
    page.goto(f"{live_server.url}/thu-tuc/{world.procedure.code}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()

    steps = page.get_by_role("navigation", name="Các bước nộp hồ sơ")
    expect(steps.locator('[aria-current="step"]')).to_have_text("1. Hướng dẫn")
    page.get_by_role("button", name="Bắt đầu").click()

    # What will be fetched, and from where, before anything is.
    expect(page.get_by_role("heading", name=f"Cho phép lấy dữ liệu từ {DATABASE}")).to_be_visible()
    expect(page.get_by_text(world.person.full_name)).to_have_count(0)
    page.get_by_role("button", name="Đồng ý: lấy dữ liệu của tôi").click()

    expect(steps.locator('[aria-current="step"]')).to_have_text("2. Tờ khai")
    confirmed = page.locator(".summary-list")
    expect(confirmed).to_contain_text(world.person.full_name)
    expect(confirmed).to_contain_text(f"Lấy từ {DATABASE}")
    expect(page.get_by_label("Số định danh cá nhân")).to_have_value(world.person.personal_id)
    violations = axe_scan(page)
    assert not violations, describe_violations(violations)

    page.get_by_label("Ngày sinh").fill("2026-11-02")
    page.get_by_role("group", name="Giới tính").get_by_label("Nữ").check()
    page.get_by_label("Tôi cam đoan khai đúng sự thật").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(steps.locator('[aria-current="step"]')).to_have_text("3. Thành phần hồ sơ")
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(factories.PDF)
    page.get_by_label("Tải tệp lên – Giấy chứng sinh").set_input_files(str(certificate))
    page.get_by_role("button", name="Tải lên – Giấy chứng sinh").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đính kèm “giay-chung-sinh.pdf”.")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(steps.locator('[aria-current="step"]')).to_have_text("4. Kiểm tra và nộp")
    expect(page.get_by_text("giay-chung-sinh.pdf")).to_be_visible()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    dossier = Dossier.objects.get()
    assert CODE.fullmatch(dossier.code)
    expect(page.locator("#dossier-code")).to_have_text(dossier.code)
    expect(page.get_by_role("img", name=f"Mã QR của mã hồ sơ {dossier.code}")).to_be_visible()
    expect(page.get_by_text(dossier.due_on.strftime("%d/%m/%Y"))).to_be_visible()
    violations = axe_scan(page)
    assert not violations, describe_violations(violations)


def test_after_withdrawing_the_consent_the_wizard_asks_again(
    new_page: Callable[..., Page], live_server: Any, world: factories.World
) -> None:
    # The site's own Content-Security-Policy applies, and the pages work without JavaScript.
    page = new_page(java_script_enabled=False)
    violations = csp_violations(page)
    draft = factories.ready_draft(world)
    log_in(page, live_server, world.applicant)
    form_url = f"{live_server.url}/ho-so/nhap/{draft.public_id}/bieu-mau/"

    page.goto(form_url)
    expect(page.locator(".summary-list")).to_contain_text(world.person.full_name)

    page.goto(f"{live_server.url}/tai-khoan/dong-y/")
    page.get_by_role("button", name="Rút lại sự đồng ý").click()
    expect(page.get_by_role("button", name="Rút lại sự đồng ý")).to_have_count(0)

    page.goto(form_url)
    expect(page.get_by_text("Sự đồng ý cho lấy dữ liệu này không còn hiệu lực")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Cho phép lấy dữ liệu từ {DATABASE}")).to_be_visible()
    page.get_by_role("button", name="Đồng ý: lấy dữ liệu của tôi").click()
    expect(page.locator(".summary-list")).to_contain_text(world.person.full_name)
    assert violations == []

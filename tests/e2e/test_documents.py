"""My documents in Chromium: upload a PDF through the page, see it listed, download it; a
disguised file is refused on the field; axe-core finds nothing serious on either page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from congso.identity.models import User
from congso.identity.testing import force_login_mfa
from tests.documents.factories import pdf_bytes, png_bytes
from tests.e2e.conftest import axe_scan, describe_violations
from tests.identity.factories import make_account, make_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _site(settings: Any, tmp_path: Path) -> None:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def person(db: None) -> User:
    return make_account(make_citizen(full_name="Nguyễn Thị Lan"), level=2)


def log_in(page: Page, live_server: Any, user: User) -> None:
    """The session of someone who has just logged in with a second factor, in the browser."""
    client = Client()
    force_login_mfa(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key or "",
                "url": live_server.url,
            }
        ]
    )


def test_upload_a_pdf_see_it_listed_and_download_it(page: Page, live_server: Any, person: User) -> None:
    content = pdf_bytes("Giấy khai sinh của Nguyễn Thị Lan")
    log_in(page, live_server, person)

    page.goto(f"{live_server.url}/tai-khoan/giay-to/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ của tôi")
    expect(
        page.get_by_role("navigation", name="Tài khoản của tôi").get_by_role("link", name="Giấy tờ của tôi")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Kho của bạn chưa có giấy tờ nào.")).to_be_visible()
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

    page.get_by_label("Tên giấy tờ").fill("Giấy khai sinh")
    page.get_by_label("Tệp", exact=True).set_input_files(
        files=[{"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_role("button", name="Tải lên", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Đã lưu “Giấy khai sinh” vào kho giấy tờ của bạn.")
    row = page.get_by_role("row").filter(has_text="giay-khai-sinh.pdf")
    expect(row).to_contain_text("Giấy khai sinh")
    expect(row).to_contain_text("Tệp tải lên")
    expect(row).to_contain_text("0 lần")
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

    with page.expect_download() as downloading:
        row.get_by_role("link", name="Tải về Giấy khai sinh").click()
    download = downloading.value

    assert download.suggested_filename == "giay-khai-sinh.pdf"
    assert Path(download.path()).read_bytes() == content


def test_a_disguised_file_is_refused_on_the_field(page: Page, live_server: Any, person: User) -> None:
    log_in(page, live_server, person)
    page.goto(f"{live_server.url}/tai-khoan/giay-to/")

    page.get_by_label("Tệp", exact=True).set_input_files(
        files=[{"name": "ho-chieu.pdf", "mimeType": "application/pdf", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Tải lên", exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Tệp 'ho-chieu.pdf' không phải PDF: nội dung là ảnh PNG")
    expect(summary).to_contain_text("File 'ho-chieu.pdf' is not a PDF: its content is a PNG image")
    expect(page.get_by_label("Tệp", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Kho của bạn chưa có giấy tờ nào.")).to_be_visible()
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

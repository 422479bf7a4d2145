"""The consent screen of the OpenID Connect provider in Chromium: what it lists, in both
languages, with the keyboard and axe-core; and the page that refuses a too-low level."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from congso.identity.assurance import ACR_BY_LEVEL, SESSION_AUTH_KEY
from congso.identity.models import User
from congso.identity.oidc.models import Application
from tests.e2e.conftest import axe_scan, csp_violations, describe_violations
from tests.identity.factories import make_account, make_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SERVICE = "Cổng dịch vụ công tỉnh Ninh Bình"


@pytest.fixture
def person(db: None) -> User:
    return make_account(make_citizen(full_name="Nguyễn Thị Lan", phone="0912345678"), level=1)


def relying_party(live_server: Any, *, min_level: int = 1) -> Application:
    application = Application(
        name=SERVICE,
        organisation="Sở Tư pháp tỉnh Ninh Bình",
        description="Đăng ký khai sinh trực tuyến cho con của bạn.",
        client_type=Application.CLIENT_CONFIDENTIAL,
        client_secret="s3cr3t-" + "x" * 60,
        redirect_uris=f"{live_server.url}/",  # the home page plays the service's callback
        min_assurance_level=min_level,
    )
    application.full_clean()
    application.save()
    return application


def log_in(page: Page, live_server: Any, user: User) -> None:
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


def authorize_url(live_server: Any, application: Application, scope: str, state: str) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": f"{live_server.url}/",
        "scope": scope,
        "state": state,
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{live_server.url}/oidc/authorize/?{urlencode(query)}"


def returned(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.fixture(autouse=True)
def plain_http_cookies(settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def test_consent_lists_exactly_the_requested_data_and_agreeing_returns_a_code(
    page: Page, live_server: Any, person: User
) -> None:
    application = relying_party(live_server)
    log_in(page, live_server, person)

    page.goto(authorize_url(live_server, application, "openid profile phone personal_id", "trang-thai-1"))

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{SERVICE} đề nghị sử dụng tài khoản định danh điện tử của bạn"
    )
    expect(page.get_by_text("Dịch vụ do Sở Tư pháp tỉnh Ninh Bình cung cấp.")).to_be_visible()
    shared = page.get_by_role("list", name="Nếu bạn đồng ý, dịch vụ sẽ nhận được:").get_by_role("listitem")
    expect(shared).to_have_text(
        [
            "Mã nhận diện tài khoản của bạn, chỉ dùng riêng cho dịch vụ này (không phải số định danh cá nhân)",
            "Họ và tên, ngày sinh, giới tính",
            "Số điện thoại",
            "Số định danh cá nhân",
        ]
    )
    expect(page.get_by_text("Địa chỉ", exact=True)).to_have_count(0)  # not asked for, not listed
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role("button", name="Đồng ý và tiếp tục").click()

    page.wait_for_url(f"{live_server.url}/?*")
    assert returned(page)["state"] == ["trang-thai-1"]
    assert returned(page)["code"][0]


def test_consent_in_english_and_refusing_sends_nothing(page: Page, live_server: Any, person: User) -> None:
    application = relying_party(live_server)
    log_in(page, live_server, person)
    page.goto(authorize_url(live_server, application, "openid address", "trang-thai-2"))

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{SERVICE} is asking to use your electronic identity"
    )
    expect(
        page.get_by_role("list", name="If you agree, the service will receive:").get_by_role("listitem")
    ).to_have_text(
        ["An identifier for your account, used only by this service (not your ID number)", "Address"]
    )
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role("button", name="Do not agree").click()

    page.wait_for_url(f"{live_server.url}/?*")
    assert returned(page)["error"] == ["access_denied"]
    assert "code" not in returned(page)


def test_the_consent_form_works_from_the_keyboard_under_the_real_csp(
    new_page: Any, live_server: Any, person: User
) -> None:
    page = new_page()  # the site's own Content-Security-Policy applies
    violations = csp_violations(page)
    application = relying_party(live_server)
    log_in(page, live_server, person)
    page.goto(authorize_url(live_server, application, "openid profile", "trang-thai-3"))

    page.get_by_role("button", name="Đồng ý và tiếp tục").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/?*")
    assert returned(page)["code"][0]
    assert violations == []


def test_a_level1_account_at_a_level2_service_gets_an_accessible_explanation(
    page: Page, live_server: Any, person: User
) -> None:
    application = relying_party(live_server, min_level=2)
    log_in(page, live_server, person)

    page.goto(authorize_url(live_server, application, "openid profile", "trang-thai-4"))

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{SERVICE} yêu cầu tài khoản định danh điện tử mức độ 2"
    )
    expect(page.get_by_text("công an xã, phường")).to_be_visible()
    violations = axe_scan(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role("link", name=f"Quay lại {SERVICE}").click()

    page.wait_for_url(f"{live_server.url}/?*")
    assert returned(page)["error"] == ["unmet_authentication_requirements"]
    assert returned(page)["state"] == ["trang-thai-4"]

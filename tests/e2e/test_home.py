"""The home page in a real browser: language, keyboard, accessibility, no JavaScript, CSP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_scan, csp_violations, describe_violations

pytestmark = pytest.mark.e2e

HOME_VI = "Dịch vụ công trực tuyến cho người dân và doanh nghiệp"
HOME_EN = "Public services online, for citizens and businesses"


def test_home_in_vietnamese_then_english_after_the_switch(page: Page, live_server: object) -> None:
    # Chromium asks for en-US; the portal still answers in Vietnamese until the visitor switches.
    page.goto(f"{live_server}/")

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_VI)
    menu = page.get_by_role("navigation", name="Menu chính")
    expect(menu.get_by_role("link", name="Trang chủ")).to_be_visible()
    expect(menu.get_by_role("link", name="Thủ tục hành chính")).to_have_attribute("href", "/thu-tuc/")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_EN)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    expect(menu.get_by_role("link", name="Administrative procedures")).to_have_attribute("href", "/thu-tuc/")
    expect(page.get_by_role("link", name="Online public services")).to_have_attribute("href", "/thu-tuc/")
    assert page.url == f"{live_server}/"

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_VI)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page, live_server: object) -> None:
    page.goto(f"{live_server}/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Chuyển đến nội dung chính")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # hidden until focused, then shown

    page.keyboard.press("Enter")

    expect(page.get_by_role("main")).to_be_focused()
    assert page.url.endswith("/#main")


def test_language_switch_works_from_the_keyboard(page: Page, live_server: object) -> None:
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="English").focus()

    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_EN)


@pytest.mark.parametrize("language_button", [None, "English"])
def test_no_serious_accessibility_violation(
    page: Page, live_server: object, language_button: str | None
) -> None:
    page.goto(f"{live_server}/")
    if language_button:
        page.get_by_role("button", name=language_button).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    violations = axe_scan(page)

    assert violations == [], describe_violations(violations)


def test_error_page_has_no_serious_accessibility_violation(page: Page, live_server: object) -> None:
    response = page.goto(f"{live_server}/khong-co-trang-nay/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")

    violations = axe_scan(page)

    assert violations == [], describe_violations(violations)


def test_home_works_without_javascript(new_page: Callable[..., Page], live_server: object) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_VI)

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_EN)


def test_home_is_styled_under_the_real_content_security_policy(
    new_page: Callable[..., Page], live_server: object
) -> None:
    page = new_page()
    violations = csp_violations(page)

    page.goto(f"{live_server}/")

    # The stylesheet loaded: the header wears the portal's red and the skip link is off-screen.
    header_colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(179, 0, 27)"
    expect(page.get_by_role("link", name="Chuyển đến nội dung chính")).not_to_be_in_viewport()
    assert violations == []


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_home_fits_the_screen_without_sideways_scrolling(
    new_page: Callable[..., Page], live_server: object, width: int
) -> None:
    page = new_page(viewport={"width": width, "height": 800})

    page.goto(f"{live_server}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.get_by_role("button", name="English")).to_be_in_viewport()

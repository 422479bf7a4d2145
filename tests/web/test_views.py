"""The site shell as a visitor meets it: home, language switch, error pages, health, headers."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator

import pytest
import structlog
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve

from congso.web import views

HOME_VI = "Dịch vụ công trực tuyến cho người dân và doanh nghiệp"
HOME_EN = "Public services online, for citizens and businesses"
SERVER_ERROR_VI = "Xin lỗi, hệ thống đang gặp sự cố"
SERVER_ERROR_EN = "Sorry, there is a problem with the service"


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _switch_language(client: Client, language: str, next_url: str = "/") -> None:
    """Press the language button of the page, as a browser without JavaScript would."""
    page = _html(client.get(next_url))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the language switch form has no CSRF token"
    assert f'name="language" value="{language}"' in page, f"no button for {language!r}"
    response = client.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": token[1], "language": language, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.fixture
def browser_client() -> Client:
    """A client that, like a browser, must send the CSRF token with forms."""
    return Client(enforce_csrf_checks=True)


# --- Home and language ----------------------------------------------------------------------


@pytest.mark.django_db
def test_home_is_vietnamese_by_default_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    page = _html(response)
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert f'<h1 class="hero__title">{HOME_VI}</h1>' in page
    assert "Chuyển đến nội dung chính" in page  # the skip link
    assert (
        '<button class="language-switch__button" type="submit" name="language" value="en" lang="en">English</button>'
        in page
    )
    assert HOME_EN not in page


@pytest.mark.django_db
def test_language_switch_shows_english_then_vietnamese_again(browser_client: Client) -> None:
    _switch_language(browser_client, "en")
    english = _html(browser_client.get("/"))

    assert '<html lang="en">' in english
    assert HOME_EN in english
    assert "Coming soon" in english
    assert "Skip to main content" in english
    assert HOME_VI not in english

    _switch_language(browser_client, "vi")
    assert HOME_VI in _html(browser_client.get("/"))


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client: Client) -> None:
    client.cookies["django_language"] = "fr"

    assert HOME_VI in _html(client.get("/"))


def _cards(page: str) -> dict[str, str]:
    """The home page's service cards, by their title as shown."""
    cards = re.findall(r'<li class="card[^"]*">.*?</li>', page, re.S)
    return {re.sub(r"<[^>]+>", "", re.search(r"<h3[^>]*>(.*?)</h3>", card, re.S)[1]): card for card in cards}


# Each working service's card and the pages it links to, in the full site.
AVAILABLE_CARDS = {
    "Dịch vụ công trực tuyến": ['<a href="/thu-tuc/">Dịch vụ công trực tuyến</a>'],
    "Định danh điện tử": [
        '<a href="/kich-hoat/">Kích hoạt tài khoản</a>',
        '<a href="/dang-nhap/">Đăng nhập</a>',
    ],
    "Tra cứu doanh nghiệp": ['<a href="/tra-cuu/doanh-nghiep/">Tra cứu doanh nghiệp</a>'],
    "Chia sẻ dữ liệu": [
        '<a href="/tai-khoan/du-lieu-cua-toi/">Ai đã truy cập dữ liệu của tôi</a>',
        '<a href="/tai-khoan/dong-y/">Sự đồng ý chia sẻ dữ liệu của tôi</a>',
    ],
}


@pytest.mark.django_db
def test_home_links_working_services_and_marks_the_others_coming_soon(client: Client) -> None:
    page = _html(client.get("/"))

    cards = _cards(page)
    assert list(cards) == [
        "Dịch vụ công trực tuyến",
        "Định danh điện tử",
        "Thanh toán trực tuyến",
        "Kho giấy tờ điện tử",
        "Phản ánh, kiến nghị",
        "Tra cứu doanh nghiệp",
        "Chia sẻ dữ liệu",
        "Chỉ số chất lượng phục vụ",
    ]
    for title, card in cards.items():
        if title in AVAILABLE_CARDS:
            assert card.startswith('<li class="card card--available">'), card
            assert "Đang hoạt động" in card, card
            assert "Sắp ra mắt" not in card, card
            for link in AVAILABLE_CARDS[title]:
                assert link in card, link
        else:
            assert "Sắp ra mắt" in card, card
            assert "<a " not in card, card
    # The catalog is searchable, but nobody can apply online yet: the card says so.
    assert "Tìm thủ tục và xem những gì cần chuẩn bị; nộp hồ sơ trực tuyến sắp có." in page
    # Some services are still to come, and the inset text says so.
    assert "các dịch vụ có nhãn “Sắp ra mắt” hiện chưa sử dụng được" in page


@pytest.mark.django_db
def test_main_menu_lists_procedures_between_home_and_enterprise_lookup(client: Client) -> None:
    page = _html(client.get("/"))

    menu = re.findall(r'<a class="site-nav__link" href="([^"]+)"', page)
    assert menu[:3] == ["/", "/thu-tuc/", "/tra-cuu/doanh-nghiep/"]
    assert '<a class="site-nav__link" href="/thu-tuc/">Thủ tục hành chính</a>' in page
    procedures = _html(client.get("/thu-tuc/"))
    assert (
        '<a class="site-nav__link" href="/thu-tuc/" aria-current="page">Thủ tục hành chính</a>' in procedures
    )


@pytest.mark.django_db
def test_home_in_english_links_the_same_services(browser_client: Client) -> None:
    _switch_language(browser_client, "en")
    page = _html(browser_client.get("/"))

    assert '<a class="site-nav__link" href="/thu-tuc/">Administrative procedures</a>' in page
    assert '<a href="/thu-tuc/">Online public services</a>' in page
    assert "Search procedures and read what you need to prepare; applying online is coming soon." in page
    assert '<a href="/kich-hoat/">Activate your account</a>' in page
    assert '<a href="/dang-nhap/">Log in</a>' in page
    assert '<a href="/tai-khoan/du-lieu-cua-toi/">Who accessed my data</a>' in page
    assert '<a href="/tai-khoan/dong-y/">My consents to share data</a>' in page
    assert "Coming soon" in page


@pytest.mark.django_db
def test_home_never_links_to_a_path_no_view_answers(client: Client) -> None:
    page = _html(client.get("/"))

    hrefs = set(re.findall(r'<a [^>]*href="(/[^"#]*)"', page))
    assert {
        "/thu-tuc/",
        "/kich-hoat/",
        "/dang-nhap/",
        "/tai-khoan/du-lieu-cua-toi/",
        "/tai-khoan/dong-y/",
    } <= hrefs
    for href in hrefs:
        assert resolve(href), href
        # Pages for signed-in citizens send a visitor to log in first; none may end in an error.
        response = client.get(href, follow=True)
        assert response.status_code == 200, f"dead link {href}"


@pytest.mark.django_db
@pytest.mark.urls("tests.web.urls")
def test_services_are_not_linked_before_their_pages_exist(client: Client) -> None:
    """The shell alone: no other domain is routed, so every card is "coming soon" and unlinked."""
    page = _html(client.get("/"))

    for path in ("/thu-tuc/", "/kich-hoat/", "/dang-nhap/", "/tai-khoan/", "/tra-cuu/doanh-nghiep/"):
        assert f'href="{path}' not in page, path
    for title, card in _cards(page).items():
        assert "Sắp ra mắt" in card, title
        assert "<a " not in card, title
        assert "card--available" not in card, title
    assert "nộp hồ sơ trực tuyến sắp có" not in page


@pytest.mark.django_db
@pytest.mark.urls("tests.web.urls_with_lookup")
def test_enterprise_lookup_is_linked_from_menu_and_home_once_it_exists(client: Client) -> None:
    page = _html(client.get("/"))

    assert '<a class="site-nav__link" href="/tra-cuu/doanh-nghiep/">Tra cứu doanh nghiệp</a>' in page
    card = re.search(r'<li class="card card--available">.*?</li>', page, re.S)
    assert card
    assert '<a href="/tra-cuu/doanh-nghiep/">Tra cứu doanh nghiệp</a>' in card[0]
    assert "Đang hoạt động" in card[0]
    # The menu tells where the visitor is.
    assert '<a class="site-nav__link" href="/" aria-current="page">Trang chủ</a>' in page
    lookup_page = _html(client.get("/tra-cuu/doanh-nghiep/?q=abc"))
    assert (
        '<a class="site-nav__link" href="/tra-cuu/doanh-nghiep/" aria-current="page">Tra cứu doanh nghiệp</a>'
        in lookup_page
    )
    assert '<a class="site-nav__link" href="/">Trang chủ</a>' in lookup_page


# --- Error pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_page_is_friendly_404_in_the_visitors_language(browser_client: Client) -> None:
    response = browser_client.get("/khong-co-trang-nay/")

    page = _html(response)
    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert '<a class="button" href="/">Về trang chủ</a>' in page
    assert response["X-Request-ID"] in page  # a reference to quote to the help desk
    assert 'class="site-header"' in page  # the full layout, menu and language switch included

    _switch_language(browser_client, "en")
    english = _html(browser_client.get("/khong-co-trang-nay/"))
    assert "<h1>Page not found</h1>" in english
    assert "Go to the home page" in english


@pytest.mark.django_db
@pytest.mark.urls("tests.web.urls")
def test_crash_shows_bilingual_500_page_with_reference() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/test/boom/")

    page = _html(response)
    assert response.status_code == 500
    assert SERVER_ERROR_VI in page
    assert SERVER_ERROR_EN in page
    assert '<a class="button" href="/">' in page
    assert f"<code>{response['X-Request-ID']}</code>" in page
    assert "a bug" not in page  # nothing of the exception leaks to the visitor


def test_500_page_renders_without_database_or_request_context() -> None:
    """No django_db mark: any database access here would fail the test."""
    request = RequestFactory().get("/anywhere/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")

    response = views.server_error(request)

    page = _html(response)
    assert response.status_code == 500
    assert SERVER_ERROR_VI in page
    assert SERVER_ERROR_EN in page
    assert "<code>lb-0123456789abcdef</code>" in page


@pytest.mark.django_db
@pytest.mark.urls("tests.web.urls")
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/test/suspicious/", 400, "Xin lỗi, yêu cầu không hợp lệ"),
        ("/test/forbidden/", 403, "Bạn không có quyền xem trang này"),
    ],
)
def test_bad_request_and_forbidden_are_friendly(client: Client, path: str, status: int, title: str) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert f"<h1>{title}</h1>" in _html(response)
    assert "Về trang chủ" in _html(response)


@pytest.mark.django_db
def test_form_sent_without_csrf_token_gets_a_friendly_explanation(browser_client: Client) -> None:
    response = browser_client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 403
    assert "<h1>Không gửi được biểu mẫu</h1>" in _html(response)
    assert "Về trang chủ" in _html(response)


# --- Health check ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_ok_with_database(client: Client) -> None:
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert "no-store" in response["Cache-Control"]  # a cached "ok" would hide an outage


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "version": response.json()["version"]}


# --- Headers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_pages_carry_security_headers(client: Client) -> None:
    response = client.get("/", secure=True)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.django_db
def test_pages_vary_on_the_language_cookie(client: Client) -> None:
    """A shared cache must not serve the English page to a Vietnamese visitor."""
    response = client.get("/")

    assert "cookie" in response["Vary"].lower()
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
@pytest.mark.urls("tests.web.urls")
@pytest.mark.parametrize("path", ["/", "/khong-co-trang-nay/", "/test/boom/"])
def test_pages_have_no_inline_style_or_script_that_the_policy_would_block(path: str) -> None:
    page = _html(Client(raise_request_exception=False).get(path))

    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)


# --- Request ids and logs -------------------------------------------------------------------


@pytest.mark.django_db
def test_each_response_gets_a_fresh_request_id(client: Client) -> None:
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]

    assert uuid.UUID(first)
    assert first != second


@pytest.mark.django_db
def test_a_sane_upstream_request_id_is_kept(client: Client) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID="7f3a9c2e41d84b6f9a1e0c5d2b8f4a71")

    assert response["X-Request-ID"] == "7f3a9c2e41d84b6f9a1e0c5d2b8f4a71"


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["short", "x" * 200, 'abc" injected="1', "abcdefgh\nlevel=error"])
def test_an_insane_upstream_request_id_is_replaced(client: Client, forged: str) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID=forged)

    assert response["X-Request-ID"] != forged
    assert uuid.UUID(response["X-Request-ID"])


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the configured console handler writes, captured (it is the JSON one)."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_a_request_writes_json_log_lines_with_its_request_id(client: Client, json_log: io.StringIO) -> None:
    response = client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="proxy-req-000123")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    finished = [line for line in lines if line.get("event") == "request_finished"]
    assert response["X-Request-ID"] == "proxy-req-000123"
    assert finished, lines
    assert finished[0]["request_id"] == "proxy-req-000123"
    assert finished[0]["code"] == 404
    assert finished[0]["request"] == "GET /khong-co-trang-nay/"
    # Django's own "Not Found" line, logged after the request, is tied to it as well.
    not_found = [line for line in lines if line.get("logger") == "django.request"]
    assert not_found
    assert not_found[0]["request_id"] == "proxy-req-000123"

"""Fixtures of the OpenID Connect provider tests: people, relying parties, browsers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from django.test import Client

from congso.identity.models import User
from congso.identity.oidc.models import Application
from tests.identity.factories import make_account, make_citizen

from .flows import SECRET, RelyingParty, sign_in


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """MD5 for the people's passwords (the tests are not about Argon2's cost); client secrets keep
    their own hasher, which must stay listed for the stored secrets to verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "congso.identity.oidc.hashers.ClientSecretHasher",
    ]


@pytest.fixture
def make_rp(db: None) -> Callable[..., RelyingParty]:
    counter = iter(range(1, 1000))

    def make(
        *,
        base: str = "https://dichvu.example.vn",
        name: str = "Cổng dịch vụ công tỉnh Ninh Bình",
        min_level: int = 1,
        skip_consent: bool = False,
        sector: str = "",
        active: bool = True,
    ) -> RelyingParty:
        number = next(counter)
        redirect_uri = f"{base}/callback/{number}"
        post_logout = f"{base}/da-dang-xuat/{number}"
        application = Application(
            client_id=f"rp-{number}-{secrets.token_hex(4)}",
            name=name,
            organisation="Sở Tư pháp tỉnh Ninh Bình",
            description="Đăng ký khai sinh trực tuyến.",
            client_type=Application.CLIENT_CONFIDENTIAL,
            client_secret=SECRET,
            redirect_uris=redirect_uri,
            post_logout_redirect_uris=post_logout,
            min_assurance_level=min_level,
            skip_authorization=skip_consent,
            sector_identifier=sector,
            is_active=active,
        )
        application.full_clean()
        application.save()
        return RelyingParty(application, redirect_uri, post_logout_redirect_uri=post_logout)

    return make


@pytest.fixture
def person(db: None) -> User:
    citizen = make_citizen(full_name="Nguyễn Thị Lan", phone="0912345678")
    return make_account(citizen, level=1)


@pytest.fixture
def person_level2(db: None) -> User:
    citizen = make_citizen(full_name="Trần Văn Bình", phone="0987654321")
    return make_account(citizen, level=2)


# --- A browser for the live server: requests with the session of a logged-in person ----------
@pytest.fixture
def live_cookies(settings: Any) -> None:
    """Cookies without the Secure flag: the live server speaks plain http."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def browser_for(live_server: Any, live_cookies: None) -> Iterator[Callable[[User], requests.Session]]:
    sessions: list[requests.Session] = []

    def make(user: User) -> requests.Session:
        client = Client()
        sign_in(client, user)
        browser = requests.Session()
        browser.cookies.set("sessionid", client.cookies["sessionid"].value)
        sessions.append(browser)
        return browser

    yield make
    for browser in sessions:
        browser.close()

"""The code flow end to end: an independent client (Authlib, joserfc) against the live server,
and the same flow through Django's test client for the cases around it."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from congso.identity.oidc.keys import keyring
from congso.identity.oidc.models import PORTAL_CLIENT_ID, Application, Consent
from congso.identity.oidc.selectors import PORTAL_SESSION_KEY
from tests.identity.factories import PASSWORD, last_sms_code

from .flows import (
    AuthRequest,
    audit_actions,
    authorize,
    code_from,
    consent_if_asked,
    exchange,
    query_of,
    sign_in,
)

LEVEL1 = "urn:congso:eid:level1"
LEVEL2 = "urn:congso:eid:level2"


def verify_id_token(
    id_token: str, *, issuer: str, audience: str, nonce: str | None, jwks: dict[str, Any]
) -> dict[str, Any]:
    """What a relying party checks (Core §3.1.3.7): signature by a published key, iss, aud, exp,
    and the nonce it sent (a refreshed id_token carries none, Core §12.2)."""
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    expected: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": audience},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    if nonce is not None:
        expected["nonce"] = {"essential": True, "value": nonce}
    jwt.JWTClaimsRegistry(**expected).validate(token.claims)
    claims: dict[str, Any] = token.claims
    return claims


# --- The live server and an independent client ----------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_code_flow_with_pkce_gives_a_verified_id_token_userinfo_and_logout(
    live_server: Any, make_rp: Any, person: Any, browser_for: Any
) -> None:
    rp = make_rp(base=live_server.url)
    meta = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        rp.client_id,
        rp.secret,
        scope="openid profile",
        redirect_uri=rp.redirect_uri,
        code_challenge_method="S256",
    )
    request = AuthRequest(rp)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=request.verifier, nonce=request.nonce
    )
    browser = browser_for(person)

    consent_page = browser.get(url, allow_redirects=False)
    assert consent_page.status_code == 200
    assert "Họ và tên, ngày sinh, giới tính" in consent_page.text
    callback = consent_if_asked(browser, consent_page)
    assert callback.status_code == 302
    location = callback.headers["Location"]
    assert location.startswith(rp.redirect_uri + "?")
    assert query_of(location)["state"] == state
    assert query_of(location)["iss"] == meta["issuer"]  # RFC 9207 mix-up defence
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=request.verifier
    )

    jwks = requests.get(meta["jwks_uri"], timeout=10).json()
    claims = verify_id_token(
        token["id_token"], issuer=meta["issuer"], audience=rp.client_id, nonce=request.nonce, jwks=jwks
    )
    assert claims["acr"] == LEVEL1
    assert claims["amr"] == ["pwd", "otp", "sms"]
    assert abs(claims["auth_time"] - time.time()) < 120
    # The subject is neither the ID number nor the row id.
    assert claims["sub"] not in {person.username, str(person.pk)}
    assert len(claims["sub"]) >= 32
    # Who and how, nothing about the person: that is what userinfo is for (Core §5.4).
    assert not {"name", "birthdate", "personal_id", "phone_number"} & set(claims)

    userinfo = client.get(meta["userinfo_endpoint"])
    assert userinfo.status_code == 200
    info = userinfo.json()
    assert info["sub"] == claims["sub"]
    assert info["name"] == "Nguyễn Thị Lan"
    assert info["birthdate"] == "1990-05-17"
    assert info["gender"] == "female"
    assert not {"phone_number", "address", "personal_id"} & set(info), "claims of scopes not granted"

    # RP-initiated logout back to the registered address, with the state echoed.
    logout = browser.get(
        meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": rp.post_logout_redirect_uri,
            "state": "sau-dang-xuat",
        },
        allow_redirects=False,
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{rp.post_logout_redirect_uri}?state=sau-dang-xuat"
    # The provider session has ended and the tokens are revoked.
    again = browser.get(url, allow_redirects=False)
    assert again.status_code == 302
    assert urlsplit(again.headers["Location"]).path == "/dang-nhap/"
    assert client.get(meta["userinfo_endpoint"]).status_code == 401
    assert "oidc.logout" in audit_actions()


@pytest.mark.django_db(transaction=True)
def test_logout_to_an_unregistered_address_is_refused_and_keeps_the_session(
    live_server: Any, make_rp: Any, person: Any, browser_for: Any
) -> None:
    rp = make_rp(base=live_server.url)
    browser = browser_for(person)

    response = browser.get(
        f"{live_server.url}/oidc/logout/",
        params={"client_id": rp.client_id, "post_logout_redirect_uri": "https://evil.example.com/"},
        allow_redirects=False,
    )

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert 'href="https://evil.example.com' not in response.text
    still_in = browser.get(AuthRequest(rp).url(live_server.url), allow_redirects=False)
    assert still_in.status_code == 200  # the consent page: still logged in
    assert "oidc.logout.refuse" in audit_actions()


# --- The real login pages on the way ---------------------------------------------------------
def test_a_person_not_logged_in_goes_through_the_login_pages_and_comes_back(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    request = AuthRequest(rp)

    to_login = client.get(request.url())
    assert to_login.status_code == 302
    login_url = to_login["Location"]
    assert login_url.startswith("/dang-nhap/?next=")
    password_step = client.post(login_url, {"personal_id": person.username, "password": PASSWORD})
    assert password_step.status_code == 302
    code_step = client.post(
        password_step["Location"], {"action": "verify", "code": last_sms_code(person.phone)}
    )
    assert code_step.status_code == 302
    assert code_step["Location"] == request.url()  # back to the authorization request
    code = code_from(authorize(client, request), request)
    tokens = exchange(client, request, code).json()

    claims = verify_id_token(
        tokens["id_token"],
        issuer="http://testserver",
        audience=rp.client_id,
        nonce=request.nonce,
        jwks=keyring().jwks(),
    )
    assert claims["acr"] == LEVEL1
    assert claims["amr"] == ["pwd", "otp", "sms"]


# --- Levels, scopes, consent, subjects -------------------------------------------------------
def test_a_level2_account_gets_level2_when_the_service_asks_for_it(
    client: Client, make_rp: Any, person_level2: Any
) -> None:
    rp = make_rp()
    request = AuthRequest(rp, extra={"acr_values": LEVEL2})
    sign_in(client, person_level2, amr=("hwk", "user"))

    tokens = exchange(client, request, code_from(authorize(client, request), request)).json()

    claims = verify_id_token(
        tokens["id_token"],
        issuer="http://testserver",
        audience=rp.client_id,
        nonce=request.nonce,
        jwks=keyring().jwks(),
    )
    assert claims["acr"] == LEVEL2
    assert claims["amr"] == ["hwk", "user"]


def test_each_scope_releases_its_claims_and_nothing_more(client: Client, make_rp: Any, person: Any) -> None:
    rp = make_rp()
    request = AuthRequest(rp, scope="openid phone address personal_id")
    sign_in(client, person)

    consent = client.get(request.url())
    page = consent.content.decode()
    for text in ("Số điện thoại", "Địa chỉ", "Số định danh cá nhân"):
        assert text in page
    assert "Họ và tên, ngày sinh, giới tính" not in page
    tokens = exchange(client, request, code_from(authorize(client, request), request)).json()
    info = client.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()

    assert info["phone_number"] == "+84912345678"
    assert info["phone_number_verified"] is True
    assert info["address"]["formatted"].startswith("Số 12 phố Đội Cấn, Phường Ba Đình")
    assert info["personal_id"] == person.username
    assert "name" not in info
    assert "birthdate" not in info


def test_consent_is_remembered_per_service_and_scopes(client: Client, make_rp: Any, person: Any) -> None:
    rp, other = make_rp(), make_rp(base="https://khac.example.vn")
    sign_in(client, person)

    first = client.get(AuthRequest(rp).url())
    assert first.status_code == 200  # asked
    authorize(client, AuthRequest(rp))
    assert client.get(AuthRequest(rp).url()).status_code == 302  # remembered, not asked again
    assert (
        client.get(AuthRequest(rp, scope="openid profile phone").url()).status_code == 200
    )  # more data: asked
    assert client.get(AuthRequest(other).url()).status_code == 200  # another service: asked
    assert (
        client.get(AuthRequest(rp, extra={"prompt": "consent"}).url()).status_code == 200
    )  # the service asks
    assert Consent.objects.get(user=person, application=rp.application).scopes == "openid profile"
    assert audit_actions().count("oidc.consent.grant") == 1


def test_a_first_party_service_does_not_ask_for_consent(client: Client, make_rp: Any, person: Any) -> None:
    rp = make_rp(skip_consent=True)
    request = AuthRequest(rp)
    sign_in(client, person)

    assert code_from(client.get(request.url()), request)
    assert not Consent.objects.exists()


def test_subjects_are_pairwise_per_sector_and_stable(client: Client, make_rp: Any, person: Any) -> None:
    a = make_rp(base="https://a.example.vn")
    b = make_rp(base="https://b.example.vn")
    a2 = make_rp(base="https://a.example.vn")  # same host, so same sector
    sign_in(client, person)

    def sub(rp: Any) -> str:
        request = AuthRequest(rp)
        tokens = exchange(client, request, code_from(authorize(client, request), request)).json()
        info = client.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
        return str(info["sub"])

    assert sub(a) == sub(a) == sub(a2)
    assert sub(a) != sub(b)


def test_refresh_tokens_rotate_and_a_replayed_one_ends_the_family(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    request = AuthRequest(rp)
    sign_in(client, person)
    first = exchange(client, request, code_from(authorize(client, request), request)).json()

    def refresh(token: str) -> Any:
        return client.post(
            "/oidc/token/",
            {"grant_type": "refresh_token", "refresh_token": token},
            HTTP_AUTHORIZATION=rp.basic_auth(),
        )

    second = refresh(first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    claims = verify_id_token(
        rotated["id_token"],
        issuer="http://testserver",
        audience=rp.client_id,
        nonce=None,
        jwks=keyring().jwks(),
    )
    assert claims["acr"] == LEVEL1  # the original authentication, not a new one
    assert claims["amr"] == ["pwd", "otp", "sms"]

    replay = refresh(first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Reuse of an old refresh token revokes the whole family (RFC 9700 §4.14.2).
    assert refresh(rotated["refresh_token"]).status_code == 400
    assert (
        client.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {rotated['access_token']}").status_code
        == 401
    )


def test_every_issued_token_and_consent_is_audited(client: Client, make_rp: Any, person: Any) -> None:
    rp = make_rp()
    request = AuthRequest(rp)
    sign_in(client, person)

    exchange(client, request, code_from(authorize(client, request), request))

    assert audit_actions() == ["oidc.consent.grant", "oidc.code.issue", "oidc.token.issue"]


# --- The portal's own login ------------------------------------------------------------------
def test_the_portal_logs_in_through_its_own_provider(client: Client, person: Any) -> None:
    sign_in(client, person)

    start = client.get("/dang-nhap/cong/", {"next": "/tai-khoan/"})
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert authorize_url.startswith("/oidc/authorize/?")
    assert query_of(authorize_url)["code_challenge_method"] == "S256"
    callback = client.get(authorize_url)  # first-party: no consent screen
    assert callback.status_code == 302
    assert callback["Location"].startswith("http://testserver/dang-nhap/cong/callback/?code=")
    done = client.get(callback["Location"])

    assert done.status_code == 302
    assert done["Location"] == "/tai-khoan/"
    marked = SessionStore(client.session.session_key)[PORTAL_SESSION_KEY]
    assert marked["acr"] == LEVEL1
    assert marked["amr"] == ["pwd", "otp", "sms"]
    assert "oidc.portal.login" in audit_actions()
    portal = Application.objects.get(client_id=PORTAL_CLIENT_ID)
    assert portal.skip_authorization
    assert portal.redirect_uris == "http://testserver/dang-nhap/cong/callback/"


def test_the_portal_callback_refuses_a_state_it_did_not_make(client: Client, person: Any) -> None:
    sign_in(client, person)
    client.get("/dang-nhap/cong/")

    response = client.get("/dang-nhap/cong/callback/", {"code": "forged", "state": "not-ours"})

    assert response.status_code == 400
    assert PORTAL_SESSION_KEY not in client.session
    assert "oidc.portal.refuse" in audit_actions()


def test_the_portal_is_not_registered_for_a_host_outside_allowed_hosts(
    client: Client, settings: Any, db: None
) -> None:
    settings.ALLOWED_HOSTS = ["*"]

    response = client.get("/dang-nhap/cong/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert not Application.objects.filter(client_id=PORTAL_CLIENT_ID).exists()

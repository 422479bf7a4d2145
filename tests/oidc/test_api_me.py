"""/api/v1/me: the person behind an access token from the provider, or a clear 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from congso.identity.oidc.models import Application

from .flows import SECRET, AuthRequest, RelyingParty, authorize, code_from, exchange, sign_in


@pytest.fixture
def tokens(client: Client, make_rp: Any, person: Any) -> dict[str, Any]:
    request = AuthRequest(make_rp(), scope="openid profile phone")
    sign_in(client, person)
    result: dict[str, Any] = exchange(client, request, code_from(authorize(client, request), request)).json()
    client.logout()  # an API client has no session, only the token
    return result


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_me_returns_the_same_claims_as_userinfo(client: Client, tokens: dict[str, Any]) -> None:
    me = client.get("/api/v1/me", **bearer(tokens["access_token"]))
    userinfo = client.get("/oidc/userinfo/", **bearer(tokens["access_token"]))

    assert me.status_code == 200
    assert me.json() == userinfo.json()
    assert me.json()["name"] == "Nguyễn Thị Lan"
    assert me.json()["phone_number"] == "+84912345678"
    assert "personal_id" not in me.json()  # its scope was not granted


def test_me_without_a_token_says_what_is_missing(client: Client, db: None) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="congso"'
    body = response.json()
    assert "Thiếu access token" in body["message"]
    assert "Missing access token" in body["message"]


def test_me_with_an_unknown_token_is_refused(client: Client, db: None) -> None:
    response = client.get("/api/v1/me", **bearer("khong-phai-token"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert "không hợp lệ" in response.json()["message"]


def test_me_with_an_expired_token_says_it_expired(client: Client, tokens: dict[str, Any]) -> None:
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

    response = client.get("/api/v1/me", **bearer(tokens["access_token"]))

    assert response.status_code == 401
    assert "hết hạn" in response.json()["message"]
    assert "expired" in response.json()["message"]


def test_me_refuses_a_token_of_a_disabled_service(client: Client, tokens: dict[str, Any]) -> None:
    Application.objects.update(is_active=False)

    assert client.get("/api/v1/me", **bearer(tokens["access_token"])).status_code == 401


def test_me_refuses_a_token_without_the_openid_scope(client: Client, tokens: dict[str, Any]) -> None:
    AccessToken.objects.update(scope="profile")

    response = client.get("/api/v1/me", **bearer(tokens["access_token"]))

    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_me_refuses_a_revoked_token(client: Client, tokens: dict[str, Any]) -> None:
    application = Application.objects.get()
    rp = RelyingParty(application, application.redirect_uris, SECRET)
    revoked = client.post(
        "/oidc/revoke/", {"token": tokens["access_token"]}, HTTP_AUTHORIZATION=rp.basic_auth()
    )

    assert revoked.status_code == 200
    assert client.get("/api/v1/me", **bearer(tokens["access_token"])).status_code == 401


def test_me_does_not_take_the_token_from_the_query_string(client: Client, tokens: dict[str, Any]) -> None:
    response = client.get("/api/v1/me", {"access_token": tokens["access_token"]})

    assert response.status_code == 401


def test_me_is_documented_with_bearer_authentication(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/me"]["get"]
    scheme_name = next(iter(operation["security"][0]))
    assert schema["components"]["securitySchemes"][scheme_name] == {"type": "http", "scheme": "bearer"}

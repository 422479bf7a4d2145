"""What the provider refuses, and how: never a redirect to an address it cannot trust, never a
code or token it should not give, never less assurance than the service asked for."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from congso.identity.oidc.models import Application, Authorization, Consent

from .flows import AuthRequest, audit_actions, authorize, code_from, exchange, query_of, sign_in

LEVEL2 = "urn:congso:eid:level2"


def assert_error_redirect(response: Any, request: AuthRequest, error: str) -> dict[str, str]:
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    assert location.startswith(request.rp.redirect_uri + "?")
    params = query_of(location)
    assert params["error"] == error
    assert params["state"] == request.state
    assert params["iss"] == "http://testserver"
    assert "code" not in params
    return params


# --- Requests the provider must not redirect ---------------------------------------------------
@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback/1",
        "https://dichvu.example.vn/callback/1/",  # one character more
        "https://dichvu.example.vn/callback/1?next=https://evil.example.com",  # a query the RP never registered
        "https://dichvu.example.vn.evil.example.com/callback/1",
        "http://dichvu.example.vn/callback/1",  # downgraded to http
    ],
)
def test_an_unregistered_redirect_uri_is_refused_on_our_own_page(
    client: Client, make_rp: Any, person: Any, redirect_uri: str
) -> None:
    rp = make_rp()
    assert rp.redirect_uri == "https://dichvu.example.vn/callback/1"
    sign_in(client, person)
    request = AuthRequest(rp, extra={"redirect_uri": redirect_uri})

    response = client.get(request.url())

    assert response.status_code == 400
    assert "Location" not in response
    page = response.content.decode()
    assert "Không thể xử lý yêu cầu đăng nhập này" in page
    assert f'href="{redirect_uri}' not in page
    assert not Authorization.objects.exists()
    assert audit_actions() == ["oidc.authorize.refuse"]


def test_an_unknown_or_disabled_client_is_refused_without_redirect(
    client: Client, make_rp: Any, person: Any
) -> None:
    disabled = make_rp(active=False)
    sign_in(client, person)
    unknown = AuthRequest(make_rp(), extra={"client_id": "khong-co"})

    for request in (AuthRequest(disabled), unknown):
        response = client.get(request.url())
        assert response.status_code == 400
        assert "Location" not in response


def test_a_request_without_redirect_uri_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp())
    params = request.params()
    del params["redirect_uri"]
    sign_in(client, person)

    response = client.get("/oidc/authorize/", params)

    assert response.status_code == 400
    assert "Location" not in response


# --- Requests refused back to the service -----------------------------------------------------
def test_a_request_without_pkce_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp())
    sign_in(client, person)
    params = request.params()
    del params["code_challenge"], params["code_challenge_method"]

    response = client.get("/oidc/authorize/", params)

    assert_error_redirect(response, request, "invalid_request")
    assert not Authorization.objects.exists()


def test_plain_pkce_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp(), extra={"code_challenge_method": "plain"})
    sign_in(client, person)

    assert_error_redirect(client.get(request.url()), request, "invalid_request")


def test_a_request_without_the_openid_scope_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp(), scope="profile")
    sign_in(client, person)

    assert_error_redirect(client.get(request.url()), request, "invalid_scope")


def test_a_person_who_is_not_logged_in_is_sent_to_the_login_page(client: Client, make_rp: Any) -> None:
    request = AuthRequest(make_rp())

    response = client.get(request.url())
    silent = client.get(AuthRequest(request.rp, extra={"prompt": "none"}).url())

    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=/oidc/authorize/%3Fresponse_type%3Dcode")
    assert query_of(silent["Location"])["error"] == "login_required"


def test_prompt_none_without_consent_is_refused_with_consent_required(
    client: Client, make_rp: Any, person: Any
) -> None:
    request = AuthRequest(make_rp(), extra={"prompt": "none"})
    sign_in(client, person)

    assert_error_redirect(client.get(request.url()), request, "consent_required")


def test_denying_consent_sends_nothing_and_remembers_nothing(
    client: Client, make_rp: Any, person: Any
) -> None:
    request = AuthRequest(make_rp())
    sign_in(client, person)

    response = authorize(client, request, consent="deny")

    assert_error_redirect(response, request, "access_denied")
    assert not Consent.objects.exists()
    assert client.get(request.url()).status_code == 200  # asked again next time
    assert audit_actions() == ["oidc.consent.deny"]


# --- Assurance level -------------------------------------------------------------------------
def test_a_level2_service_refuses_a_level1_account_with_a_clear_page(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp(min_level=2)
    request = AuthRequest(rp)
    sign_in(client, person)

    response = client.get(request.url())

    assert response.status_code == 403
    page = response.content.decode()
    assert "yêu cầu tài khoản định danh điện tử mức độ 2" in page
    assert "Tài khoản của bạn ở mức độ 1" in page
    assert not Authorization.objects.exists()
    back = query_of(response.context["back_url"])
    assert back["error"] == "unmet_authentication_requirements"
    assert back["state"] == request.state
    assert "oidc.authorize.refuse" in audit_actions()


def test_acr_values_level2_is_never_answered_with_level1(client: Client, make_rp: Any, person: Any) -> None:
    rp = make_rp()
    sign_in(client, person)

    asked = client.get(AuthRequest(rp, extra={"acr_values": LEVEL2}).url())
    silent_request = AuthRequest(rp, extra={"acr_values": LEVEL2, "prompt": "none"})
    silent = client.get(silent_request.url())
    unknown_request = AuthRequest(rp, extra={"acr_values": "urn:other:loa:4"})
    unknown_only = client.get(unknown_request.url())

    assert asked.status_code == 403
    assert_error_redirect(silent, silent_request, "unmet_authentication_requirements")
    # A level we do not offer: nothing the person can do, the service is told at once.
    assert_error_redirect(unknown_only, unknown_request, "unmet_authentication_requirements")
    assert not Authorization.objects.exists()


# --- The token endpoint ------------------------------------------------------------------------
def test_a_wrong_code_verifier_is_refused_and_burns_the_code(
    client: Client, make_rp: Any, person: Any
) -> None:
    request = AuthRequest(make_rp())
    sign_in(client, person)
    code = code_from(authorize(client, request), request)

    wrong = exchange(client, request, code, verifier="x" * 50)
    right_too_late = exchange(client, request, code)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "access_token" not in wrong.json()
    assert right_too_late.status_code == 400
    assert "oidc.token.refuse" in audit_actions()


def test_a_missing_code_verifier_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp())
    sign_in(client, person)
    code = code_from(authorize(client, request), request)

    response = exchange(client, request, code, verifier="")

    assert response.status_code == 400
    assert "access_token" not in response.json()


def test_a_code_used_twice_is_refused_and_revokes_what_it_gave(
    client: Client, make_rp: Any, person: Any
) -> None:
    request = AuthRequest(make_rp())
    sign_in(client, person)
    code = code_from(authorize(client, request), request)
    tokens = exchange(client, request, code).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    assert client.get("/oidc/userinfo/", **bearer).status_code == 200

    replay = exchange(client, request, code)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # RFC 6749 §4.1.2: the tokens issued from the code are revoked.
    assert client.get("/oidc/userinfo/", **bearer).status_code == 401
    refreshed = client.post(
        "/oidc/token/",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=request.rp.basic_auth(),
    )
    assert refreshed.status_code == 400
    assert "oidc.code.replay" in audit_actions()


def test_a_code_is_good_only_for_the_client_it_was_issued_to(
    client: Client, make_rp: Any, person: Any
) -> None:
    request = AuthRequest(make_rp())
    thief = AuthRequest(make_rp(base="https://khac.example.vn"), verifier=request.verifier)
    sign_in(client, person)
    code = code_from(authorize(client, request), request)

    response = exchange(client, thief, code)

    assert response.status_code == 400
    assert exchange(client, request, code).status_code == 200  # the rightful client still can


def test_a_wrong_client_secret_is_refused(client: Client, make_rp: Any, person: Any) -> None:
    request = AuthRequest(make_rp())
    request.rp.secret = "doan-bua"
    sign_in(client, person)
    code = code_from(authorize(client, request), request)

    response = exchange(client, request, code)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# --- Registration --------------------------------------------------------------------------
def test_client_secrets_are_stored_hashed(make_rp: Any) -> None:
    rp = make_rp()

    stored = Application.objects.get(pk=rp.application.pk).client_secret

    assert stored.startswith("congso_client_secret$")
    assert rp.secret not in stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("redirect_uris", "http://dichvu.example.vn/callback"),  # http outside loopback
        ("post_logout_redirect_uris", "http://dichvu.example.vn/bye"),
        ("authorization_grant_type", Application.GRANT_IMPLICIT),
    ],
)
def test_registration_refuses_unsafe_settings(make_rp: Any, field: str, value: str) -> None:
    application = make_rp().application
    setattr(application, field, value)

    with pytest.raises(ValidationError) as raised:
        application.full_clean()

    assert field in raised.value.message_dict

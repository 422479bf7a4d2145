"""Helpers of the OpenID Connect tests: relying parties, logins, authorization requests."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from congso.core.models import AuditEntry
from congso.identity.assurance import ACR_BY_LEVEL, AMR_PASSWORD_SMS, SESSION_AUTH_KEY
from congso.identity.models import User
from congso.identity.oidc.models import Application, Authorization

SECRET = "s3cr3t-" + "x" * 60


@dataclass
class RelyingParty:
    application: Application
    redirect_uri: str
    secret: str = SECRET
    post_logout_redirect_uri: str = ""

    @property
    def client_id(self) -> str:
        return self.application.client_id

    def basic_auth(self) -> str:
        raw = f"{self.client_id}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()


def sign_in(
    client: Client, user: User, *, amr: tuple[str, ...] = ("pwd", "otp", "sms"), acr: str = ""
) -> None:
    """A logged-in session as the login pages leave it (their record of acr, amr, auth_time)."""
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_KEY] = {
        "acr": acr or ACR_BY_LEVEL[user.assurance_level],
        "amr": list(amr),
        "auth_time": int(time.time()),
    }
    session.save()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class AuthRequest:
    rp: RelyingParty
    scope: str = "openid profile"
    verifier: str = field(default_factory=lambda: pkce()[0])
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def challenge(self) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()

    def params(self) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.rp.client_id,
            "redirect_uri": self.rp.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            **self.extra,
        }

    def url(self, prefix: str = "") -> str:
        return f"{prefix}/oidc/authorize/?{urlencode(self.params())}"


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def authorize(client: Client, request: AuthRequest, *, consent: str | None = "allow") -> Any:
    """Run the authorization request in ``client``; answer the consent screen if it comes."""
    response = client.get(request.url())
    if response.status_code == 200 and consent is not None:
        response = client.post(request.url(), {"decision": consent})
    return response


def code_from(response: Any, request: AuthRequest) -> str:
    assert response.status_code == 302, response.content.decode()[:1000]
    location = response["Location"]
    assert location.startswith(request.rp.redirect_uri + "?"), location
    params = query_of(location)
    assert params["state"] == request.state
    return params["code"]


def exchange(client: Client, request: AuthRequest, code: str, *, verifier: str | None = None) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.rp.redirect_uri,
        "code_verifier": request.verifier if verifier is None else verifier,
    }
    return client.post("/oidc/token/", data, HTTP_AUTHORIZATION=request.rp.basic_auth())


def audit_actions(prefix: str = "oidc.") -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith=prefix).order_by("seq").values_list("action", flat=True)
    )


def consent_if_asked(
    browser: requests.Session, response: requests.Response, decision: str = "allow"
) -> requests.Response:
    """Answer the consent screen like a person would (the form posts back to the same URL)."""
    if response.status_code != 200:
        return response
    assert "decision" in response.text, response.text[:500]
    return browser.post(
        response.url,
        data={"decision": decision, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")},
        allow_redirects=False,
    )


def access_token_issued(
    user: Any,
    application: Application,
    *,
    amr: Sequence[str] = AMR_PASSWORD_SMS,
    hours: int = 1,
    refreshed_with: RefreshToken | None = None,
) -> str:
    """A raw access token as the provider issues it, without the browser dance.

    After a login with ``amr``: the token and the authorization code it came from (which
    records the login). With ``refreshed_with``: a token obtained with that refresh token, which
    has no code of its own and goes back to its login through the refresh-token family.
    """
    raw = secrets.token_urlsafe(30)
    token = AccessToken.objects.create(
        user=user,
        application=application,
        token="",
        token_checksum=hashlib.sha256(raw.encode()).hexdigest(),
        expires=timezone.now() + timedelta(hours=hours),
        scope="openid profile",
        source_refresh_token=refreshed_with,
    )
    if refreshed_with is None:
        Authorization.objects.create(
            code_checksum=secrets.token_hex(32),
            application=application,
            user=user,
            scope=token.scope,
            acr=ACR_BY_LEVEL[user.assurance_level],
            amr=list(amr),
            auth_time=timezone.now(),
            redeemed_at=timezone.now(),
            access_token=token,
        )
    return raw

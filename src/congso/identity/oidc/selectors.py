"""Reads of the OpenID Connect provider: subjects, claims, consent, bearer tokens, levels."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from oauth2_provider.models import AccessToken, RefreshToken

from congso.identity import selectors as identity_selectors
from congso.identity import throttle
from congso.identity.assurance import Assurance

from .errors import BearerTokenError
from .models import Application, Authorization, Consent
from .scopes import ACR_LEVELS, SCOPE_OPENID, released_claims

# Where the portal's login through the provider leaves its result in the session.
PORTAL_SESSION_KEY = "congso.oidc.portal"


# --- Refused token requests --------------------------------------------------------------------
def token_refusal_address_key(ip: str | None) -> str:
    return f"oidc:token:ip:{ip or 'unknown'}"


def token_refusal_client_key(client_id: str) -> str:
    return f"oidc:token:client:{client_id[:100]}"


def token_requests_locked_until(*, ip: str | None, client_id: str) -> datetime | None:
    """When token requests from this address, or naming this client, may come again; None now."""
    keys = [token_refusal_address_key(ip)]
    if client_id:
        keys.append(token_refusal_client_key(client_id))
    return throttle.throttle_locked_until_any(keys)


def subject_for(*, user_id: int, application: Application) -> str:
    """The ``sub`` a relying party sees for an account: pairwise per sector.

    OpenID Connect Core §8.1 pairwise identifier: a keyed hash of the sector and the
    account, so two services of different sectors cannot link a person by ``sub``, the
    value reveals nothing (not the ID number, not the row id) and never changes for a
    service. A service that must know who the person is asks for the ``personal_id`` scope,
    which the person sees and agrees to.
    """
    message = f"{application.sector}\x00{user_id}".encode()
    digest = hmac.new(settings.CONGSO_OIDC_PAIRWISE_SALT.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def person_claims(user: Any) -> dict[str, Any]:
    """Everything the provider could say about a person, before scopes decide what is released."""
    claims = dict(identity_selectors.user_claims(user))
    if isinstance(claims.get("address"), str):
        # OpenID Connect Core §5.1.1: the address claim is an object.
        claims["address"] = {"formatted": claims["address"]} if claims["address"] else None
    return claims


def claims_for(*, user: Any, application: Application, scopes: list[str] | set[str]) -> dict[str, Any]:
    """The claims about ``user`` that ``scopes`` release to ``application`` (userinfo, /me)."""
    claims = released_claims(person_claims(user), scopes)
    return {"sub": subject_for(user_id=user.pk, application=application), **claims}


def consent_covers(*, user: Any, application: Application, scopes: list[str]) -> bool:
    consent = Consent.objects.filter(user=user, application=application).only("scopes").first()
    return consent is not None and consent.covers(scopes)


def required_level(*, application: Application, acr_values: str) -> int | None:
    """The assurance level this request needs, or None when no level we offer satisfies it.

    ``acr_values`` lists acceptable classes in order of preference (Core §3.1.2.1); the
    weakest one we know is what the relying party accepts. Values we do not offer are
    ignored, but a request naming only such values cannot be satisfied: answering with
    another level would silently give the service less than it asked for.
    """
    requested = acr_values.split()
    known = [ACR_LEVELS[value] for value in requested if value in ACR_LEVELS]
    if requested and not known:
        return None
    return max(application.min_assurance_level, min(known, default=1))


def portal_client() -> Application | None:
    from .models import PORTAL_CLIENT_ID

    return Application.objects.filter(client_id=PORTAL_CLIENT_ID).first()


# What a bearer request needs, so the hot query does not fetch three wide rows (userinfo and /me
# run it on every call). The account fields are those identity's user_claims reads.
_BEARER_FIELDS = (
    "expires",
    "scope",
    "resource",
    "application__id",
    "application__client_id",
    "application__is_active",
    "application__sector_identifier",
    "application__redirect_uris",
    "user__id",
    "user__username",
    "user__is_active",
    "user__full_name",
    "user__kind",
    "user__citizen_id",
    "user__organisation_code",
    "user__assurance_level",
    "user__preferred_language",
)


def access_token_check(header: str, *, scopes: list[str] | None = None) -> AccessToken:
    """The access token an ``Authorization: Bearer`` header carries, if it is good for ``scopes``.

    Raises :class:`BearerTokenError` (RFC 6750 §3.1 codes) otherwise. One query: the token by
    its SHA-256 (tokens are stored only as hashes), with its client and account.
    """
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise BearerTokenError.missing()
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    token = (
        AccessToken.objects.select_related("application", "user")
        .only(*_BEARER_FIELDS)
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.user is None or token.application is None:
        raise BearerTokenError.invalid()
    if token.is_expired():
        raise BearerTokenError.expired()
    if not token.application.is_active or not token.user.is_active:
        raise BearerTokenError.invalid()
    if not token.allow_scopes(scopes or [SCOPE_OPENID]):
        raise BearerTokenError.insufficient_scope(scopes or [SCOPE_OPENID])
    return token


def access_token_assurance(token: AccessToken) -> Assurance | None:
    """How the person authenticated at the login that led to ``token``, or None if unknown.

    The authorization code the token came from records ``acr``/``amr``; a token obtained with
    a refresh token goes back to that code through the refresh-token family. A token no code
    of ours led to (none is issued otherwise) proves nothing.
    """
    authorization = Authorization.objects.filter(access_token=token).only("acr", "amr", "auth_time").first()
    if authorization is None and token.source_refresh_token_id:
        family = (
            RefreshToken.objects.filter(pk=token.source_refresh_token_id)
            .values_list("token_family", flat=True)
            .first()
        )
        if family:
            authorization = (
                Authorization.objects.filter(token_family=family).only("acr", "amr", "auth_time").first()
            )
    if authorization is None:
        return None
    return Assurance(
        acr=authorization.acr,
        amr=list(authorization.amr),
        auth_time=int(authorization.auth_time.timestamp()),
    )


def portal_session(request: HttpRequest) -> dict[str, Any] | None:
    """What the portal's login through the provider established for this session, if anything:
    ``sub``, ``acr``, ``amr``, ``auth_time`` and the ``id_token`` (the hint for logging out)."""
    value = request.session.get(PORTAL_SESSION_KEY)
    return value if isinstance(value, dict) else None

"""Client authentication: OAuth2 client credentials with a signed JWT (RFC 7523) or mutual TLS
(RFC 8705), and the short-lived access tokens the gateway accepts.

Assertion rules: ``iss`` = ``sub`` = the client id (``VN/GOV/CODE/SUBSYSTEM``), ``aud`` = the
token endpoint's URL, ``exp`` at most ``CONGSO_EXCHANGE_ASSERTION_MAX_SECONDS`` ahead, a
``jti`` that is accepted once (kept until it expires), signed with one of the subsystem's
registered public keys (RS256, PS256, ES256, ES384 or EdDSA; never ``none`` or HMAC).

Access tokens are self-contained and HMAC-signed with a key derived from ``SECRET_KEY``:
checking one costs a hash and no query, which keeps the gateway's hot path lean; they live
``CONGSO_EXCHANGE_TOKEN_LIFETIME_SECONDS`` (5 minutes by default), so suspending a subsystem
takes effect through the subsystem cache, and a token can be bound to a TLS certificate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from .conf import setting
from .ids import ClientId
from .models import AssertionUse, ClientKey, ClientKeyKind, Subsystem

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALLOWED_ALGORITHMS = frozenset({"RS256", "PS256", "ES256", "ES384", "EdDSA"})
_TOKEN_PREFIX = "xr1"  # noqa: S105 - a format marker, not a secret
_CLOCK_SKEW = 30


class TokenError(Exception):
    """An RFC 6749 section 5.2 error of the token endpoint."""

    def __init__(
        self, error: str, description: str, *, subsystem: Subsystem | None = None, status: int = 400
    ):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.subsystem = subsystem
        self.status = 401 if error == "invalid_client" else status


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subsystem_id: int
    client_id: str
    expires_at: int
    certificate_thumbprint: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"congso.exchange.access-token", hashlib.sha256).digest()


def access_token_issue(*, subsystem: Subsystem, certificate_thumbprint: str = "") -> tuple[str, int]:
    """A new access token for the subsystem and its lifetime in seconds."""
    lifetime = int(setting("CONGSO_EXCHANGE_TOKEN_LIFETIME_SECONDS"))
    claims = {
        "s": subsystem.pk,
        "c": subsystem.client_id,
        "e": int(time.time()) + lifetime,
        "j": secrets.token_urlsafe(9),
    }
    if certificate_thumbprint:
        claims["x"] = certificate_thumbprint
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{_TOKEN_PREFIX}.{body}"
    mac = _b64url(hmac.new(_token_key(), signing_input.encode(), hashlib.sha256).digest())
    return f"{signing_input}.{mac}", lifetime


def access_token_verify(token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired token, else None. No database access."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_PREFIX:
        return None
    expected = _b64url(hmac.new(_token_key(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, parts[2]):
        return None
    try:
        claims = json.loads(_unb64url(parts[1]))
        result = AccessClaims(
            subsystem_id=int(claims["s"]),
            client_id=str(claims["c"]),
            expires_at=int(claims["e"]),
            certificate_thumbprint=str(claims.get("x", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return result if result.expires_at > time.time() else None


# --- Client keys ---------------------------------------------------------------------------------
def public_jwk_from(*, jwk_data: dict[str, Any] | None = None, pem: str = "") -> tuple[dict[str, Any], str]:
    """The public JWK (and its kid) of a key given as a JWK or a PEM; a private key is refused."""
    try:
        key = jwk.JWK(**jwk_data) if jwk_data is not None else jwk.JWK.from_pem(pem.encode("ascii"))
    except (JWException, ValueError, TypeError) as exc:
        raise ValueError(f"not a usable public key: {exc}") from exc
    if key.has_private:
        raise ValueError("a private key was given: register the public key only")
    if key.get("kty") not in {"RSA", "EC", "OKP"}:
        raise ValueError(f"unsupported key type {key.get('kty')}")
    public = key.export_public(as_dict=True)
    kid = str(public.get("kid") or key.thumbprint())
    public["kid"] = kid
    return public, kid


def certificate_thumbprint(certificate_der: bytes) -> str:
    """x5t#S256 of a certificate (RFC 8705 section 3.1)."""
    return _b64url(hashlib.sha256(certificate_der).digest())


def certificate_der_from(pem: str) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(Encoding.DER)


def presented_certificate_thumbprint(headers: Any) -> str:
    """The thumbprint of the TLS client certificate the reverse proxy verified, or "".

    Only when ``CONGSO_EXCHANGE_MTLS_CERT_HEADER`` names the header the proxy sets (and strips
    from what clients send): RFC 9440 ``Client-Cert`` (``:base64 DER:``) or nginx's
    ``$ssl_client_escaped_cert`` (URL-encoded PEM).
    """
    header = setting("CONGSO_EXCHANGE_MTLS_CERT_HEADER")
    if not header:
        return ""
    value = str(headers.get(header, "") or "").strip()
    if not value:
        return ""
    try:
        if value.startswith(":") and value.endswith(":"):
            der = base64.b64decode(value[1:-1], validate=True)
            x509.load_der_x509_certificate(der)
        else:
            der = certificate_der_from(urllib.parse.unquote(value))
    except ValueError:
        return ""
    return certificate_thumbprint(der)


# --- The token endpoint ---------------------------------------------------------------------------
def _subsystem_for(client_id: str) -> Subsystem | None:
    parsed = ClientId.parse(client_id)
    if parsed is None:
        return None
    return (
        Subsystem.objects.select_related("member")
        .filter(
            member__instance=parsed.instance,
            member__member_class=parsed.member_class,
            member__code=parsed.member_code,
            code=parsed.subsystem_code,
        )
        .first()
    )


def _assertion_claims(assertion: str, audiences: set[str]) -> tuple[Subsystem, dict[str, Any]]:
    signed = jws.JWS()
    try:
        signed.deserialize(assertion)
        header = signed.jose_header
        unverified = json.loads(signed.objects["payload"])
    except (JWException, ValueError, KeyError, TypeError) as exc:
        raise TokenError("invalid_client", "the client assertion is not a compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(unverified, dict):
        raise TokenError("invalid_client", "the client assertion is not a JWT")
    issuer = str(unverified.get("iss", ""))
    subsystem = _subsystem_for(issuer)
    if subsystem is None:
        raise TokenError("invalid_client", "unknown client")
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenError("invalid_client", f"algorithm {algorithm!r} is not accepted", subsystem=subsystem)
    keys = ClientKey.objects.filter(subsystem=subsystem, kind=ClientKeyKind.JWK, revoked_at__isnull=True)
    if header.get("kid"):
        keys = keys.filter(kid=str(header["kid"]))
    verified = False
    for key in keys:
        try:
            signed.verify(jwk.JWK(**key.public_jwk), alg=algorithm)
        except (JWException, ValueError, TypeError):
            continue
        verified = True
        break
    if not verified:
        raise TokenError(
            "invalid_client",
            "the assertion's signature does not match a key of the client",
            subsystem=subsystem,
        )
    claims = unverified
    if claims.get("sub") != issuer:
        raise TokenError("invalid_client", "iss and sub must both be the client id", subsystem=subsystem)
    audience = claims.get("aud")
    audience_list = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(item, str) and item in audiences for item in audience_list):
        raise TokenError("invalid_client", "aud is not this token endpoint", subsystem=subsystem)
    now = time.time()
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now - _CLOCK_SKEW:
        raise TokenError("invalid_client", "the assertion has expired or has no exp", subsystem=subsystem)
    if expires > now + setting("CONGSO_EXCHANGE_ASSERTION_MAX_SECONDS") + _CLOCK_SKEW:
        raise TokenError("invalid_client", "exp is too far ahead (at most 5 minutes)", subsystem=subsystem)
    issued = claims.get("iat")
    if issued is not None and (not isinstance(issued, int | float) or issued > now + _CLOCK_SKEW):
        raise TokenError("invalid_client", "iat is in the future", subsystem=subsystem)
    not_before = claims.get("nbf")
    if not_before is not None and (not isinstance(not_before, int | float) or not_before > now + _CLOCK_SKEW):
        raise TokenError("invalid_client", "the assertion is not valid yet", subsystem=subsystem)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise TokenError("invalid_client", "the assertion has no jti", subsystem=subsystem)
    return subsystem, claims


def _jti_use(*, client_id: str, jti: str, expires: float, subsystem: Subsystem) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            AssertionUse.objects.create(
                client=client_id, jti=jti, expires_at=datetime.fromtimestamp(expires + _CLOCK_SKEW, tz=UTC)
            )
    except IntegrityError:
        raise TokenError(
            "invalid_client", "the assertion's jti was already used (replay)", subsystem=subsystem
        ) from None
    # Spent jtis are only needed until their assertion expires.
    AssertionUse.objects.filter(client=client_id, expires_at__lt=now).delete()


@dataclass(frozen=True)
class IssuedToken:
    subsystem: Subsystem
    access_token: str
    expires_in: int
    method: str


def client_credentials_grant(*, form: Any, audiences: set[str], certificate_thumbprint: str) -> IssuedToken:
    """Authenticate the client of a token request and issue its access token, or TokenError."""
    if form.get("grant_type") != "client_credentials":
        raise TokenError("unsupported_grant_type", "only grant_type=client_credentials is supported")
    assertion = form.get("client_assertion")
    if assertion:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        subsystem, claims = _assertion_claims(str(assertion), audiences)
        client_id = subsystem.client_id
        if form.get("client_id") and form.get("client_id") != client_id:
            raise TokenError("invalid_client", "client_id does not match the assertion", subsystem=subsystem)
        if not subsystem.is_active:
            raise TokenError("invalid_client", "the client is suspended", subsystem=subsystem)
        _jti_use(client_id=client_id, jti=claims["jti"], expires=float(claims["exp"]), subsystem=subsystem)
        token, lifetime = access_token_issue(subsystem=subsystem)
        return IssuedToken(
            subsystem=subsystem, access_token=token, expires_in=lifetime, method="private_key_jwt"
        )
    if certificate_thumbprint:
        found = _subsystem_for(str(form.get("client_id", "")))
        if found is None:
            raise TokenError("invalid_client", "unknown client")
        if not ClientKey.objects.filter(
            subsystem=found,
            kind=ClientKeyKind.CERTIFICATE,
            thumbprint=certificate_thumbprint,
            revoked_at__isnull=True,
        ).exists():
            raise TokenError(
                "invalid_client", "the TLS certificate is not registered for this client", subsystem=found
            )
        if not found.is_active:
            raise TokenError("invalid_client", "the client is suspended", subsystem=found)
        token, lifetime = access_token_issue(subsystem=found, certificate_thumbprint=certificate_thumbprint)
        return IssuedToken(subsystem=found, access_token=token, expires_in=lifetime, method="tls_client_auth")
    raise TokenError(
        "invalid_client", "authenticate with a client_assertion (RFC 7523) or a TLS client certificate"
    )

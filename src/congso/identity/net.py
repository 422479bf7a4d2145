"""What the identity domain needs to know about an HTTP request: address, browser, origin."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, looking through ``CONGSO_IDENTITY_PROXY_COUNT`` proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the client is the
    entry that many places from the end; whatever the client wrote further left is ignored.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CONGSO_IDENTITY_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def safe_next(request: HttpRequest, value: str | None, *, default: str = "/") -> str:
    """``value`` if it is a path on this site (no other host, no scheme change), else ``default``."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def webauthn_rp_id(request: HttpRequest) -> str:
    """The WebAuthn relying-party id: the setting, else the request's host without the port."""
    if settings.CONGSO_WEBAUTHN_RP_ID:
        return str(settings.CONGSO_WEBAUTHN_RP_ID)
    host = request.get_host()
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if ":" in host else host


def webauthn_origins(request: HttpRequest) -> list[str]:
    if settings.CONGSO_WEBAUTHN_ORIGINS:
        return list(settings.CONGSO_WEBAUTHN_ORIGINS)
    return [f"{request.scheme}://{request.get_host()}"]

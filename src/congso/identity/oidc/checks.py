"""System checks of the OpenID Connect provider (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_issuer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without a configured issuer, ``iss`` follows the Host header of each request."""
    if settings.CONGSO_OIDC_ISSUER:
        if not settings.CONGSO_OIDC_ISSUER.startswith("https://"):
            return [
                checks.Warning(
                    "CONGSO_OIDC_ISSUER is not an https URL.",
                    hint="Relying parties must reach the provider over TLS (OpenID Connect Discovery §3).",
                    id="oidc.W002",
                )
            ]
        return []
    return [
        checks.Warning(
            "CONGSO_OIDC_ISSUER is not set: the OpenID Connect issuer is taken from each request's host.",
            hint="Set it to the public https address of the site, e.g. https://congso.gov.vn, so that "
            "tokens fetched over an internal address still name the public issuer.",
            id="oidc.W001",
        )
    ]

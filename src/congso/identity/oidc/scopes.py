"""Scopes, the claims each one releases, and the assurance levels relying parties can ask for.

One table drives the consent screen, the id_token, userinfo, /api/v1/me and discovery, so
what a citizen is told they share is exactly what is released.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congso.identity.assurance import ACR_LEVEL1, ACR_LEVEL2

# acr value -> assurance level (Decree 69/2024: level 2 adds fingerprints checked in person).
ACR_LEVELS: dict[str, int] = {ACR_LEVEL1: 1, ACR_LEVEL2: 2}

SCOPE_OPENID = "openid"

# scope -> (what the citizen is told on the consent screen, claims it releases)
SCOPES: dict[str, tuple[Promise, tuple[str, ...]]] = {
    SCOPE_OPENID: (
        _("An identifier for your account, used only by this service (not your ID number)"),
        ("sub",),
    ),
    "profile": (
        _("Full name, date of birth and sex"),
        ("name", "family_name", "middle_name", "given_name", "birthdate", "gender"),
    ),
    "phone": (_("Phone number"), ("phone_number", "phone_number_verified")),
    "address": (_("Address"), ("address",)),
    "personal_id": (_("Personal identification number"), ("personal_id",)),
}

# claim -> the scope that releases it (django-oauth-toolkit's ``oidc_claim_scope``)
CLAIM_SCOPE: dict[str, str] = {claim: scope for scope, (_text, claims) in SCOPES.items() for claim in claims}

# Claims that describe the authentication itself; only in the id_token.
AUTHENTICATION_CLAIMS = ("acr", "amr", "auth_time")


def scope_descriptions(scopes: list[str]) -> list[Promise]:
    """What the consent screen lists, in the table's order (not the request's)."""
    requested = set(scopes)
    return [text for scope, (text, _claims) in SCOPES.items() if scope in requested]


def released_claims(claims: dict[str, object], scopes: list[str] | set[str]) -> dict[str, object]:
    """Only the claims the granted scopes release, and none that are empty."""
    granted = set(scopes)
    return {
        name: value
        for name, value in claims.items()
        if CLAIM_SCOPE.get(name) in granted and value not in (None, "")
    }


def level_of(acr: str) -> int:
    return ACR_LEVELS.get(acr, 0)

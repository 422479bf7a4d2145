"""Assurance of an authentication: level of the account (acr) and the methods used (amr)."""

from __future__ import annotations

from dataclasses import dataclass, field

ACR_LEVEL1 = "urn:congso:eid:level1"
ACR_LEVEL2 = "urn:congso:eid:level2"
ACR_BY_LEVEL = {1: ACR_LEVEL1, 2: ACR_LEVEL2}

# Authentication method references, RFC 8176.
AMR_PASSWORD_SMS = ["pwd", "otp", "sms"]
AMR_PASSWORD_TOTP = ["pwd", "otp"]
AMR_PASSKEY = ["hwk", "user"]  # phishing-resistant and multi-factor on its own
AMR_PASSWORD_PASSKEY = ["pwd", "hwk"]

# Where the login puts its record of the authentication in the session.
SESSION_AUTH_KEY = "congso.identity.auth"


@dataclass(frozen=True)
class Assurance:
    """What the current session proves: ``acr`` level, ``amr`` methods, ``auth_time`` (unix s)."""

    acr: str
    amr: list[str] = field(default_factory=list)
    auth_time: int = 0

    @property
    def level(self) -> int:
        return 2 if self.acr == ACR_LEVEL2 else 1

    @property
    def multi_factor(self) -> bool:
        """Two factors were used, or one that is multi-factor on its own (a verified passkey)."""
        return len(set(self.amr)) >= 2

"""Vietnamese mobile numbers in one form: E.164, ``+84`` and nine digits."""

from __future__ import annotations

import re

from congso.core.errors import InvalidInput

# Since the 2018 renumbering every mobile number is 0 + 9 digits, starting 03, 05, 07, 08, 09.
_MOBILE = re.compile(r"^[35789]\d{8}$")
_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_normalize(raw: str) -> str:
    """``"091 234 5678"``, ``"+84912345678"`` or ``"84912345678"`` → ``"+84912345678"``."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if not _MOBILE.match(national):
        raise InvalidInput(
            "Số điện thoại di động không hợp lệ.",
            "The mobile phone number is not valid.",
            code="invalid_phone",
            field="phone",
        )
    return f"+84{national}"


def phone_mask(phone: str) -> str:
    """``+84912345678`` → ``+8491****678``: enough to recognise, not to reuse."""
    if len(phone) < 8:
        return "****"
    return f"{phone[:5]}****{phone[-3:]}"

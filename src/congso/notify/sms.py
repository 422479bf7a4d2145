"""How long an SMS may be, and what happens to a longer one.

Rules (3GPP TS 23.038 / 23.040, as Vietnamese operators apply them):

- Text is NFC-normalised first: decomposed Vietnamese would count each accent twice.
- With ``CONGSO_SMS_STRIP_DIACRITICS`` on, Vietnamese letters are written without accents
  ("Hồ sơ" → "Ho so", "đ" → "d"), as many brandname SMS contracts require; the text then
  usually fits the 7-bit GSM alphabet and costs less than half as many segments.
- A text entirely in the GSM alphabet is 7-bit: 160 characters in one SMS, 153 per segment
  when concatenated (the extension characters ``^{}[]~|€\\`` count twice). Anything else
  (any Vietnamese accent) is UCS-2: 70 characters in one SMS, 67 per segment.
- ``CONGSO_SMS_MAX_SEGMENTS`` (default 3) bounds a message. A longer text is cut at the limit
  and ends with an ellipsis, and a warning is logged with the template key: the operator
  should shorten the template. Nothing is ever silently dropped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
_GSM = frozenset(GSM_BASIC)
_GSM_EXT = frozenset(GSM_EXTENSION)
_PLAIN = str.maketrans(
    {"đ": "d", "Đ": "D", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}
)


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str  # "gsm7" or "ucs2"
    segments: int
    truncated: bool


def strip_diacritics(text: str) -> str:
    """Vietnamese without accents, as on a phone that cannot show them."""
    decomposed = unicodedata.normalize("NFD", text.translate(_PLAIN))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def _is_gsm(text: str) -> bool:
    return all(c in _GSM or c in _GSM_EXT for c in text)


def _units(text: str, encoding: str) -> int:
    if encoding == "gsm7":
        return sum(2 if c in _GSM_EXT else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def _segments(units: int, encoding: str) -> int:
    single, multi = (160, 153) if encoding == "gsm7" else (70, 67)
    if units <= single:
        return 1
    return -(-units // multi)


def _limit(max_segments: int, encoding: str) -> int:
    single, multi = (160, 153) if encoding == "gsm7" else (70, 67)
    return single if max_segments <= 1 else multi * max_segments


def sms_prepare(text: str, *, max_segments: int = 3, plain: bool = False) -> SmsText:
    """The text as it will be sent: normalised, accents stripped if asked, cut to fit."""
    text = unicodedata.normalize("NFC", text).strip()
    if plain:
        text = strip_diacritics(text)
    encoding = "gsm7" if _is_gsm(text) else "ucs2"
    limit = _limit(max_segments, encoding)
    units = _units(text, encoding)
    if units <= limit:
        return SmsText(text, encoding, _segments(units, encoding), truncated=False)
    ellipsis = "..." if encoding == "gsm7" else "…"
    budget = limit - _units(ellipsis, encoding)
    kept: list[str] = []
    used = 0
    for char in text:
        cost = _units(char, encoding)
        if used + cost > budget:
            break
        kept.append(char)
        used += cost
    cut = "".join(kept).rstrip() + ellipsis
    return SmsText(cut, encoding, _segments(_units(cut, encoding), encoding), truncated=True)

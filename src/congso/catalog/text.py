"""Diacritic-free text for searching Vietnamese: "Đăng ký khai sinh" → "dang ky khai sinh"."""

from __future__ import annotations

import re
import unicodedata

# Everything but letters, digits and the dot of procedure codes ("1.001193") separates words.
_SEPARATORS = re.compile(r"[^a-z0-9.]+")
_EDGE_DOTS = re.compile(r"(?:^|(?<=\s))\.+|\.+(?=\s|$)")


def search_normalise(text: str) -> str:
    """Lower-case, without tone and vowel marks, đ as d, words separated by single spaces.

    NFD splits "ế" into "e" plus two combining marks, which are dropped; "đ" is a letter of
    its own in Unicode (not d plus a mark), hence the explicit mapping.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = stripped.replace("đ", "d").replace("Đ", "d").lower()
    spaced = _SEPARATORS.sub(" ", lowered)
    return " ".join(_EDGE_DOTS.sub(" ", spaced).split())


def search_words(query: str) -> list[str]:
    """The distinct normalised words of a query, in order."""
    return list(dict.fromkeys(search_normalise(query).split()))


def slug_from(text: str) -> str:
    """A URL slug of a Vietnamese name: "Đăng ký khai sinh" → "dang-ky-khai-sinh"."""
    return "-".join(search_normalise(text).replace(".", " ").split())

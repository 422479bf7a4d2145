"""Money is an integer number of đồng (VND).

The đồng has no subunit in use, fees and bills are whole đồng, and integers never round.
Convention, with no custom field:

* store amounts in ``models.PositiveBigIntegerField("số tiền (đồng)")`` (a signed
  ``BigIntegerField`` only where a difference can be negative, e.g. reconciliation);
* hold them as ``int`` in Python, never ``float`` or ``Decimal``;
* convert only at the edges: :func:`parse_vnd` for what a person types,
  :func:`format_vnd` for what a person reads, and the payment protocol's own scaling
  (VNPay's ``vnp_Amount`` is đồng × 100) inside the payments adapter.
"""

from __future__ import annotations

import re

from congso.core.errors import InvalidInput

# The largest amount a PositiveBigIntegerField holds on every supported database.
VND_MAX = 2**63 - 1

_PLAIN = re.compile(r"[0-9]+", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+", re.ASCII)
_DECIMAL = re.compile(r"[0-9.]*[0-9][.,][0-9]{1,2}", re.ASCII)
_CURRENCY = re.compile(r"\s*(?:₫|đ|đồng|vnd|vnđ)\s*$", re.IGNORECASE)


def format_vnd(amount: int) -> str:
    """``1250000`` → ``"1.250.000 ₫"``: Vietnamese grouping with dots, the đồng sign after."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int number of đồng, got {amount!r}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"


def parse_vnd(text: str, *, field: str | None = None) -> int:
    """A typed amount as an int number of đồng.

    Accepts ``"1.250.000"``, ``"1250000"`` and either with a trailing ``₫``/``đ``/``VND``.
    Refuses decimals (``"1.250.000,50"``, ``"12.5"``), negatives, commas as thousands
    separators (in Vietnamese the comma marks decimals, so ``"1,250"`` is ambiguous) and
    anything else, with a message the person can act on.
    """
    raw = text if isinstance(text, str) else ""
    value = _CURRENCY.sub("", raw.strip()).strip()
    if not value:
        raise InvalidInput("Chưa nhập số tiền", "No amount given", code="invalid_amount", field=field)
    if value.startswith("-"):
        raise InvalidInput(
            "Số tiền không được âm", "The amount cannot be negative", code="invalid_amount", field=field
        )
    if _PLAIN.fullmatch(value):
        amount = int(value)
    elif _GROUPED.fullmatch(value):
        amount = int(value.replace(".", ""))
    elif _DECIMAL.fullmatch(value) or "," in value:
        raise InvalidInput(
            f"Số tiền '{raw}' phải là số nguyên đồng, không có phần lẻ; dấu chấm chỉ dùng để "
            "tách hàng nghìn (ví dụ 1.250.000)",
            f"The amount '{raw}' must be a whole number of đồng without decimals; dots only "
            "separate thousands (e.g. 1.250.000)",
            code="invalid_amount",
            field=field,
        )
    else:
        raise InvalidInput(
            f"Số tiền '{raw}' không hợp lệ: chỉ gồm chữ số, có thể tách hàng nghìn bằng dấu chấm "
            "(ví dụ 1.250.000)",
            f"Invalid amount '{raw}': digits only, optionally with dots between thousands (e.g. 1.250.000)",
            code="invalid_amount",
            field=field,
        )
    if amount > VND_MAX:
        raise InvalidInput("Số tiền quá lớn", "The amount is too large", code="invalid_amount", field=field)
    return amount

"""``{% load congso_money %}{{ fee.amount|vnd }}`` → ``1.250.000 ₫``."""

from __future__ import annotations

from django import template

from congso.core.money import format_vnd

register = template.Library()


@register.filter(name="vnd")
def vnd(amount: int | None) -> str:
    """An int number of đồng in Vietnamese notation; empty for None (no fee)."""
    if amount is None:
        return ""
    return format_vnd(amount)

"""Filters of the back-office pages: the page's half of a bilingual label, statuses by number."""

from __future__ import annotations

from typing import Any

from django import template

from ..choices import Action, DeadlineState, Status
from ..forms_office import in_language

register = template.Library()


@register.filter
def bilingual(label: Any) -> str:
    """ "Đã tiếp nhận (received)" -> "Đã tiếp nhận" on a Vietnamese page, "received" on an English one."""
    return in_language(label)


@register.filter
def status_label(value: Any) -> str:
    try:
        return in_language(Status(int(value)).label)
    except (TypeError, ValueError):
        return ""


@register.filter
def action_label(value: Any) -> str:
    try:
        return in_language(Action(str(value)).label)
    except ValueError:
        return str(value)


@register.filter
def deadline_label(value: Any) -> str:
    try:
        return in_language(DeadlineState(str(value)).label)
    except ValueError:
        return ""


_ACTION_LABELS = frozenset(str(label) for label in Action.labels)


@register.filter
def sheet_text(value: Any) -> str:
    """A control-sheet cell: an action's bilingual label in the page's language, a step name as is."""
    text = str(value)
    return in_language(text) if text in _ACTION_LABELS else text

"""Tags of the applicant's pages: labels in the page's language, and a form field with its
hint and error tied to the input (radio groups and checkbox lists in a fieldset)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.translation import get_language

from ..choices import Action, Status, label_en, label_vi

register = template.Library()


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


@register.filter
def in_language(label: Any) -> str:
    """ "Đã tiếp nhận (received)" -> "Đã tiếp nhận" on a Vietnamese page, "received" on an English one."""
    text = str(label)
    return label_en(text) if _english() else label_vi(text)


@register.filter
def status_text(value: Any) -> str:
    """A status number in words, in the page's language."""
    try:
        return in_language(Status(int(value)).label)
    except (TypeError, ValueError):
        return ""


@register.filter
def action_text(value: Any) -> str:
    try:
        return in_language(Action(str(value)).label)
    except ValueError:
        return in_language(value)


@register.filter
def status_tag(value: Any) -> str:
    """The tag modifier of a status: green once done, amber when the applicant must act."""
    try:
        status = Status(int(value))
    except (TypeError, ValueError):
        return ""
    if status in (Status.PROCESSED, Status.RETURNED):
        return "tag--available"
    if status in (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION, Status.REFUSED, Status.STOPPED):
        return "tag--warning"
    return "tag--soon"


@register.inclusion_tag("dossiers/citizen/_field.html")
def answer_field(field: forms.BoundField, hide_label: bool = False) -> dict[str, Any]:
    widget = field.field.widget
    hint_id = f"{field.auto_id}-hint" if field.help_text else ""
    error_id = f"{field.auto_id}-error" if field.errors else ""
    described = " ".join(part for part in (hint_id, error_id) if part)
    attrs: dict[str, Any] = {}
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
        attrs["class"] = "checkbox__input"
    elif isinstance(widget, forms.FileInput):
        kind = "input"
        attrs["class"] = "file-input"
    elif isinstance(widget, forms.Select):
        kind = "input"
        attrs["class"] = "select"
    elif isinstance(widget, forms.Textarea):
        kind = "input"
        attrs["class"] = "textarea"
    else:
        kind = "input"
        attrs["class"] = "input"
    grouped = kind in ("checkboxes", "radios")
    if described and not grouped:
        attrs["aria-describedby"] = described
    if field.errors and not grouped:
        attrs["aria-invalid"] = "true"
    return {
        "field": field,
        "kind": kind,
        "widget_html": "" if grouped else field.as_widget(attrs=attrs),
        "hint_id": hint_id,
        "error_id": error_id,
        "described": described,
        "hide_label": hide_label,
    }

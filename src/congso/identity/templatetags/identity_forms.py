"""``{% form_field form.name %}``: a labelled field with its hint and error tied to the input.

The input gets ``aria-describedby`` pointing at the hint and the error message and
``aria-invalid`` when there is an error, so a screen reader reads them with the field.
"""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.inclusion_tag("identity/_field.html")
def form_field(field: forms.BoundField, hide_label: bool = False) -> dict[str, Any]:
    widget = field.field.widget
    hint_id = f"{field.auto_id}-hint" if field.help_text else ""
    error_id = f"{field.auto_id}-error" if field.errors else ""
    described = " ".join(part for part in (hint_id, error_id) if part)
    attrs: dict[str, Any] = {}
    kind = "input"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
        attrs["class"] = "checkbox__input"
    elif isinstance(widget, forms.Select):
        attrs["class"] = "select"
    elif isinstance(widget, forms.Textarea):
        attrs["class"] = "textarea"
    else:
        attrs["class"] = "input"
    if described and kind != "checkboxes":
        attrs["aria-describedby"] = described
    if field.errors and kind != "checkboxes":
        attrs["aria-invalid"] = "true"
    return {
        "field": field,
        "kind": kind,
        "widget_html": field.as_widget(attrs=attrs) if kind != "checkboxes" else "",
        "hint_id": hint_id,
        "error_id": error_id,
        "described": described,
        "hide_label": hide_label,
    }

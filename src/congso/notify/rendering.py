"""Rendering message templates with Django's engine, boxed in.

The engines here have no template loaders and no tag libraries beyond the built-ins, so an
operator's template cannot read files or load code; ``{% load %}``, ``{% include %}``,
``{% extends %}`` and ``{% debug %}`` are refused when a template is saved and when it is
rendered. Context values must be plain data, so a template cannot call a method of a model.
SMS, e-mail subjects and in-app texts are rendered as plain text (the page that shows an in-app
message escapes it); the HTML part of an e-mail is rendered with autoescaping on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.html import linebreaks

from congso.core.errors import InvalidInput

from .defaults import TemplateDefault, template_default_get
from .models import Channel, MessageTemplate

_BUILTINS = ["django.contrib.humanize.templatetags.humanize"]
# No loaders: {% include %} and {% extends %} could not find a file even if they were allowed.
_ENGINE = Engine(loaders=[], builtins=_BUILTINS, string_if_invalid="")
_FORBIDDEN_TAG = re.compile(r"\{%-?\s*(load|include|extends|debug|block|ssi)\b")
_PLAIN_TYPES = (str, int, float, bool, Decimal, datetime.date, datetime.time, type(None))


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    body_html: str = ""


def template_source_check(source: str) -> None:
    """Raise ``InvalidInput`` if an operator's template would not render safely."""
    if match := _FORBIDDEN_TAG.search(source):
        raise InvalidInput(
            f"Mẫu không được dùng thẻ {{% {match.group(1)} %}}.",
            f"Templates may not use the {{% {match.group(1)} %}} tag.",
            code="template_forbidden_tag",
        )
    try:
        Template(source, engine=_ENGINE)
    except TemplateSyntaxError as exc:
        raise InvalidInput(
            f"Mẫu viết sai cú pháp: {exc}", f"Template syntax error: {exc}", code="template_syntax"
        ) from exc


def context_plain(context: Mapping[str, Any], *, _path: str = "context") -> dict[str, Any]:
    """A copy of the context that holds only plain data; anything else is a programming error."""
    plain: dict[str, Any] = {}
    for key, value in context.items():
        if not isinstance(key, str):
            raise TypeError(f"{_path}: keys must be strings, not {type(key).__name__}")
        plain[key] = _plain_value(value, f"{_path}.{key}")
    return plain


def _plain_value(value: Any, path: str) -> Any:
    if isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, Mapping):
        return context_plain(value, _path=path)
    if isinstance(value, list | tuple):
        return [_plain_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{path}: only plain data may go into a message, not {type(value).__name__}")


_PARTS = {
    "sms": ("", "sms"),
    "email": ("email_subject", "email_body"),
    "inapp": ("inapp_title", "inapp_body"),
}


def _sources(key: str, channel: str, language: str) -> tuple[str, str]:
    """The subject and body sources: the operator's text, else the code default; English falls back to Vietnamese."""
    row = MessageTemplate.objects.filter(key=key).first()
    default = template_default_get(key)
    if row is None and default is None:
        raise InvalidInput(
            f"Không có mẫu thông báo “{key}”.",
            f"There is no message template “{key}”.",
            code="template_missing",
        )
    subject_prefix, body_prefix = _PARTS[channel]
    subject = (
        _first_filled(row, default, [f"{subject_prefix}_{language}", f"{subject_prefix}_vi"])
        if subject_prefix
        else ""
    )
    body = _first_filled(row, default, [f"{body_prefix}_{language}", f"{body_prefix}_vi"])
    if not body:
        raise InvalidInput(
            f"Mẫu “{key}” chưa có nội dung cho kênh {channel}.",
            f"Template “{key}” has no text for the {channel} channel.",
            code="template_missing",
        )
    return subject, body


def _first_filled(row: MessageTemplate | None, default: TemplateDefault | None, names: list[str]) -> str:
    for name in names:
        for source in (row, default):
            if source is not None and (text := getattr(source, name)).strip():
                return str(text)
    return ""


def _render(source: str, context: dict[str, Any], *, html: bool) -> str:
    template_source_check(source)
    return Template(source, engine=_ENGINE).render(Context(context, autoescape=html))


def template_render(*, key: str, channel: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """The message ``key`` for ``channel`` in ``language`` ("vi" or "en"), rendered with ``context``."""
    plain = context_plain(context)
    subject_source, body_source = _sources(key, channel, language)
    with translation.override(language):
        subject = " ".join(_render(subject_source, plain, html=False).split())
        body = _render(body_source, plain, html=False).strip()
        body_html = ""
        if channel == Channel.EMAIL:
            # Values are escaped by the render; blank lines in the operator's text become
            # paragraphs (no second escaping: that would show "&amp;lt;" to the reader).
            inner = linebreaks(_render(body_source, plain, html=True).strip(), autoescape=False)
            body_html = f'<!doctype html><html lang="{language}"><body>{inner}</body></html>'
    return Rendered(subject=subject, body=body, body_html=body_html)

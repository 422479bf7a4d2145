"""API schemas of the registry: only what the caller may see leaves through them."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class OrganisationPublicOut(Schema):
    """The public record of an enterprise: never its representative or contact details."""

    code: str
    name: str
    english_name: str
    legal_form: str
    legal_form_label: str
    status: str
    status_label: str
    founded_date: date
    address: str


class ErrorOut(Schema):
    """A refusal, in Vietnamese first and English second."""

    code: str
    message: str
    message_vi: str
    message_en: str
    field: str | None = None

"""Test data for the catalog: procedures built through the models' own rules."""

from __future__ import annotations

import itertools
from typing import Any

from congso.catalog.models import FeeItem, Procedure, ProcedureField, RequiredDocument

_codes = itertools.count(100)

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def form_schema() -> dict[str, Any]:
    """A small form: a prefilled name and ID number, a date, a choice and a declaration box."""
    return {
        "$schema": DIALECT,
        "type": "object",
        "additionalProperties": False,
        "required": ["full_name", "personal_id", "date_of_birth", "sex", "declaration"],
        "properties": {
            "full_name": {"title": "Họ và tên", "type": "string", "minLength": 1, "maxLength": 100},
            "personal_id": {"title": "Số định danh cá nhân", "type": "string", "pattern": "^[0-9]{12}$"},
            "date_of_birth": {"title": "Ngày sinh", "type": "string", "format": "date"},
            "sex": {"title": "Giới tính", "type": "string", "enum": ["M", "F"]},
            "copies": {"title": "Số bản", "type": "integer", "minimum": 1, "maximum": 10},
            "declaration": {"title": "Tôi cam đoan khai đúng sự thật", "type": "boolean", "const": True},
        },
    }


def form_ui() -> dict[str, Any]:
    return {
        "order": ["full_name", "personal_id", "date_of_birth", "sex", "copies", "declaration"],
        "fields": {
            "full_name": {"label_en": "Full name", "prefill": "population.full_name", "readonly": True},
            "personal_id": {"label_en": "Personal ID number", "prefill": "population.personal_id"},
            "date_of_birth": {"label_en": "Date of birth", "widget": "date"},
            "sex": {"label_en": "Sex", "widget": "radio"},
            "copies": {"label_en": "Number of copies", "widget": "number"},
            "declaration": {"label_en": "I declare the above is true", "widget": "checkbox"},
        },
    }


def field(*, code: str = "ho-tich", name: str = "Hộ tịch") -> ProcedureField:
    existing = ProcedureField.objects.filter(code=code).first()
    return existing or ProcedureField.objects.create(code=code, name=name)


def procedure(
    *,
    name: str = "Đăng ký khai sinh",
    code: str | None = None,
    field_code: str = "ho-tich",
    field_name: str = "Hộ tịch",
    fees: list[tuple[str, int]] | None = None,
    documents: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Procedure:
    """A published, valid procedure; ``fees`` as (name, amount) pairs, none by default."""
    values: dict[str, Any] = {
        "code": code or f"1.{next(_codes):06d}",
        "name": name,
        "field": field(code=field_code, name=field_name),
        "level": "commune",
        "agency_kind": "justice",
        "legal_basis": "Luật Hộ tịch số 60/2014/QH13\nNghị định số 123/2015/NĐ-CP",
        "steps": "Nộp hồ sơ trực tuyến\nNhận kết quả",
        "processing_days": 1,
        "result_type": "certificate",
        "result_name": "Giấy khai sinh",
        "online_level": "full",
        "assurance_level": 2,
        "published": True,
        "form_schema": form_schema(),
        "form_ui": form_ui(),
        **overrides,
    }
    item = Procedure(**values)
    item.full_clean()
    item.save()
    for position, document in enumerate(documents or [], start=1):
        RequiredDocument.objects.create(procedure=item, order=position, **document)
    for position, (fee_name, amount) in enumerate(fees or [], start=1):
        FeeItem.objects.create(procedure=item, order=position, name=fee_name, amount=amount)
    return item

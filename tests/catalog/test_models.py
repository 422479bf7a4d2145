"""Procedures keep their search text current and refuse broken forms; answers get per-field messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from congso.catalog.models import Procedure
from congso.catalog.selectors import procedure_form_fields, procedure_form_validate, procedure_search

from . import factories

pytestmark = pytest.mark.django_db

VALID_ANSWERS = {
    "full_name": "Nguyễn Văn An",
    "personal_id": "001090123456",
    "date_of_birth": "1990-05-17",
    "sex": "M",
    "declaration": True,
}


def clean_errors(**overrides: Any) -> dict[str, list[str]]:
    procedure = Procedure(**{**factories_values(), **overrides})
    with pytest.raises(ValidationError) as caught:
        procedure.full_clean()
    return caught.value.message_dict


def factories_values() -> dict[str, Any]:
    return {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": factories.field(),
        "level": "commune",
        "agency_kind": "justice",
        "legal_basis": "Luật Hộ tịch số 60/2014/QH13",
        "processing_days": 1,
        "result_type": "certificate",
        "result_name": "Giấy khai sinh",
        "online_level": "full",
        "form_schema": factories.form_schema(),
        "form_ui": factories.form_ui(),
    }


# --- Search text ------------------------------------------------------------------------------------
def test_renaming_a_procedure_changes_what_finds_it() -> None:
    procedure = factories.procedure(name="Đăng ký khai sinh")

    procedure.name = "Đăng ký khai sinh lưu động"
    procedure.save(update_fields=["name"])

    assert procedure.slug == "dang-ky-khai-sinh-luu-dong"
    assert [p.code for p in procedure_search(query="luu dong")] == [procedure.code]


def test_renaming_a_field_changes_what_finds_its_procedures() -> None:
    procedure = factories.procedure(name="Đăng ký khai sinh", field_code="ho-tich", field_name="Hộ tịch")
    field = procedure.field

    field.name = "Hộ tịch và quốc tịch"
    field.save()

    assert [p.code for p in procedure_search(query="quoc tich")] == [procedure.code]


# --- The form definition -----------------------------------------------------------------------------
def test_a_valid_procedure_passes_its_checks() -> None:
    Procedure(**factories_values()).full_clean()


def test_an_invalid_json_schema_is_refused() -> None:
    errors = clean_errors(form_schema={"type": "object", "properties": {"name": {"type": "texte"}}})

    assert "JSON Schema" in " ".join(errors["form_schema"])
    assert "properties.name.type" in " ".join(errors["form_schema"])


def test_a_form_must_be_an_object_with_properties() -> None:
    errors = clean_errors(form_schema={"type": "string"}, form_ui={})

    assert 'phải có "type": "object"' in " ".join(errors["form_schema"])


def test_an_older_schema_dialect_is_refused() -> None:
    schema = {**factories.form_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}

    assert "2020-12" in " ".join(clean_errors(form_schema=schema)["form_schema"])


def test_schemas_that_reference_outside_documents_are_refused() -> None:
    schema = factories.form_schema()
    schema["properties"]["address"] = {"$ref": "https://example.com/address.json"}

    assert "https://example.com/address.json" in " ".join(clean_errors(form_schema=schema)["form_schema"])


def test_required_fields_must_exist() -> None:
    schema = {**factories.form_schema(), "required": ["full_name", "nickname"]}

    assert "nickname" in " ".join(clean_errors(form_schema=schema)["form_schema"])


@pytest.mark.parametrize(
    ("ui", "expected"),
    [
        ({"fields": {"full_name": {"prefill": "population.shoe_size"}}}, "population.shoe_size"),
        ({"fields": {"nickname": {"widget": "text"}}}, "ui.fields.nickname"),
        ({"fields": {"full_name": {"widget": "slider"}}}, "slider"),
        ({"fields": {"full_name": {"widget": "select"}}}, "enum"),
        ({"fields": {"full_name": {"colour": "red"}}}, "ui.fields.full_name.colour"),
        ({"order": ["full_name", "nickname"]}, "nickname"),
        ({"layout": "grid"}, "ui.layout"),
    ],
)
def test_ui_hints_are_checked(ui: dict[str, Any], expected: str) -> None:
    assert expected in " ".join(clean_errors(form_ui=ui)["form_ui"])


def test_the_code_and_a_legal_basis_are_required() -> None:
    errors = clean_errors(code="1001193", legal_basis="  \n ")

    assert "1.001193" in errors["code"][0]
    assert "legal_basis" in errors


def test_unknown_file_types_are_refused() -> None:
    procedure = factories.procedure()
    document = procedure.documents.create(name="Giấy chứng sinh", file_types="pdf,exe")

    with pytest.raises(ValidationError) as caught:
        document.full_clean()

    assert "exe" in caught.value.message_dict["file_types"][0]


# --- Applicants' answers -------------------------------------------------------------------------------
def test_acceptable_answers_have_no_errors() -> None:
    procedure = factories.procedure()

    assert procedure_form_validate(procedure=procedure, data=VALID_ANSWERS) == {}


def test_each_wrong_answer_gets_its_own_message_in_both_languages() -> None:
    procedure = factories.procedure()
    answers = {
        "personal_id": "12345",
        "date_of_birth": "17/05/1990",
        "sex": "X",
        "copies": 0,
        "declaration": False,
        "favourite_colour": "đỏ",
    }

    errors = procedure_form_validate(procedure=procedure, data=answers)

    assert errors["full_name"].message_vi == "Chưa nhập họ và tên"
    assert errors["full_name"].message_en == "Full name is required"
    assert errors["personal_id"].message_vi == "Số định danh cá nhân không đúng định dạng"
    assert errors["personal_id"].message_en == "Personal ID number is not in the expected format"
    assert "năm-tháng-ngày" in errors["date_of_birth"].message_vi
    assert "YYYY-MM-DD" in errors["date_of_birth"].message_en
    assert errors["sex"].message_en == "Sex must be one of: M, F"
    assert errors["copies"].message_vi == "Số bản phải lớn hơn hoặc bằng 1"
    assert errors["declaration"].message_en == "You need to confirm: I declare the above is true"
    assert errors["favourite_colour"].message_en == "'favourite_colour' is not a field of this form"
    assert set(errors) == {
        "full_name",
        "personal_id",
        "date_of_birth",
        "sex",
        "copies",
        "declaration",
        "favourite_colour",
    }


def test_a_missing_declaration_asks_for_confirmation() -> None:
    procedure = factories.procedure()
    answers = {key: value for key, value in VALID_ANSWERS.items() if key != "declaration"}

    errors = procedure_form_validate(procedure=procedure, data=answers)

    assert errors["declaration"].message_vi == "Bạn cần xác nhận: Tôi cam đoan khai đúng sự thật"


def test_wrong_types_are_named() -> None:
    procedure = factories.procedure()

    errors = procedure_form_validate(procedure=procedure, data={**VALID_ANSWERS, "copies": "hai"})

    assert errors["copies"].message_vi == "Số bản phải là số nguyên"
    assert errors["copies"].message_en == "Number of copies must be a whole number"


def test_answers_that_are_not_an_object_are_refused_as_a_whole() -> None:
    procedure = factories.procedure()

    errors = procedure_form_validate(procedure=procedure, data=["Nguyễn Văn An"])

    assert list(errors) == ["__all__"]


def test_form_fields_come_in_order_with_their_prefill_source() -> None:
    procedure = factories.procedure()

    fields = procedure_form_fields(procedure=procedure)

    assert [field.name for field in fields][:3] == ["full_name", "personal_id", "date_of_birth"]
    assert fields[0].prefill is not None
    assert fields[0].prefill.service == "registry.citizen"
    assert fields[0].readonly
    assert fields[0].required
    assert fields[4].name == "copies"
    assert not fields[4].required
    assert fields[4].prefill is None

"""Operators move procedures as JSON: export, import all-or-nothing by code, the demo catalog."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from congso.catalog.models import FeeItem, Procedure, ProcedureField
from congso.catalog.selectors import procedure_export, procedure_form_validate, procedure_get
from congso.catalog.services import (
    ImportRejected,
    catalog_demo_load,
    procedure_import,
    procedure_import_file,
)
from congso.core.models import AuditEntry
from congso.registry.choices import AgencyKind, AgencyLevel
from congso.registry.models import Agency

from . import factories

pytestmark = pytest.mark.django_db


def stable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """An export without what changes on every write (timestamps)."""
    return [{k: v for k, v in item.items() if k != "updated_at"} for item in data["procedures"]]


def catalog_file(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {"format": "congso.catalog/1", "procedures": list(procedures)}


def valid_item(code: str = "1.001193", **overrides: Any) -> dict[str, Any]:
    item = {
        "code": code,
        "name": "Đăng ký khai sinh",
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "level": "commune",
        "agency_kind": "justice",
        "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
        "processing_days": 1,
        "result_type": "certificate",
        "result_name": "Giấy khai sinh",
        "online_level": "full",
        "published": True,
        "documents": [{"name": "Giấy chứng sinh"}],
        "fees": [],
        "form": {"schema": factories.form_schema(), "ui": factories.form_ui()},
    }
    item.update(overrides)
    return item


def test_export_then_import_gives_back_the_same_catalog() -> None:
    ward = Agency.objects.create(
        code="H01.01.01",
        name="UBND phường Ba Đình",
        level=AgencyLevel.COMMUNE,
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )
    linked = factories.procedure(
        name="Chứng thực bản sao từ bản chính",
        code="2.000815",
        fees=[("Phí chứng thực", 2_000), ("Phí chứng thực từ trang thứ ba", 1_000)],
        documents=[
            {"name": "Bản chính giấy tờ", "file_types": "", "mandatory": True},
            {"name": "Giấy tờ tùy thân", "registry_source": "population", "copies": 2, "mandatory": False},
        ],
        keywords="sao y bản chính",
        processing_note="Trong ngày",
        for_organisations=True,
    )
    linked.agencies.add(ward)
    factories.procedure(name="Đăng ký khai sinh", code="1.001193", published=False)
    exported = procedure_export()

    Procedure.objects.all().delete()
    ProcedureField.objects.all().delete()
    report = procedure_import(data=json.loads(json.dumps(exported)))

    assert sorted(report.created) == ["1.001193", "2.000815"]
    again = procedure_export()
    assert stable(again) == stable(exported)
    assert procedure_get(code="2.000815").agencies.get() == ward
    assert procedure_get(code="2.000815").for_organisations
    assert not Procedure.objects.get(code="1.001193").published
    assert not Procedure.objects.get(code="1.001193").for_organisations


def test_who_may_apply_is_imported_and_defaults_to_people_only() -> None:
    procedure_import(data=catalog_file(valid_item(), valid_item(code="2.000815", for_organisations=True)))

    assert not Procedure.objects.get(code="1.001193").for_organisations
    assert Procedure.objects.get(code="2.000815").for_organisations
    with pytest.raises(ImportRejected) as caught:
        procedure_import(data=catalog_file(valid_item(code="1.000656", for_organisations="có")))
    assert [(problem.procedure, problem.path) for problem in caught.value.problems] == [
        ("1.000656", "for_organisations")
    ]


def test_importing_the_same_file_twice_changes_nothing() -> None:
    data = catalog_file(valid_item())
    procedure_import(data=data)
    entries = AuditEntry.objects.count()

    report = procedure_import(data=copy.deepcopy(data))

    assert (report.created, report.updated, report.unchanged) == ([], [], ["1.001193"])
    assert Procedure.objects.get(code="1.001193").version == 1
    assert AuditEntry.objects.count() == entries


def test_a_changed_procedure_is_updated_by_code_with_a_new_version_and_audited() -> None:
    procedure_import(data=catalog_file(valid_item()))

    changed = valid_item(processing_days=2, fees=[{"name": "Lệ phí", "amount": 8000}])
    report = procedure_import(data=catalog_file(changed), source="update.json")

    assert report.updated == ["1.001193"]
    procedure = Procedure.objects.get(code="1.001193")
    assert (procedure.version, procedure.processing_days) == (2, 2)
    assert list(FeeItem.objects.filter(procedure=procedure).values_list("amount", flat=True)) == [8000]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["catalog.procedure.update", "catalog.procedure.import"]
    assert "catalog.procedure.create" in actions


def test_an_invalid_file_is_refused_whole_with_every_problem_reported() -> None:
    bad_schema = valid_item("1.000656", name="Đăng ký khai tử")
    bad_schema["form"]["schema"]["properties"]["sex"]["type"] = "gender"
    bad_values = valid_item("1.000894", name="Đăng ký kết hôn", level="district")
    bad_values["fees"] = [{"name": "Lệ phí", "amount": 12.5}]
    bad_prefill = valid_item("2.000635", name="Cấp bản sao trích lục hộ tịch")
    bad_prefill["form"]["ui"]["fields"]["full_name"]["prefill"] = "population.favourite_food"
    data = catalog_file(
        valid_item(), bad_schema, bad_values, bad_prefill, valid_item("1.000894", agencies=["X99"])
    )

    with pytest.raises(ImportRejected) as caught:
        procedure_import(data=data)

    problems = [(problem.procedure, problem.path) for problem in caught.value.problems]
    assert ("1.000656", "form.schema.properties.sex.type") in problems
    assert ("1.000894", "level") in problems
    assert ("1.000894", "fees.0.amount") in problems
    assert ("2.000635", "form.ui.fields.full_name.prefill") in problems
    assert ("1.000894", "code") in problems  # the same code twice in one file
    assert ("1.000894", "agencies") in problems
    messages = " ".join(problem.message for problem in caught.value.problems)
    assert "population.favourite_food" in messages
    assert "district" in messages
    assert Procedure.objects.count() == 0  # the valid first procedure was not written either
    assert ProcedureField.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="catalog.").count() == 0


def test_missing_and_unknown_keys_are_named() -> None:
    item = valid_item()
    del item["name"]
    item["colour"] = "red"

    with pytest.raises(ImportRejected) as caught:
        procedure_import(data=catalog_file(item))

    found = {(problem.path, problem.message_en) for problem in caught.value.problems}
    assert ("name", "Required but missing") in found
    assert ("", "Unsupported key(s): colour") in found


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"procedures": [', "line 1"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b'{"procedures": {}}', "not a procedure catalog"),
        (b'{"format": "other/2", "procedures": []}', "not a procedure catalog"),
    ],
)
def test_files_that_are_not_catalogs_are_refused(content: bytes, expected: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        procedure_import_file(content=content)

    assert expected in caught.value.problems[0].message_en


def test_the_commands_round_trip(tmp_path: Path) -> None:
    factories.procedure(name="Đăng ký khai sinh", code="1.001193", fees=[("Lệ phí", 8_000)])
    path = tmp_path / "catalog.json"

    call_command("catalog_export", str(path), stderr=io.StringIO())
    exported = json.loads(path.read_text(encoding="utf-8"))
    Procedure.objects.all().delete()
    out = io.StringIO()
    call_command("catalog_import", str(path), stdout=out)

    assert "1 thủ tục mới" in out.getvalue()
    assert stable(procedure_export()) == stable(exported)


def test_the_import_command_lists_problems_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(catalog_file(valid_item(code="1001193"))), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("catalog_import", str(path), stderr=err)

    assert "1001193 code: Mã thủ tục phải có dạng 1.001193" in err.getvalue()
    assert not Procedure.objects.exists()


def test_export_of_chosen_codes_only() -> None:
    factories.procedure(code="1.001193")
    factories.procedure(code="1.000656")

    assert [item["code"] for item in procedure_export(codes=["1.000656"])["procedures"]] == ["1.000656"]


# --- The demo catalog ------------------------------------------------------------------------------------
def test_the_demo_catalog_loads_once() -> None:
    first = catalog_demo_load()
    second = catalog_demo_load()

    assert len(first.created) >= 10
    assert second.created == []
    assert second.updated == []
    assert set(Procedure.objects.values_list("version", flat=True)) == {1}


def test_the_demo_catalog_covers_the_issue(demo_catalog: object) -> None:
    expected = {
        "1.001193": "Đăng ký khai sinh",
        "1.004222": "Đăng ký thường trú",
        "1.000894": "Đăng ký kết hôn",
        "2.000720": "Đăng ký thành lập hộ kinh doanh",
        "1.002809": "Đổi giấy phép lái xe",
    }
    for code, name in expected.items():
        assert procedure_get(code=code).name == name
    birth = procedure_get(code="1.001193")
    assert not list(birth.fees.all())
    assert "Nghị định số 123/2015/NĐ-CP" in birth.legal_basis
    assert any(document.registry_source == "population" for document in birth.documents.all())
    judicial = procedure_get(code="2.001417")
    assert (judicial.processing_days, judicial.fees.first().amount) == (10, 200_000)  # type: ignore[union-attr]
    assert procedure_get(code="1.002809").fees.get().amount == 135_000
    assert procedure_get(code="1.004222").processing_days == 7
    assert {p.online_level for p in Procedure.objects.all()} == {"full", "partial"}
    prefills = {
        hint.get("prefill")
        for procedure in Procedure.objects.all()
        for hint in procedure.form_ui["fields"].values()
    }
    assert {"population.full_name", "population.personal_id", "driver_licences.number"} <= prefills


def test_the_demo_birth_registration_form_validates_answers(demo_catalog: object) -> None:
    birth = procedure_get(code="1.001193")

    errors = procedure_form_validate(procedure=birth, data={"child_sex": "X"})

    assert errors["child_full_name"].message_vi == "Chưa nhập họ, chữ đệm và tên của trẻ"
    assert errors["child_sex"].message_en == "Child's sex must be one of: M, F"

"""Operators edit procedures in the admin: inlines, JSON form validation, import and export, audit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.catalog.models import Procedure
from congso.core.models import AuditEntry

from . import factories

pytestmark = pytest.mark.django_db

CHANGE = "/admin/catalog/procedure/{pk}/change/"


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch) -> Client:
    # The second-factor rule of the admin belongs to identity and is tested there.
    monkeypatch.setattr(
        admin.site, "has_permission", lambda request: request.user.is_active and request.user.is_staff
    )
    user = get_user_model().objects.create_superuser("operator", password="Dung-trung-1a!")
    client = Client()
    client.force_login(user)
    return client


def form_data(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field_id,
        "published": "on",
        "level": procedure.level,
        "agency_kind": procedure.agency_kind,
        "description": procedure.description,
        "steps": procedure.steps,
        "legal_basis": procedure.legal_basis,
        "keywords": procedure.keywords,
        "result_type": procedure.result_type,
        "result_name": procedure.result_name,
        "processing_days": procedure.processing_days,
        "processing_note": procedure.processing_note,
        "online_level": procedure.online_level,
        "assurance_level": procedure.assurance_level,
        "form_schema": json.dumps(procedure.form_schema),
        "form_ui": json.dumps(procedure.form_ui),
        # What the page carries for fields with a callable default, as a browser would send back.
        "initial-form_schema": json.dumps(procedure.form_schema),
        "initial-form_ui": json.dumps(procedure.form_ui),
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "fees-TOTAL_FORMS": "1",
        "fees-INITIAL_FORMS": "0",
        "fees-0-order": "1",
        "fees-0-name": "Lệ phí",
        "fees-0-amount": "8000",
        "fees-0-condition": "",
    }
    data.update(changes)
    return data


def test_saving_in_the_admin_bumps_the_version_and_is_audited(operator: Client) -> None:
    procedure = factories.procedure(name="Đăng ký khai sinh")

    response = operator.post(
        CHANGE.format(pk=procedure.pk), form_data(procedure, name="Đăng ký khai sinh lưu động")
    )

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.name, procedure.version) == ("Đăng ký khai sinh lưu động", 2)
    assert list(procedure.fees.values_list("amount", flat=True)) == [8000]
    entry = AuditEntry.objects.get(action="catalog.procedure.update")
    assert entry.details["fields"] == ["name"]
    assert entry.details["fees_changed"] is True


def test_an_invalid_json_schema_is_shown_and_not_saved(operator: Client) -> None:
    procedure = factories.procedure()
    schema = {"type": "object", "properties": {"full_name": {"type": "texte"}}}

    response = operator.post(
        CHANGE.format(pk=procedure.pk), form_data(procedure, form_schema=json.dumps(schema))
    )

    assert response.status_code == 200
    assert "Lược đồ JSON Schema không hợp lệ" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.form_schema == factories.form_schema()
    assert procedure.version == 1


def test_an_unknown_prefill_source_is_shown_and_not_saved(operator: Client) -> None:
    procedure = factories.procedure()
    ui = {"fields": {"full_name": {"prefill": "population.shoe_size"}}}

    response = operator.post(CHANGE.format(pk=procedure.pk), form_data(procedure, form_ui=json.dumps(ui)))

    assert "population.shoe_size" in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).form_ui == factories.form_ui()


def test_export_action_downloads_json(operator: Client) -> None:
    procedure = factories.procedure(code="1.001193", fees=[("Lệ phí", 8_000)])

    response = operator.post(
        "/admin/catalog/procedure/", {"action": "export_json", "_selected_action": [procedure.pk]}
    )

    assert response["Content-Disposition"].startswith('attachment; filename="thu-tuc-')
    data = json.loads(response.content)
    assert data["format"] == "congso.catalog/1"
    assert data["procedures"][0]["fees"] == [{"name": "Lệ phí", "amount": 8000, "condition": ""}]


def test_the_import_page_imports_a_file(operator: Client) -> None:
    factories.procedure(code="1.001193", name="Đăng ký khai sinh")
    exported = operator.post(
        "/admin/catalog/procedure/",
        {"action": "export_json", "_selected_action": list(Procedure.objects.values_list("pk", flat=True))},
    ).content
    data = json.loads(exported)
    data["procedures"][0]["processing_days"] = 3

    response = operator.post(
        "/admin/catalog/procedure/import/",
        {"file": SimpleUploadedFile("catalog.json", json.dumps(data).encode(), "application/json")},
        follow=True,
    )

    assert "1 cập nhật" in response.content.decode()
    assert Procedure.objects.get(code="1.001193").processing_days == 3
    assert AuditEntry.objects.filter(
        action="catalog.procedure.update", actor_label__contains="operator"
    ).exists()


def test_the_import_page_lists_problems_and_writes_nothing(operator: Client) -> None:
    bad = {"procedures": [{"code": "1.001193", "name": "Đăng ký khai sinh"}]}

    response = operator.post(
        "/admin/catalog/procedure/import/",
        {"file": SimpleUploadedFile("bad.json", json.dumps(bad).encode(), "application/json")},
    )

    html = response.content.decode()
    assert 'id="import-problems"' in html
    assert "1.001193 field: Thiếu thông tin bắt buộc" in html
    assert not Procedure.objects.exists()


def test_the_admin_search_ignores_diacritics(operator: Client) -> None:
    factories.procedure(name="Đăng ký khai sinh", code="1.001193")
    factories.procedure(name="Cấp giấy phép xây dựng", code="1.009994")

    html = operator.get("/admin/catalog/procedure/", {"q": "dang ky"}).content.decode()

    assert "1.001193" in html
    assert "1.009994" not in html

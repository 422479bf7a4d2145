"""GET /api/v1/registry/organisations/{code}: public fields only, clear 404 and 422."""

from __future__ import annotations

import pytest
from django.test import Client

from congso.registry.models import Organisation

from . import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/registry/organisations/"


@pytest.fixture
def organisation(units: dict) -> Organisation:
    boss = factories.citizen(commune=units["saigon"], phone="0987654321", email="giamdoc@example.com")
    return factories.organisation(commune=units["saigon"], representative=boss, legal_form="joint_stock")


def test_an_enterprise_is_found_with_its_public_fields(client: Client, organisation: Organisation) -> None:
    response = client.get(URL + organisation.code)

    assert response.status_code == 200
    assert response.json() == {
        "code": organisation.code,
        "name": "Công ty TNHH Thương mại Hòa Bình",
        "english_name": "Hoa Binh Trading Company Limited",
        "legal_form": "joint_stock",
        "legal_form_label": "Công ty cổ phần",
        "status": "active",
        "status_label": "Đang hoạt động",
        "founded_date": "2012-03-04",
        "address": "Số 8, phố Hàng Bài, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    }


def test_private_fields_never_leave(client: Client, organisation: Organisation) -> None:
    body = client.get(URL + organisation.code).content.decode()

    assert organisation.representative is not None
    for private in (
        organisation.representative.personal_id,
        organisation.representative.full_name,
        organisation.representative.phone,
        organisation.phone,
        organisation.email,
        "representative",
    ):
        assert private not in body


def test_a_branch_code_is_looked_up_too(client: Client, organisation: Organisation, units: dict) -> None:
    factories.organisation(
        commune=units["hoan_kiem"], code=f"{organisation.code}-001", name="Chi nhánh Hà Nội"
    )

    response = client.get(URL + f"{organisation.code}-001")

    assert response.status_code == 200
    assert response.json()["name"] == "Chi nhánh Hà Nội"


def test_an_unknown_enterprise_is_a_clear_404(client: Client, units: dict) -> None:
    code = factories.tax_code()

    response = client.get(URL + code)

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert code in body["message_vi"]
    assert "No enterprise" in body["message_en"]


@pytest.mark.parametrize(
    "code", ["12345", "abcdefghij", "0101234567-1", "0" * 200, "%E1%BB%87", "01012345678"]
)
def test_a_malformed_code_is_a_clear_422(client: Client, code: str) -> None:
    response = client.get(URL + code)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "organisation_code_format"
    assert "10 chữ số" in body["message_vi"]
    assert "10 digits" in body["message_en"]


def test_a_mistyped_check_digit_is_a_422_naming_the_digit(client: Client) -> None:
    code = factories.tax_code()
    response = client.get(URL + code[:9] + str((int(code[9]) + 1) % 10))
    assert response.status_code == 422
    assert "check digit" in response.json()["message_en"]


def test_the_endpoint_is_documented_in_openapi(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/registry/organisations/{code}"]["get"]
    assert set(operation["responses"]) == {"200", "404", "422"}

"""The catalog's JSON API: search with filters and pages, one procedure, clear 422s, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/catalog/procedures"

REGISTRY_DOCUMENT = {
    "name": "Giấy tờ tùy thân của người yêu cầu",
    "registry_source": "population",
    "file_types": "",
}
UPLOAD_DOCUMENT = {"name": "Giấy chứng sinh", "file_types": "pdf,jpg", "copies": 1}


def get(path: str, **params: Any) -> Any:
    return Client().get(path, params)


def test_search_returns_a_page_of_summaries() -> None:
    factories.procedure(name="Đăng ký khai sinh", code="1.001193")
    factories.procedure(name="Cấp Phiếu lý lịch tư pháp", code="2.001417", fees=[("Phí", 200_000)])

    response = get(LIST, q="dang ky khai sinh")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("count", "page", "page_size", "pages")} == {
        "count": 1,
        "page": 1,
        "page_size": 20,
        "pages": 1,
    }
    [result] = body["results"]
    assert result["code"] == "1.001193"
    assert result["name"] == "Đăng ký khai sinh"
    assert result["url"] == "/thu-tuc/1.001193/"
    assert result["field"] == {"code": "ho-tich", "name": "Hộ tịch"}
    assert result["level"] == "commune"
    assert result["level_label"] == "Cấp xã"
    assert result["online_level"] == "full"
    assert result["online_level_label"] == "Dịch vụ công trực tuyến toàn trình"
    assert result["processing_days"] == 1
    assert result["fee_free"] is True


def test_filters_and_pages() -> None:
    factories.procedure(name="Đăng ký khai sinh")
    factories.procedure(name="Đăng ký kết hôn", online_level="partial")
    factories.procedure(
        name="Cấp Phiếu lý lịch tư pháp",
        level="province",
        field_code="ly-lich-tu-phap",
        field_name="Lý lịch tư pháp",
    )

    assert [r["name"] for r in get(LIST, level="province").json()["results"]] == ["Cấp Phiếu lý lịch tư pháp"]
    assert [r["name"] for r in get(LIST, online_level="partial").json()["results"]] == ["Đăng ký kết hôn"]
    assert [r["name"] for r in get(LIST, field="ly-lich-tu-phap").json()["results"]] == [
        "Cấp Phiếu lý lịch tư pháp"
    ]
    second = get(LIST, q="dang ky", page="2", page_size="1").json()
    assert (second["count"], second["pages"], [r["name"] for r in second["results"]]) == (
        2,
        2,
        ["Đăng ký kết hôn"],
    )


@pytest.mark.parametrize(
    ("params", "field", "in_message"),
    [
        ({"level": "district"}, "level", "ministry, province, commune"),
        ({"online_level": "4"}, "online_level", "full, partial"),
        ({"field": "khong-co"}, "field", "khong-co"),
        ({"agency_kind": "army"}, "agency_kind", "police"),
        ({"page": "abc"}, "page", "page"),
        ({"page_size": "500"}, "page_size", "1 to 100"),
    ],
)
def test_bad_filter_values_get_a_422_naming_the_parameter(
    params: dict[str, str], field: str, in_message: str
) -> None:
    response = get(LIST, **params)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["field"] == field
    assert in_message in body["message_en"]
    assert body["message_vi"]
    assert body["message"].startswith(body["message_vi"])


def test_one_procedure_has_everything_needed_to_apply() -> None:
    factories.procedure(
        name="Cấp Phiếu lý lịch tư pháp",
        code="2.001417",
        level="province",
        processing_days=10,
        fees=[("Phí cung cấp thông tin lý lịch tư pháp", 200_000)],
        documents=[UPLOAD_DOCUMENT, REGISTRY_DOCUMENT],
    )

    response = get(f"{LIST}/2.001417")

    assert response.status_code == 200
    body = response.json()
    assert body["processing_days"] == 10
    assert body["legal_basis"] == ["Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP"]
    assert body["steps"] == ["Nộp hồ sơ trực tuyến", "Nhận kết quả"]
    assert body["fees"] == [
        {
            "name": "Phí cung cấp thông tin lý lịch tư pháp",
            "amount": 200000,
            "amount_display": "200.000 ₫",
            "condition": "",
        }
    ]
    assert body["fee_free"] is False
    upload, registry = body["documents"]
    assert (upload["state_holds"], upload["file_types"]) == (False, ["pdf", "jpg"])
    assert registry["state_holds"] is True
    assert registry["registry_source"] == "population"
    assert registry["registry_source_label"] == "Cơ sở dữ liệu quốc gia về dân cư"
    assert body["form_schema"]["properties"]["full_name"]["title"] == "Họ và tên"
    assert body["form_ui"]["fields"]["full_name"]["prefill"] == "population.full_name"
    assert body["assurance_level"] == 2
    assert body["version"] == 1


def test_unknown_and_unpublished_procedures_are_404() -> None:
    factories.procedure(code="1.000656", published=False)

    for code in ("1.000656", "9.999999"):
        response = get(f"{LIST}/{code}")
        assert response.status_code == 404
        assert response.json()["code"] == "procedure_not_found"
        assert code in response.json()["message_en"]


def test_openapi_documents_the_catalog() -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/catalog/procedures"]["get"]
    parameters = {item["name"]: item["schema"] for item in operation["parameters"]}
    assert parameters["level"]["enum"] == ["ministry", "province", "commune"]
    assert parameters["online_level"]["enum"] == ["full", "partial"]
    assert parameters["page_size"]["maximum"] == 100
    assert set(operation["responses"]) == {"200", "422"}
    assert "/api/v1/catalog/procedures/{code}" in schema["paths"]

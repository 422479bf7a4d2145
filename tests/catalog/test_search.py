"""The public search: diacritics and case ignored, every word must match, names first."""

from __future__ import annotations

import pytest

from congso.catalog.selectors import procedure_search, procedure_search_page
from congso.catalog.text import search_normalise
from congso.core.errors import InvalidInput
from congso.registry.choices import AgencyKind, AgencyLevel
from congso.registry.models import Agency

from . import factories

pytestmark = pytest.mark.django_db


def names(**filters: str) -> list[str]:
    return [procedure.name for procedure in procedure_search(**filters)]


def test_normalising_drops_tone_marks_and_maps_d_bar() -> None:
    assert search_normalise("Đăng ký khai sinh") == "dang ky khai sinh"
    assert search_normalise("  ĐƯỜNG   bộ; Giấy phép lái xe! ") == "duong bo giay phep lai xe"
    assert search_normalise("Mã 1.001193.") == "ma 1.001193"


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "DANG KY", "đăng ký", "Đăng Ký Khai Sinh", "dang ký khai SINH"]
)
def test_queries_with_or_without_diacritics_find_the_procedure(query: str) -> None:
    factories.procedure(name="Đăng ký khai sinh")
    factories.procedure(name="Cấp giấy phép xây dựng", field_code="xay-dung", field_name="Xây dựng")

    assert names(query=query) == ["Đăng ký khai sinh"]


def test_word_order_does_not_matter() -> None:
    factories.procedure(name="Đăng ký khai sinh")

    assert names(query="khai sinh dang ky") == ["Đăng ký khai sinh"]


def test_every_word_must_match() -> None:
    factories.procedure(name="Đăng ký khai sinh")
    factories.procedure(name="Đăng ký kết hôn")

    assert names(query="dang ky ket hon") == ["Đăng ký kết hôn"]
    assert names(query="khai sinh xay dung") == []


def test_words_match_from_their_start() -> None:
    factories.procedure(name="Cấp giấy phép xây dựng", field_code="xay-dung", field_name="Xây dựng")

    assert names(query="xay dun") == ["Cấp giấy phép xây dựng"]
    # "ay" is inside "xây" but begins no word: matching it would flood every search.
    assert names(query="ay") == []


def test_code_keywords_and_field_are_searched_too() -> None:
    factories.procedure(
        name="Đăng ký thường trú",
        code="1.004222",
        keywords="nhập hộ khẩu",
        field_code="cu-tru",
        field_name="Cư trú",
    )

    assert names(query="1.004222") == ["Đăng ký thường trú"]
    assert names(query="ho khau") == ["Đăng ký thường trú"]
    assert names(query="cu tru") == ["Đăng ký thường trú"]


def test_name_matches_come_before_other_matches() -> None:
    # Alphabetically first, but only its keywords match.
    factories.procedure(name="Cấp giấy xác nhận cư trú", keywords="sổ hộ khẩu")
    factories.procedure(name="Tách hộ khẩu")

    assert names(query="ho khau") == ["Tách hộ khẩu", "Cấp giấy xác nhận cư trú"]


def test_unpublished_procedures_are_not_found() -> None:
    factories.procedure(name="Đăng ký khai sinh", published=False)

    assert names(query="khai sinh") == []
    assert [item.name for item in procedure_search(query="khai sinh", published_only=False)] == [
        "Đăng ký khai sinh"
    ]


def test_filters_by_level_field_online_level_and_agency_kind() -> None:
    factories.procedure(name="Đăng ký khai sinh")
    factories.procedure(
        name="Cấp Phiếu lý lịch tư pháp",
        level="province",
        field_code="ly-lich-tu-phap",
        field_name="Lý lịch tư pháp",
    )
    factories.procedure(
        name="Cấp giấy phép xây dựng",
        online_level="partial",
        agency_kind="peoples_committee",
        field_code="xay-dung",
        field_name="Xây dựng",
    )

    assert names(level="province") == ["Cấp Phiếu lý lịch tư pháp"]
    assert names(field="xay-dung") == ["Cấp giấy phép xây dựng"]
    assert names(online_level="partial") == ["Cấp giấy phép xây dựng"]
    assert names(agency_kind="peoples_committee") == ["Cấp giấy phép xây dựng"]
    assert names(level="commune", online_level="full") == ["Đăng ký khai sinh"]
    assert names(query="cap", level="commune") == ["Cấp giấy phép xây dựng"]


def test_filter_by_implementing_agency() -> None:
    ward = Agency.objects.create(
        code="H01.01.01",
        name="UBND phường Ba Đình",
        level=AgencyLevel.COMMUNE,
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )
    linked = factories.procedure(name="Chứng thực bản sao từ bản chính")
    factories.procedure(name="Đăng ký khai sinh")
    linked.agencies.add(ward)

    assert names(agency="H01.01.01") == ["Chứng thực bản sao từ bản chính"]
    assert names(agency="H99.99.99") == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"level": "district"}, "level"),
        ({"online_level": "4"}, "online_level"),
        ({"agency_kind": "army"}, "agency_kind"),
        ({"field": "no-such-field"}, "field"),
        ({"query": "x" * 201}, "q"),
    ],
)
def test_unknown_filter_values_are_refused_with_the_parameter_named(
    filters: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        procedure_search(**filters)

    assert caught.value.field == field
    assert caught.value.status == 422


def test_results_come_in_pages() -> None:
    for name in ("Thủ tục A", "Thủ tục B", "Thủ tục C"):
        factories.procedure(name=name)

    first = procedure_search_page(query="thu tuc", page=1, page_size=2)
    second = procedure_search_page(query="thu tuc", page="2", page_size="2")
    beyond = procedure_search_page(query="thu tuc", page=3, page_size=2)

    assert (first.count, first.pages, [item.name for item in first.results]) == (
        3,
        2,
        ["Thủ tục A", "Thủ tục B"],
    )
    assert [item.name for item in second.results] == ["Thủ tục C"]
    assert first.has_next
    assert not second.has_next
    assert second.has_previous
    assert beyond.results == []
    assert beyond.count == 3


@pytest.mark.parametrize(("page", "page_size"), [("0", "20"), ("x", "20"), ("1", "101"), ("1", "-5")])
def test_bad_page_numbers_are_refused(page: str, page_size: str) -> None:
    with pytest.raises(InvalidInput):
        procedure_search_page(page=page, page_size=page_size)


def test_demo_catalog_answers_the_issue_examples(demo_catalog: object) -> None:
    first = procedure_search(query="dang ky khai sinh").first()
    assert first is not None
    assert (first.code, first.name) == ("1.001193", "Đăng ký khai sinh")
    assert procedure_search(query="ly lich tu phap").first().code == "2.001417"  # type: ignore[union-attr]
    assert "Đổi giấy phép lái xe" in [p.name for p in procedure_search(query="bang lai")]

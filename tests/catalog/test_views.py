"""The public pages: search at /thu-tuc/ and everything needed to apply at /thu-tuc/<code>/."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db


def page(path: str, *, language: str = "vi", **params: str) -> tuple[int, str]:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path, params)
    return response.status_code, response.content.decode()


def test_the_search_form_has_labelled_inputs_and_works_without_javascript() -> None:
    factories.procedure(name="Đăng ký khai sinh", code="1.001193")
    factories.procedure(name="Cấp giấy phép xây dựng", field_code="xay-dung", field_name="Xây dựng")

    status, html = page("/thu-tuc/", q="dang ky khai sinh")

    assert status == 200
    assert '<form class="procedure-search" method="get"' in html
    for input_id in ("query", "field", "level", "online_level"):
        assert f'<label class="label" for="{input_id}">' in html
        assert f'id="{input_id}"' in html
    assert 'href="/thu-tuc/1.001193/">Đăng ký khai sinh</a>' in html
    assert "Cấp giấy phép xây dựng" not in html
    assert "Tìm thấy 1 thủ tục" in html
    assert 'value="dang ky khai sinh"' in html  # the query stays in the box


def test_filters_narrow_the_results_and_stay_selected() -> None:
    factories.procedure(name="Đăng ký khai sinh")
    factories.procedure(
        name="Cấp giấy phép xây dựng", online_level="partial", field_code="xay-dung", field_name="Xây dựng"
    )

    _, html = page("/thu-tuc/", muc_do="partial", linh_vuc="xay-dung")

    assert "Cấp giấy phép xây dựng" in html.split('id="results-title"')[1]
    assert "Đăng ký khai sinh" not in html
    assert '<option value="partial" selected>' in html
    assert '<option value="xay-dung" selected>' in html


def test_a_bad_filter_shows_an_error_summary() -> None:
    status, html = page("/thu-tuc/", cap="huyen")

    assert status == 422
    assert 'class="error-summary"' in html
    assert 'href="#level"' in html
    assert "huyen" in html


def test_pages_of_results_link_to_each_other() -> None:
    for letter in "ABCDEFGHIJKLMNOPQRSTUV":  # 22 procedures: two pages of 20
        factories.procedure(name=f"Thủ tục {letter}")

    _, first = page("/thu-tuc/", q="thu tuc")
    _, second = page("/thu-tuc/", q="thu tuc", trang="2")

    assert "Trang 1/2" in first
    assert 'href="?q=thu+tuc&amp;trang=2" rel="next"' in first
    assert "Thủ tục V" in second
    assert "Thủ tục A<" not in second


def test_the_procedure_page_shows_fees_in_dong_and_what_the_state_holds() -> None:
    factories.procedure(
        name="Cấp Phiếu lý lịch tư pháp",
        code="2.001417",
        level="province",
        processing_days=10,
        fees=[("Phí cung cấp thông tin lý lịch tư pháp", 200_000), ("Phí cấp thêm Phiếu", 5_000)],
        documents=[
            {"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "file_types": "pdf"},
            {"name": "Giấy tờ chứng minh nơi cư trú", "registry_source": "population", "file_types": ""},
        ],
    )

    status, html = page("/thu-tuc/2.001417/")

    assert status == 200
    assert "<h1>Cấp Phiếu lý lịch tư pháp</h1>" in html
    assert "200.000 ₫" in html
    assert "5.000 ₫" in html
    assert "10 ngày làm việc" in html
    assert "Cấp tỉnh" in html
    row = html.split("Giấy tờ chứng minh nơi cư trú")[1].split("</tr>")[0]
    assert "Nhà nước đã có thông tin này" in row
    assert "Cơ sở dữ liệu quốc gia về dân cư" in row
    upload_row = html.split("Tờ khai yêu cầu cấp Phiếu")[1].split("</tr>")[0]
    assert "Nhà nước đã có" not in upload_row
    assert "PDF" in upload_row
    assert "Luật Hộ tịch số 60/2014/QH13" in html
    assert "Dịch vụ công trực tuyến toàn trình" in html
    assert "Định danh điện tử mức 2" in html
    assert "Điền sẵn từ dữ liệu của Nhà nước" in html  # the prefilled form fields


def test_a_fee_free_procedure_says_so() -> None:
    factories.procedure(name="Đăng ký khai sinh", code="1.001193")

    _, html = page("/thu-tuc/1.001193/")

    assert "Thủ tục này không mất phí, lệ phí." in html
    assert "₫" not in html


def test_the_procedure_page_leads_to_the_application_wizard() -> None:
    factories.procedure(code="1.001193")

    _, html = page("/thu-tuc/1.001193/")

    assert "Sắp ra mắt" not in html
    assert 'href="/thu-tuc/1.001193/nop-ho-so/"' in html


def test_the_procedure_page_in_english() -> None:
    factories.procedure(
        code="1.001193",
        documents=[{"name": "Giấy tờ tùy thân", "registry_source": "population", "file_types": ""}],
    )

    _, html = page("/thu-tuc/1.001193/", language="en")

    assert "The State already holds this" in html
    assert "1 working day" in html
    assert "Full name" in html  # the form's English labels


def test_unknown_and_unpublished_procedures_are_not_found() -> None:
    factories.procedure(code="1.000656", published=False)

    assert page("/thu-tuc/1.000656/")[0] == 404
    assert page("/thu-tuc/9.999999/")[0] == 404


def test_pages_need_no_inline_style_or_script() -> None:
    factories.procedure(code="1.001193", fees=[("Lệ phí", 8_000)])

    for path in ("/thu-tuc/", "/thu-tuc/1.001193/"):
        _, html = page(path)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert " style=" not in html
        assert "<style" not in html

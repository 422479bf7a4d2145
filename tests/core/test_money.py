"""Money as an integer number of đồng: formatting and parsing what people type."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from congso.core.errors import InvalidInput
from congso.core.money import VND_MAX, format_vnd, parse_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_250_000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1_000, "1.000 ₫"),
        (-5_000, "-5.000 ₫"),
        (12_345_678_901, "12.345.678.901 ₫"),
    ],
)
def test_format_uses_vietnamese_grouping(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


@pytest.mark.parametrize("not_an_int", [1250000.0, True, "1250000"])
def test_format_refuses_anything_but_an_int(not_an_int: object) -> None:
    with pytest.raises(TypeError):
        format_vnd(not_an_int)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.250.000", 1_250_000),
        ("1250000", 1_250_000),
        ("  1.250.000 ₫ ", 1_250_000),
        ("1.250.000đ", 1_250_000),
        ("500 VND", 500),
        ("0", 0),
    ],
)
def test_parse_accepts_what_people_type(text: str, amount: int) -> None:
    assert parse_vnd(text) == amount


@pytest.mark.parametrize(
    ("text", "says_en", "says_vi"),
    [
        ("1.250.000,50", "without decimals", "không có phần lẻ"),
        ("12.5", "without decimals", "không có phần lẻ"),
        ("1,250,000", "without decimals", "không có phần lẻ"),
        ("-1000", "cannot be negative", "không được âm"),
        ("", "No amount", "Chưa nhập"),
        ("abc", "digits only", "chỉ gồm chữ số"),
        ("1.25.000", "digits only", "chỉ gồm chữ số"),
        ("１２３", "digits only", "chỉ gồm chữ số"),  # full-width digits
        (str(VND_MAX + 1), "too large", "quá lớn"),
    ],
)
def test_parse_refuses_with_a_clear_message(text: str, says_en: str, says_vi: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_vnd(text, field="amount")
    assert says_en in refused.value.message_en
    assert says_vi in refused.value.message_vi
    assert refused.value.field == "amount"


@given(st.integers(min_value=0, max_value=VND_MAX))
def test_what_is_formatted_parses_back(amount: int) -> None:
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(str(amount)) == amount


def test_template_filter_formats_amounts() -> None:
    template = Template("{% load congso_money %}{{ fee|vnd }}|{{ none|vnd }}")
    assert template.render(Context({"fee": 1_250_000, "none": None})) == "1.250.000 ₫|"

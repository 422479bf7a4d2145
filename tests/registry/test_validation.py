"""The pure checks: personal ID numbers, enterprise codes, phones, dates, plates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from congso.core.errors import InvalidInput
from congso.registry.choices import Sex
from congso.registry.reference import ID_PROVINCE_CODES
from congso.registry.validators import (
    date_of_birth_check,
    date_parse,
    driving_classes_normalise,
    full_name_normalise,
    organisation_code_normalise,
    personal_id_build,
    personal_id_validate,
    phone_normalise,
    plate_normalise,
    tax_code_check_digit,
)

provinces = st.sampled_from(sorted(ID_PROVINCE_CODES))
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2299, 12, 31))
sexes = st.sampled_from([Sex.MALE, Sex.FEMALE])
serials = st.integers(min_value=0, max_value=999_999)
unknown_provinces = (
    st.integers(0, 999).map(lambda n: f"{n:03d}").filter(lambda code: code not in ID_PROVINCE_CODES)
)


def reason(value: str, **person: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        personal_id_validate(value, **person)  # type: ignore[arg-type]
    assert caught.value.message_vi
    assert caught.value.message_en
    return caught.value.code


@given(province=provinces, born=births, sex=sexes, serial=serials)
def test_every_built_id_validates_against_its_owner(province: str, born: date, sex: str, serial: int) -> None:
    value = personal_id_build(province_code=province, date_of_birth=born, sex=sex, serial=serial)

    personal_id_validate(value, date_of_birth=born, sex=sex)
    assert len(value) == 12
    assert value.startswith(province)
    assert value[4:6] == f"{born.year % 100:02d}"
    assert value.endswith(f"{serial:06d}")


@given(province=provinces, born=births, sex=sexes, serial=serials, digit=st.integers(0, 9))
def test_a_wrong_century_or_sex_digit_is_refused(
    province: str, born: date, sex: str, serial: int, digit: int
) -> None:
    value = personal_id_build(province_code=province, date_of_birth=born, sex=sex, serial=serial)
    assume(str(digit) != value[3])

    assert (
        reason(value[:3] + str(digit) + value[4:], date_of_birth=born, sex=sex) == "personal_id_century_sex"
    )


@given(province=provinces, born=births, sex=sexes, serial=serials, year=st.integers(0, 99))
def test_wrong_birth_year_digits_are_refused(
    province: str, born: date, sex: str, serial: int, year: int
) -> None:
    value = personal_id_build(province_code=province, date_of_birth=born, sex=sex, serial=serial)
    assume(year != born.year % 100)

    assert (
        reason(value[:4] + f"{year:02d}" + value[6:], date_of_birth=born, sex=sex) == "personal_id_birth_year"
    )


@given(province=provinces, bad=unknown_provinces, born=births, sex=sexes, serial=serials)
def test_an_unknown_province_code_is_refused(
    province: str, bad: str, born: date, sex: str, serial: int
) -> None:
    value = personal_id_build(province_code=province, date_of_birth=born, sex=sex, serial=serial)

    assert reason(bad + value[3:], date_of_birth=born, sex=sex) == "personal_id_province"
    assert reason(bad + value[3:]) == "personal_id_province"


@given(st.text(max_size=30).filter(lambda text: len(text) != 12))
def test_any_string_of_the_wrong_length_is_refused(text: str) -> None:
    assert reason(text) == "personal_id_length"


@given(
    st.text(min_size=12, max_size=12).filter(lambda text: not all("0" <= char <= "9" for char in text)),
)
def test_any_twelve_characters_that_are_not_all_digits_are_refused(text: str) -> None:
    assert reason(text) == "personal_id_not_digits"


@given(bad=unknown_provinces, rest=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_twelve_digits_with_an_unknown_province_are_refused(bad: str, rest: str) -> None:
    assert reason(bad + rest) == "personal_id_province"


def test_the_messages_name_the_problem_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as caught:
        personal_id_validate("001090123456", date_of_birth=date(1991, 1, 1), sex=Sex.MALE)
    assert "1991" in caught.value.message_vi
    assert "birth year" in caught.value.message_en

    with pytest.raises(InvalidInput) as caught:
        personal_id_validate("001190123456", date_of_birth=date(1990, 1, 1), sex=Sex.MALE)
    assert "nữ" in caught.value.message_vi  # digit 1 means a woman
    assert "female" in caught.value.message_en

    with pytest.raises(InvalidInput) as caught:
        personal_id_validate("00109012345٣")  # an Arabic-Indic digit is not a digit here
    assert "vị trí 12" in caught.value.message_vi


def test_a_birth_in_the_2000s_needs_digit_two_or_three() -> None:
    personal_id_validate("079203001234", date_of_birth=date(2003, 6, 1), sex=Sex.MALE)
    personal_id_validate("079303001234", date_of_birth=date(2003, 6, 1), sex=Sex.FEMALE)
    assert reason("079003001234", date_of_birth=date(2003, 6, 1), sex=Sex.MALE) == "personal_id_century_sex"


def test_building_an_id_for_a_year_it_cannot_encode_is_refused() -> None:
    with pytest.raises(InvalidInput):
        personal_id_build(province_code="001", date_of_birth=date(1899, 12, 31), sex=Sex.MALE, serial=1)
    with pytest.raises(InvalidInput):
        personal_id_build(province_code="003", date_of_birth=date(1990, 1, 1), sex=Sex.MALE, serial=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2000-02-29", date(2000, 2, 29)), ("29/02/2000", date(2000, 2, 29)), ("1/2/1999", date(1999, 2, 1))],
)
def test_dates_are_read_in_both_spellings(text: str, expected: date) -> None:
    assert date_parse(text, field="d", label_vi="Ngày", label_en="Date") == expected


@pytest.mark.parametrize(
    "text", ["31/02/2000", "2001-02-29", "00/01/2000", "2000-13-01", "hôm qua", "1/1/99"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        date_parse(text, field="date_of_birth", label_vi="Ngày sinh", label_en="Date of birth")
    assert "không phải ngày có thật" in caught.value.message_vi


def test_no_one_is_born_tomorrow_or_before_1900() -> None:
    with pytest.raises(InvalidInput, match="tương lai"):
        date_of_birth_check(date(2030, 1, 2), today=date(2030, 1, 1))
    with pytest.raises(InvalidInput, match="1900"):
        date_of_birth_check(date(1899, 12, 31), today=date(2030, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0912345678", "0912345678"), ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
     ("0912.345.678", "0912345678"), ("(039) 812-3456", "0398123456")],
)  # fmt: skip
def test_mobile_numbers_are_normalised(text: str, expected: str) -> None:
    assert phone_normalise(text) == expected


@pytest.mark.parametrize(
    "text", ["091234567", "01234567890", "0212345678", "0112345678", "abc", "+1 555 0100"]
)
def test_numbers_that_are_not_vietnamese_mobiles_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="03, 05, 07, 08"):
        phone_normalise(text)


def test_a_landline_is_accepted_only_where_allowed() -> None:
    assert phone_normalise("024 3825 3536", allow_landline=True) == "02438253536"
    with pytest.raises(InvalidInput):
        phone_normalise("024 3825 3536")


def test_names_are_tidied_and_checked() -> None:
    assert full_name_normalise("  Nguyễn   Thị  Minh Khai ") == "Nguyễn Thị Minh Khai"
    decomposed = "Nguye\u0302\u0303n"  # NFD, as some systems export it
    assert full_name_normalise(decomposed) == "Nguyễn"
    with pytest.raises(InvalidInput, match="Thiếu họ và tên"):
        full_name_normalise("   ")
    with pytest.raises(InvalidInput, match="'7'"):
        full_name_normalise("Trần Văn 7")


def test_enterprise_codes_need_their_check_digit() -> None:
    first_nine = "010123456"
    check = tax_code_check_digit(first_nine)
    assert check is not None
    good = f"{first_nine}{check}"

    assert organisation_code_normalise(good) == good
    assert organisation_code_normalise(f" {good}001 ") == f"{good}-001"
    assert organisation_code_normalise(f"{good}-002") == f"{good}-002"
    wrong = f"{first_nine}{(check + 1) % 10}"
    with pytest.raises(InvalidInput) as caught:
        organisation_code_normalise(wrong)
    assert caught.value.code == "organisation_code_check_digit"
    for malformed in ("12345", "01012345678", "0101234567-01", "abcdefghij", "0100000000", f"{good}-000"):
        with pytest.raises(InvalidInput) as caught:
            organisation_code_normalise(malformed)
        assert caught.value.code == "organisation_code_format"


def test_the_published_example_tax_code_is_valid() -> None:
    # 0314409058 is the example of the public MST format guides (check digit 8).
    assert organisation_code_normalise("0314409058") == "0314409058"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30A-123.45", "30A-123.45"), ("30a12345", "30A-123.45"), ("29B1-234.56", "29B1-234.56"),
     ("29 B1 23456", "29B1-234.56"), ("51K-1234", "51K-1234")],
)  # fmt: skip
def test_plates_are_normalised(text: str, expected: str) -> None:
    assert plate_normalise(text) == expected


@pytest.mark.parametrize("text", ["", "ABC-12345", "3A-12345", "30A-12", "30Ă-123.45"])
def test_malformed_plates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="Biển số"):
        plate_normalise(text)


def test_licence_classes_come_from_the_laws() -> None:
    assert driving_classes_normalise("b; a1") == "A1,B"
    assert driving_classes_normalise("B2") == "B2"  # Road Traffic Law 2008 class, still valid
    with pytest.raises(InvalidInput, match="Z9"):
        driving_classes_normalise("A1, Z9")

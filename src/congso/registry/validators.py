"""Pure checks and normalisations of registry values: no database, no I/O.

Each function either returns the value in its one canonical form or raises
:class:`~congso.core.errors.InvalidInput` naming precisely what is wrong, in Vietnamese and
English. The CSV importer calls them once per cell, so they stay cheap.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from congso.core.errors import InvalidInput

from .choices import Sex
from .reference import DRIVING_CLASSES, ID_PROVINCE_CODES, MOBILE_PREFIXES

PERSONAL_ID_LENGTH = 12
# Circular 07/2016/TT-BCA art. 7: the fourth digit encodes century and sex, for births
# from 1900 to 2399 (even = male, odd = female).
FIRST_CENTURY_YEAR = 1900
LAST_ENCODABLE_YEAR = 2399


def _sex_label(sex: str) -> tuple[str, str]:
    return ("nam", "male") if sex == Sex.MALE else ("nữ", "female")


def personal_id_century_digit(*, year: int, sex: str) -> int:
    """The century+sex digit G of a personal ID for a birth in ``year`` (Circular 07/2016)."""
    if not FIRST_CENTURY_YEAR <= year <= LAST_ENCODABLE_YEAR:
        raise InvalidInput(
            f"Năm sinh {year} nằm ngoài khoảng 1900-2399 mà số định danh cá nhân biểu diễn được.",
            f"Birth year {year} is outside 1900-2399, the range a personal ID number can encode.",
            code="personal_id_birth_year",
            field="date_of_birth",
        )
    return 2 * ((year - FIRST_CENTURY_YEAR) // 100) + (1 if sex == Sex.FEMALE else 0)


def personal_id_build(*, province_code: str, date_of_birth: date, sex: str, serial: int) -> str:
    """Compose a personal ID ``PPP G YY RRRRRR`` (Decree 137/2015 art. 13).

    ``province_code`` is the three-digit code of the province of birth registration,
    ``serial`` the six random digits (0-999,999) that the issuing system draws.
    """
    if province_code not in ID_PROVINCE_CODES:
        raise InvalidInput(
            f"Mã tỉnh '{province_code}' không có trong danh mục của Thông tư 07/2016/TT-BCA.",
            f"Province code '{province_code}' is not in the list of Circular 07/2016/TT-BCA.",
            code="personal_id_province",
            field="personal_id",
        )
    if not 0 <= serial <= 999_999:
        raise InvalidInput(
            "Phần số ngẫu nhiên phải từ 000000 đến 999999.",
            "The random part must be between 000000 and 999999.",
            code="personal_id_serial",
            field="personal_id",
        )
    century = personal_id_century_digit(year=date_of_birth.year, sex=sex)
    return f"{province_code}{century}{date_of_birth.year % 100:02d}{serial:06d}"


def personal_id_validate(value: str, *, date_of_birth: date | None = None, sex: str | None = None) -> None:
    """Refuse ``value`` unless it is a well-formed personal ID consistent with the person.

    Checks, in this order: exactly 12 characters, all ASCII digits, a known province code
    (Circular 07/2016 appendix 1), and - when the date of birth and/or sex are given - the
    century+sex digit and the two birth-year digits.
    """
    if len(value) != PERSONAL_ID_LENGTH:
        raise InvalidInput(
            f"Số định danh cá nhân phải có đúng 12 chữ số (nhận được {len(value)} ký tự).",
            f"A personal ID number must have exactly 12 digits (got {len(value)} characters).",
            code="personal_id_length",
            field="personal_id",
        )
    if not (value.isascii() and value.isdigit()):
        position, char = next((i, c) for i, c in enumerate(value, 1) if not ("0" <= c <= "9"))
        raise InvalidInput(
            f"Số định danh cá nhân chỉ gồm chữ số; ký tự '{char}' ở vị trí {position} không hợp lệ.",
            f"A personal ID number has digits only; '{char}' at position {position} is not a digit.",
            code="personal_id_not_digits",
            field="personal_id",
        )
    province = value[:3]
    if province not in ID_PROVINCE_CODES:
        raise InvalidInput(
            f"Ba chữ số đầu '{province}' không phải mã tỉnh nơi đăng ký khai sinh "
            "trong danh mục của Thông tư 07/2016/TT-BCA.",
            f"The first three digits '{province}' are not a province-of-birth-registration code "
            "of Circular 07/2016/TT-BCA.",
            code="personal_id_province",
            field="personal_id",
        )
    century = ord(value[3]) - 48
    if sex is not None and (century % 2 == 1) != (sex == Sex.FEMALE):
        vi, en = _sex_label(sex)
        raise InvalidInput(
            f"Chữ số thứ tư ({century}) chỉ giới tính {'nữ' if century % 2 else 'nam'}, "
            f"nhưng giới tính khai là {vi}.",
            f"The fourth digit ({century}) means {'female' if century % 2 else 'male'}, "
            f"but the sex given is {en}.",
            code="personal_id_century_sex",
            field="personal_id",
        )
    if date_of_birth is not None:
        year = date_of_birth.year
        if not FIRST_CENTURY_YEAR <= year <= LAST_ENCODABLE_YEAR:
            personal_id_century_digit(year=year, sex=sex or Sex.MALE)
        if century // 2 != (year - FIRST_CENTURY_YEAR) // 100:
            first_year = FIRST_CENTURY_YEAR + 100 * (century // 2)
            raise InvalidInput(
                f"Chữ số thứ tư ({century}) chỉ người sinh từ {first_year} đến {first_year + 99}, "
                f"nhưng năm sinh là {year}.",
                f"The fourth digit ({century}) means born {first_year}-{first_year + 99}, "
                f"but the birth year is {year}.",
                code="personal_id_century_sex",
                field="personal_id",
            )
        if value[4:6] != f"{year % 100:02d}":
            raise InvalidInput(
                f"Chữ số thứ năm và sáu ({value[4:6]}) phải là hai số cuối của năm sinh {year} "
                f"({year % 100:02d}).",
                f"Digits five and six ({value[4:6]}) must be the last two digits of the birth year "
                f"{year} ({year % 100:02d}).",
                code="personal_id_birth_year",
                field="personal_id",
            )


# --- Enterprise / tax codes -------------------------------------------------------------------
# Law on Enterprises 2020 art. 29: the enterprise code is its tax code. Circular 105/2020/TT-BTC
# art. 5: 10 digits (N1N2 province, N3-N9 sequence, N10 check digit) for an enterprise, and the
# 10 digits + "-" + 3 digits for a dependent unit (branch, representative office).
_TAX_CODE_RE = re.compile(r"\d{10}(?:-\d{3})?", re.ASCII)
# Weights of the tax authority's check-digit scheme for N10, as published with the 1998 coding
# rules and used by every public validator (e.g. python-stdnum's vn.mst).
_TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code_check_digit(first_nine: str) -> int | None:
    """The tenth digit for ``first_nine``, or None when no digit fits (the code is unusable)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _TAX_CODE_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def organisation_code_normalise(value: str) -> str:
    """The canonical enterprise code (``0101234567`` or ``0101234567-001``), or InvalidInput."""
    code = value.strip().replace(" ", "").replace(".", "")
    if len(code) == 13 and code.isdigit():
        code = f"{code[:10]}-{code[10:]}"
    if not (code.isascii() and _TAX_CODE_RE.fullmatch(code)):
        shown = value[:40]
        raise InvalidInput(
            f"Mã số doanh nghiệp '{shown}' không đúng định dạng: cần 10 chữ số, hoặc 10 chữ số, "
            "dấu gạch ngang và 3 chữ số với đơn vị phụ thuộc (ví dụ 0101234567 hoặc 0101234567-001).",
            f"Enterprise code '{shown}' is malformed: it needs 10 digits, or 10 digits, a dash and "
            "3 digits for a dependent unit (e.g. 0101234567 or 0101234567-001).",
            code="organisation_code_format",
            field="code",
        )
    if code[2:9] == "0000000" or code.endswith("-000"):
        raise InvalidInput(
            f"Mã số doanh nghiệp '{code}' có phần số thứ tự bằng 0, không thể được cấp.",
            f"Enterprise code '{code}' has an all-zero sequence and cannot have been issued.",
            code="organisation_code_format",
            field="code",
        )
    if tax_code_check_digit(code[:9]) != ord(code[9]) - 48:
        raise InvalidInput(
            f"Mã số doanh nghiệp '{code}' sai chữ số kiểm tra (chữ số thứ 10); hãy kiểm tra lỗi gõ.",
            f"Enterprise code '{code}' fails its check digit (the 10th digit); check for a typo.",
            code="organisation_code_check_digit",
            field="code",
        )
    return code


# --- Names, phones, dates ----------------------------------------------------------------------
# Letters (any script, precomposed after NFC), spaces, apostrophes, hyphens and dots.
_NAME_BAD_CHAR_RE = re.compile(r"[^\w '.-]|[\d_]")


def full_name_normalise(value: str, *, field: str = "full_name") -> str:
    """A person's name in NFC with single spaces; letters, spaces, apostrophes, hyphens only."""
    name = " ".join(value.split())
    if not unicodedata.is_normalized("NFC", name):
        name = unicodedata.normalize("NFC", name)
    if not name:
        raise InvalidInput("Thiếu họ và tên.", "The full name is missing.", code="name_missing", field=field)
    if len(name) > 100:
        raise InvalidInput(
            "Họ và tên dài quá 100 ký tự.", "The full name is longer than 100 characters.", field=field
        )
    bad_match = _NAME_BAD_CHAR_RE.search(name)
    if bad_match is not None:
        bad = bad_match.group()
        raise InvalidInput(
            f"Họ và tên chứa ký tự không hợp lệ '{bad}'.",
            f"The full name contains an invalid character '{bad}'.",
            code="name_characters",
            field=field,
        )
    return name


def phone_normalise(value: str, *, allow_landline: bool = False) -> str:
    """A Vietnamese mobile number as 10 digits starting with 0 (``0912345678``).

    With ``allow_landline`` an 11-digit fixed-line number starting 02 (area code) also passes.
    """
    if len(value) == 10 and value[:3] in MOBILE_PREFIXES and value.isdigit():
        return value  # already canonical: the common case in bulk imports
    digits = "".join(c for c in value if c not in " .-()")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if digits.isascii() and digits.isdigit():
        if len(digits) == 10 and digits[:3] in MOBILE_PREFIXES:
            return digits
        if allow_landline and len(digits) == 11 and digits.startswith("02"):
            return digits
    raise InvalidInput(
        f"Số điện thoại di động '{value[:20]}' không hợp lệ: cần 10 chữ số bắt đầu bằng "
        "03, 05, 07, 08 hoặc 09 (có thể viết +84).",
        f"Mobile number '{value[:20]}' is invalid: it needs 10 digits starting with 03, 05, 07, "
        "08 or 09 (+84 accepted).",
        code="phone_format",
        field="phone",
    )


def date_parse(value: str, *, field: str, label_vi: str, label_en: str) -> date:
    """A date written ``YYYY-MM-DD`` or ``DD/MM/YYYY``; an impossible date is refused."""
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) != 4:
                raise ValueError(text)
            return date(int(year), int(month), int(day))
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{label_vi} '{text[:20]}' không phải ngày có thật (dùng dạng NN/TT/NNNN hoặc NNNN-TT-NN).",
            f"{label_en} '{text[:20]}' is not a real date (use DD/MM/YYYY or YYYY-MM-DD).",
            code="date_invalid",
            field=field,
        ) from None


def date_of_birth_check(value: date, *, today: date) -> None:
    """No one is born in the future or before the oldest date an ID number encodes."""
    if value > today:
        raise InvalidInput(
            f"Ngày sinh {value:%d/%m/%Y} ở tương lai.",
            f"The date of birth {value:%d/%m/%Y} is in the future.",
            code="date_of_birth_future",
            field="date_of_birth",
        )
    if value.year < FIRST_CENTURY_YEAR:
        raise InvalidInput(
            f"Ngày sinh {value:%d/%m/%Y} trước năm 1900.",
            f"The date of birth {value:%d/%m/%Y} is before 1900.",
            code="date_of_birth_range",
            field="date_of_birth",
        )


# --- Agencies, vehicles, licences, cards ------------------------------------------------------
# QCVN 102:2016/BTTTT and Decision 20/2020/QĐ-TTg: a level-1 code is a letter and two digits
# ("G09", "H15"); each lower level adds ".NN" ("H15.50.05.13"). The standard's full form writes
# the levels the other way round ("000.00.00.G09"); both are accepted.
_AGENCY_CODE_RE = re.compile(r"[A-Z]\d{2}(?:\.\d{2}){0,4}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}", re.ASCII)


def agency_code_validate(value: str) -> None:
    if not _AGENCY_CODE_RE.fullmatch(value):
        raise InvalidInput(
            f"Mã cơ quan '{value[:30]}' không đúng chuẩn mã định danh (ví dụ G09, H15.50 hoặc 000.00.00.G09).",
            f"Agency code '{value[:30]}' does not follow the agency-code standard "
            "(e.g. G09, H15.50 or 000.00.00.G09).",
            code="agency_code_format",
            field="code",
        )


# Circular 24/2023/TT-BCA: a plate is the two-digit locality code, a series of one or two letters
# (a letter and a digit for motorcycles), then the number: five digits today, four on old plates.
_PLATE_HEAD_RE = re.compile(r"(\d{2})([A-Z]{1,2}\d?)", re.ASCII)
_PLATE_NUMBER_RE = re.compile(r"\d{4,5}", re.ASCII)
_PLATE_LOCALITY_GAP_RE = re.compile(r"^(\d{2})[-\s.]+(?=[A-Z])", re.ASCII)
# Without a separator "29A12345" could be 29A-123.45 or 29A1-2345: the five-digit number wins,
# as every plate issued since 2010 has one.
_PLATE_COMPACT_RES = (
    re.compile(r"(\d{2})([A-Z]{1,2}\d?)(\d{5})", re.ASCII),
    re.compile(r"(\d{2})([A-Z]{1,2}\d?)(\d{4})", re.ASCII),
)


def plate_normalise(value: str) -> str:
    """A plate number in its display form, e.g. ``30A-123.45`` or ``29B1-234.56``."""
    # Older plates print the locality apart ("29-B1 234.56"): join it to the series first.
    text = _PLATE_LOCALITY_GAP_RE.sub(r"\1", value.strip().upper())
    parts = re.split(r"[-\s]+", text, maxsplit=1)
    found: tuple[str, ...] | None = None
    if len(parts) == 2:
        head = _PLATE_HEAD_RE.fullmatch(parts[0])
        digits = parts[1].replace(".", "").replace(" ", "")
        if head and _PLATE_NUMBER_RE.fullmatch(digits):
            found = (*head.groups(), digits)
    else:
        compact = text.replace(".", "")
        match = next((m for pattern in _PLATE_COMPACT_RES if (m := pattern.fullmatch(compact))), None)
        found = match.groups() if match else None
    if found is None or not text.isascii():
        raise InvalidInput(
            f"Biển số '{value[:20]}' không đúng định dạng (ví dụ 30A-123.45 hoặc 29B1-234.56).",
            f"Plate number '{value[:20]}' is malformed (e.g. 30A-123.45 or 29B1-234.56).",
            code="plate_format",
            field="plate",
        )
    locality, series, number = found
    if len(number) == 5:
        number = f"{number[:3]}.{number[3:]}"
    return f"{locality}{series}-{number}"


def driving_classes_normalise(value: str) -> str:
    """Licence classes as a sorted, comma-separated list, e.g. ``A1,B``."""
    parts = [p.strip().upper() for p in re.split(r"[;,\s]+", value) if p.strip()]
    if not parts:
        raise InvalidInput("Thiếu hạng giấy phép lái xe.", "The licence class is missing.", field="classes")
    unknown = [p for p in parts if p not in DRIVING_CLASSES]
    if unknown:
        raise InvalidInput(
            f"Hạng giấy phép lái xe không tồn tại: {', '.join(unknown)[:40]}.",
            f"Unknown driving licence class: {', '.join(unknown)[:40]}.",
            code="licence_class",
            field="classes",
        )
    return ",".join(sorted(set(parts)))

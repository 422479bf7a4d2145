"""Test data for the registry: valid people, units and enterprises, built with the real rules."""

from __future__ import annotations

import itertools
from datetime import date

from congso.registry.choices import DivisionType, OrganisationStatus, Sex, UnitLevel
from congso.registry.models import AdministrativeUnit, Citizen, Organisation
from congso.registry.validators import personal_id_build, tax_code_check_digit

_serials = itertools.count(1)
_tax_sequence = itertools.count(1)


def units() -> dict[str, AdministrativeUnit]:
    """Two provinces and three communes with their official codes (Decision 19/2025/QĐ-TTg)."""
    hanoi = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", division_type=DivisionType.CENTRAL_CITY, level=UnitLevel.PROVINCE
    )
    hcm = AdministrativeUnit.objects.create(
        code="79",
        name="Thành phố Hồ Chí Minh",
        division_type=DivisionType.CENTRAL_CITY,
        level=UnitLevel.PROVINCE,
    )
    return {
        "hanoi": hanoi,
        "hcm": hcm,
        "hoan_kiem": AdministrativeUnit.objects.create(
            code="00070",
            name="Phường Hoàn Kiếm",
            division_type=DivisionType.WARD,
            level=UnitLevel.COMMUNE,
            parent=hanoi,
        ),
        "ba_dinh": AdministrativeUnit.objects.create(
            code="00004",
            name="Phường Ba Đình",
            division_type=DivisionType.WARD,
            level=UnitLevel.COMMUNE,
            parent=hanoi,
        ),
        "saigon": AdministrativeUnit.objects.create(
            code="26734",
            name="Phường Sài Gòn",
            division_type=DivisionType.WARD,
            level=UnitLevel.COMMUNE,
            parent=hcm,
        ),
    }


def personal_id(*, born: date = date(1990, 5, 17), sex: str = Sex.MALE, province: str = "001") -> str:
    """A fresh, valid personal ID number for a person born on ``born``."""
    return personal_id_build(province_code=province, date_of_birth=born, sex=sex, serial=next(_serials))


def citizen(
    *,
    commune: AdministrativeUnit,
    born: date = date(1990, 5, 17),
    sex: str = Sex.MALE,
    full_name: str = "Nguyễn Văn An",
    **fields: object,
) -> Citizen:
    return Citizen.objects.create(
        personal_id=fields.pop("personal_id", None) or personal_id(born=born, sex=sex),
        full_name=full_name,
        date_of_birth=born,
        sex=sex,
        permanent_address="Số 1, đường Tràng Tiền",
        permanent_commune=commune,
        **fields,
    )


def tax_code(province: str = "01") -> str:
    """A fresh enterprise code with a correct check digit."""
    while True:
        first_nine = f"{province}{next(_tax_sequence):07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def organisation(
    *, commune: AdministrativeUnit, representative: Citizen | None = None, **fields: object
) -> Organisation:
    values: dict[str, object] = {
        "code": tax_code(),
        "name": "Công ty TNHH Thương mại Hòa Bình",
        "english_name": "Hoa Binh Trading Company Limited",
        "status": OrganisationStatus.ACTIVE,
        "founded_date": date(2012, 3, 4),
        "address_line": "Số 8, phố Hàng Bài",
        "commune": commune,
        "representative": representative,
        "phone": "0912345678",
        "email": "lienhe@hoabinh.example.com",
    }
    values.update(fields)
    return Organisation.objects.create(**values)

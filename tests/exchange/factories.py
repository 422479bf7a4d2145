"""Test data of the exchange: members, subsystems with keys, services, people."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from jwcrypto import jwk

from congso.exchange import services
from congso.exchange.models import Member, MemberClass, ProviderKind, Purpose, Service, Subsystem
from congso.identity.models import User
from congso.registry.choices import DivisionType, Sex, UnitLevel
from congso.registry.models import AdministrativeUnit, Agency, Citizen
from congso.registry.validators import personal_id_build

_serials = itertools.count(500)
_codes = itertools.count(1)


def member(
    *, code: str | None = None, name: str = "Sở Tư pháp", member_class: str = MemberClass.GOV, **fields: Any
) -> Member:
    return services.member_register(
        member_class=member_class, code=code or f"000.00.{next(_codes):02d}.H15", name=name, **fields
    )


def subsystem(
    *, owner: Member, code: str = "HOSO", name: str = "Hệ thống một cửa", key: jwk.JWK | None = None
) -> Subsystem:
    system = services.subsystem_register(member=owner, code=code, name=name)
    if key is not None:
        services.client_key_add(subsystem=system, jwk=key.export_public(as_dict=True))
    return system


def purpose(code: str = "administrative-procedure") -> Purpose:
    return services.purpose_define(
        code=code, name_vi="Giải quyết thủ tục hành chính", name_en="Handling an administrative procedure"
    )


def external_service(
    *,
    provider: Subsystem,
    base_url: str,
    code: str = "tax-status",
    personal_data: bool = False,
    purposes: tuple[Purpose, ...] = (),
    read_timeout: float = 2.0,
) -> Service:
    return services.service_register(
        provider=provider,
        code=code,
        title=f"Dịch vụ {code}",
        title_en=f"Service {code}",
        provider_kind=ProviderKind.HTTP,
        base_url=base_url,
        personal_data=personal_data,
        purposes=purposes,
        read_timeout=read_timeout,
        openapi={
            "openapi": "3.0.3",
            "info": {"title": code, "version": "v1"},
            "paths": {
                "/status/{code}": {"get": {"responses": {"200": {"description": "OK"}}}},
                "/echo": {"post": {}},
            },
        },
    )


def units() -> AdministrativeUnit:
    province = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", division_type=DivisionType.CENTRAL_CITY, level=UnitLevel.PROVINCE
    )
    return AdministrativeUnit.objects.create(
        code="00070",
        name="Phường Hoàn Kiếm",
        division_type=DivisionType.WARD,
        level=UnitLevel.COMMUNE,
        parent=province,
    )


def citizen(
    *,
    commune: AdministrativeUnit,
    full_name: str = "Trần Thị Bình",
    born: date = date(1988, 3, 9),
    sex: str = Sex.FEMALE,
) -> Citizen:
    return Citizen.objects.create(
        personal_id=personal_id_build(
            province_code="001", date_of_birth=born, sex=sex, serial=next(_serials)
        ),
        full_name=full_name,
        date_of_birth=born,
        sex=sex,
        permanent_address="Số 12, phố Hàng Gai",
        permanent_commune=commune,
    )


def person_user(citizen: Citizen) -> User:
    return User.objects.create_user(
        username=citizen.personal_id, password=None, full_name=citizen.full_name, citizen=citizen
    )


def agency(*, code: str, name: str, level: str = "province", kind: str = "other") -> Agency:
    return Agency.objects.create(code=code, name=name, level=level, kind=kind)


def enterprise_code(serial: int) -> str:
    """A Hà Nội enterprise code with a correct check digit."""
    from congso.registry.validators import tax_code_check_digit

    while True:
        first_nine = f"01{serial:07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        serial += 1


def in_days(days: int) -> Any:
    return timezone.now() + timedelta(days=days)


def registries() -> dict[str, Any]:
    """Base registries owned by three agencies, a person in each, and a commune's one-stop system."""
    from congso.registry.choices import OwnerKind, Relationship, VehicleType
    from congso.registry.models import (
        DriverLicence,
        HealthInsuranceCard,
        Household,
        HouseholdMember,
        Organisation,
        Registry,
        VehicleRegistration,
    )

    commune = units()
    police = agency(code="G01", name="Bộ Công an", level="ministry", kind="police")
    finance = agency(code="G02", name="Bộ Tài chính", level="ministry", kind="finance")
    insurance = agency(code="G03", name="Bảo hiểm xã hội Việt Nam", level="ministry", kind="social_insurance")
    ward = agency(code="H15.50", name="UBND phường Hoàn Kiếm", level="commune", kind="peoples_committee")
    for kind, owner in (
        ("population", police),
        ("driver_licences", police),
        ("vehicles", police),
        ("organisations", finance),
        ("health_insurance", insurance),
    ):
        Registry.objects.create(kind=kind, owner=owner)
    person = citizen(commune=commune)
    child = citizen(commune=commune, full_name="Lê Minh Khôi", born=date(2015, 6, 1), sex=Sex.MALE)
    household = Household.objects.create(code="HK0001", address_line="Số 12, phố Hàng Gai", commune=commune)
    HouseholdMember.objects.create(household=household, citizen=person, relationship=Relationship.HEAD)
    HouseholdMember.objects.create(household=household, citizen=child, relationship=Relationship.CHILD)
    DriverLicence.objects.create(
        number="010123456789",
        holder_personal_id=person.personal_id,
        classes="A1,B",
        issue_date=date(2015, 4, 2),
        issuing_agency=police,
    )
    VehicleRegistration.objects.create(
        plate="30A-123.45",
        vehicle_type=VehicleType.CAR,
        brand="VinFast",
        model="VF 8",
        colour="Trắng",
        chassis_number="RLLV8ABC1234",
        engine_number="EV123456",
        registration_date=date(2023, 2, 1),
        owner_identifier=person.personal_id,
        owner_kind=OwnerKind.CITIZEN,
    )
    HealthInsuranceCard.objects.create(
        number="0123456789",
        holder_personal_id=person.personal_id,
        benefit_level=4,
        primary_care_facility_code="01001",
        primary_care_facility_name="Bệnh viện Đa khoa Hoàn Kiếm",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    enterprise = Organisation.objects.create(
        code=enterprise_code(1),
        name="Công ty TNHH Hòa Bình",
        founded_date=date(2012, 3, 4),
        address_line="Số 8, phố Hàng Bài",
        commune=commune,
        representative=person,
        business_lines="4711,5610",
    )
    return {
        "commune": commune,
        "police": police,
        "ward": ward,
        "person": person,
        "child": child,
        "user": person_user(person),
        "enterprise": enterprise,
    }

"""The registry's write services: what they accept, what they refuse, what they audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from congso.core.errors import Conflict, InvalidInput
from congso.registry import services
from congso.registry.choices import (
    AgencyKind,
    AgencyLevel,
    OrganisationStatus,
    RegistryKind,
    Relationship,
    Sex,
)
from congso.registry.models import AdministrativeUnit, Citizen, HouseholdMember, Organisation

from . import factories
from .conftest import AuditSpy

pytestmark = pytest.mark.django_db


def test_the_administrative_units_load_completely_and_idempotently(audit: AuditSpy) -> None:
    first = services.administrative_units_load()
    assert (first.provinces, first.communes, first.created) == (34, 3321, 3355)

    again = services.administrative_units_load()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3355)
    assert AdministrativeUnit.objects.count() == 3355
    hoan_kiem = AdministrativeUnit.objects.get(code="00070")
    assert hoan_kiem.name == "Phường Hoàn Kiếm"
    assert hoan_kiem.parent is not None
    assert hoan_kiem.parent.name == "Thành phố Hà Nội"
    assert audit.actions() == ["registry.administrative_units.load"] * 2


def test_a_renamed_unit_is_restored_by_the_next_load(audit: AuditSpy) -> None:
    services.administrative_units_load()
    AdministrativeUnit.objects.filter(code="00070").update(name="Sai tên")

    report = services.administrative_units_load()

    assert (report.updated, report.unchanged) == (1, 3354)
    assert AdministrativeUnit.objects.get(code="00070").name == "Phường Hoàn Kiếm"


def test_a_citizen_is_created_with_tidy_values_and_audited(units: dict, audit: AuditSpy) -> None:
    pid = factories.personal_id(born=date(1985, 3, 2), sex=Sex.FEMALE)

    citizen = services.citizen_create(
        personal_id=pid,
        full_name="  Trần   Thị Bích ",
        date_of_birth=date(1985, 3, 2),
        sex=Sex.FEMALE,
        permanent_address="Số 5, phố Lý Thái Tổ",
        permanent_commune=units["hoan_kiem"],
        phone="+84 912 345 678",
    )

    assert citizen.full_name == "Trần Thị Bích"
    assert citizen.phone == "0912345678"
    assert Citizen.objects.get(personal_id=pid) == citizen
    assert audit.actions() == ["registry.citizen.create"]


def test_a_citizen_whose_id_does_not_match_the_birth_is_refused(units: dict, audit: AuditSpy) -> None:
    pid = factories.personal_id(born=date(1985, 3, 2), sex=Sex.FEMALE)

    with pytest.raises(InvalidInput) as caught:
        services.citizen_create(
            personal_id=pid,
            full_name="Trần Thị Bích",
            date_of_birth=date(1986, 3, 2),
            sex=Sex.FEMALE,
            permanent_address="Số 5",
            permanent_commune=units["hoan_kiem"],
        )
    assert caught.value.code == "personal_id_birth_year"
    assert not Citizen.objects.exists()
    assert audit.calls == []


def test_a_citizen_born_in_the_future_is_refused(units: dict) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="tương lai"):
        services.citizen_create(
            personal_id=factories.personal_id(born=tomorrow),
            full_name="Lê Văn Mai",
            date_of_birth=tomorrow,
            sex=Sex.MALE,
            permanent_address="Số 5",
            permanent_commune=units["hoan_kiem"],
        )


def test_a_province_is_no_commune_of_residence(units: dict) -> None:
    with pytest.raises(InvalidInput, match="cấp xã"):
        services.citizen_create(
            personal_id=factories.personal_id(),
            full_name="Lê Văn Mai",
            date_of_birth=date(1990, 5, 17),
            sex=Sex.MALE,
            permanent_address="Số 5",
            permanent_commune=units["hanoi"],
        )


def test_the_same_person_cannot_be_recorded_twice(units: dict) -> None:
    existing = factories.citizen(commune=units["hoan_kiem"])
    with pytest.raises(Conflict, match=existing.personal_id):
        services.citizen_create(
            personal_id=existing.personal_id,
            full_name="Người Khác",
            date_of_birth=existing.date_of_birth,
            sex=existing.sex,
            permanent_address="Số 9",
            permanent_commune=units["ba_dinh"],
        )


def test_a_citizen_update_changes_only_editable_fields(units: dict, audit: AuditSpy) -> None:
    citizen = factories.citizen(commune=units["hoan_kiem"])

    services.citizen_update(
        citizen=citizen, data={"permanent_commune": units["ba_dinh"], "phone": "0398 123 456"}
    )
    citizen.refresh_from_db()
    assert citizen.permanent_commune == units["ba_dinh"]
    assert citizen.phone == "0398123456"
    assert audit.calls[-1]["details"] == {"fields": ["permanent_commune", "phone"]}

    with pytest.raises(InvalidInput, match="personal_id"):
        services.citizen_update(citizen=citizen, data={"personal_id": "001090000001"})


def test_a_household_has_one_head_and_each_person_one_household(units: dict, audit: AuditSpy) -> None:
    head = factories.citizen(commune=units["hoan_kiem"], full_name="Nguyễn Văn Hùng")
    wife = factories.citizen(commune=units["hoan_kiem"], full_name="Lê Thị Lan", sex=Sex.FEMALE)
    household = services.household_create(
        code="hk-001", head=head, address_line="Số 1, Tràng Tiền", commune=units["hoan_kiem"]
    )
    services.household_member_add(household=household, citizen=wife, relationship=Relationship.WIFE)

    assert household.code == "HK-001"
    assert household.head == head
    assert set(household.members.values_list("citizen__full_name", flat=True)) == {
        "Nguyễn Văn Hùng",
        "Lê Thị Lan",
    }
    with pytest.raises(Conflict, match="chủ hộ"):
        services.household_member_add(
            household=household,
            citizen=factories.citizen(commune=units["hoan_kiem"]),
            relationship=Relationship.HEAD,
        )
    with pytest.raises(Conflict, match="HK-001"):
        services.household_create(code="HK-002", head=wife, address_line="Số 2", commune=units["hoan_kiem"])
    assert HouseholdMember.objects.count() == 2
    assert audit.actions() == ["registry.household.create", "registry.household.member_add"]


def test_an_organisation_is_created_with_its_code_normalised(units: dict, audit: AuditSpy) -> None:
    code = factories.tax_code()

    organisation = services.organisation_create(
        code=f"{code[:5]} {code[5:]}",
        name="Công ty Cổ phần Sao Mai",
        founded_date=date(2015, 1, 1),
        address_line="Số 3",
        commune=units["saigon"],
        phone="028 3822 1234",
    )

    assert organisation.code == code
    assert organisation.phone == "02838221234"
    assert audit.actions() == ["registry.organisation.create"]
    with pytest.raises(Conflict):
        services.organisation_create(
            code=code,
            name="Khác",
            founded_date=date(2015, 1, 1),
            address_line="Số 3",
            commune=units["saigon"],
        )


def test_an_organisation_with_a_mistyped_code_is_refused(units: dict) -> None:
    code = factories.tax_code()
    mistyped = code[:9] + str((int(code[9]) + 1) % 10)
    with pytest.raises(InvalidInput, match="chữ số kiểm tra"):
        services.organisation_create(
            code=mistyped,
            name="Sai mã",
            founded_date=date(2015, 1, 1),
            address_line="Số 3",
            commune=units["saigon"],
        )
    assert not Organisation.objects.exists()


def test_an_organisation_status_change_is_audited_once(units: dict, audit: AuditSpy) -> None:
    organisation = factories.organisation(commune=units["saigon"])

    services.organisation_status_set(organisation=organisation, status=OrganisationStatus.SUSPENDED)
    services.organisation_status_set(organisation=organisation, status=OrganisationStatus.SUSPENDED)

    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.SUSPENDED
    assert audit.calls == [
        {
            "actor": None,
            "action": "registry.organisation.status_set",
            "target": organisation,
            "details": {"from": "active", "to": "suspended"},
        }
    ]


def test_documents_are_issued_to_an_id_number(units: dict, audit: AuditSpy) -> None:
    holder = factories.personal_id()
    licence = services.driver_licence_issue(
        number="010123456789", holder_personal_id=holder, classes="b a1", issue_date=date(2020, 1, 1)
    )
    vehicle = services.vehicle_register(
        plate="30a12345",
        vehicle_type="car",
        brand="Toyota",
        model="Vios",
        colour="Trắng",
        chassis_number="rl4bt9f3xm1234567",
        engine_number="2nr1234567",
        registration_date=date(2021, 6, 1),
        owner_id=holder,
    )
    card = services.health_insurance_card_issue(
        number="0123456789",
        holder_personal_id=holder,
        benefit_level=4,
        primary_care_facility_code="01001",
        primary_care_facility_name="Trạm Y tế Phường Hoàn Kiếm",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )

    assert licence.classes == "A1,B"
    assert vehicle.plate == "30A-123.45"
    assert vehicle.owner_kind == "citizen"
    assert vehicle.chassis_number == "RL4BT9F3XM1234567"
    assert card.benefit_level == 4
    assert audit.actions() == [
        "registry.driver_licence.issue",
        "registry.vehicle.register",
        "registry.health_insurance_card.issue",
    ]


def test_a_vehicle_can_belong_to_an_enterprise(units: dict) -> None:
    code = factories.tax_code()
    vehicle = services.vehicle_register(
        plate="51K-123.45",
        vehicle_type="truck",
        brand="Hyundai",
        colour="Xanh",
        chassis_number="K1",
        engine_number="E1",
        registration_date=date(2021, 6, 1),
        owner_id=code,
    )
    assert (vehicle.owner_kind, vehicle.owner_identifier) == ("organisation", code)


def test_documents_with_impossible_periods_are_refused() -> None:
    holder = factories.personal_id()
    with pytest.raises(InvalidInput, match="trước ngày cấp"):
        services.driver_licence_issue(
            number="010123456789",
            holder_personal_id=holder,
            classes="B",
            issue_date=date(2020, 1, 1),
            expiry_date=date(2019, 1, 1),
        )
    with pytest.raises(InvalidInput, match="12 chữ số"):
        services.driver_licence_issue(
            number="0101234", holder_personal_id=holder, classes="B", issue_date=date(2020, 1, 1)
        )
    with pytest.raises(InvalidInput, match="5 chữ số"):
        services.health_insurance_card_issue(
            number="0123456789",
            holder_personal_id=holder,
            benefit_level=4,
            primary_care_facility_code="1",
            primary_care_facility_name="",
            valid_from=date(2026, 1, 1),
        )


def test_each_registry_names_its_owner(audit: AuditSpy) -> None:
    police = services.agency_create(
        code="G01", name="Bộ Công an", level=AgencyLevel.MINISTRY, kind=AgencyKind.POLICE
    )
    services.registry_owner_set(kind=RegistryKind.POPULATION, owner=police)

    from congso.registry.selectors import registry_owner_get

    assert registry_owner_get(kind=RegistryKind.POPULATION) == police
    with pytest.raises(InvalidInput, match="chuẩn mã định danh"):
        services.agency_create(code="Bộ 1", name="Sai", level=AgencyLevel.MINISTRY)
    with pytest.raises(Conflict):
        services.agency_create(code="G01", name="Trùng", level=AgencyLevel.MINISTRY)
    assert audit.actions() == ["registry.agency.create", "registry.registry.owner_set"]

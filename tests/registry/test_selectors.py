"""Reads other domains rely on: by ID number, by enterprise code, with clear refusals."""

from __future__ import annotations

from datetime import date

import pytest

from congso.core.errors import InvalidInput, NotFound
from congso.registry import selectors, services
from congso.registry.choices import Relationship, Sex
from congso.registry.models import Citizen, DriverLicence, HealthInsuranceCard, VehicleRegistration

from . import factories

pytestmark = pytest.mark.django_db


def test_a_citizen_is_found_by_id_and_an_unknown_one_is_not(units: dict) -> None:
    citizen = factories.citizen(commune=units["hoan_kiem"])

    assert selectors.citizen_get_by_personal_id(personal_id=f" {citizen.personal_id} ") == citizen
    with pytest.raises(NotFound, match="Không có công dân"):
        selectors.citizen_get_by_personal_id(personal_id=factories.personal_id())
    with pytest.raises(InvalidInput):
        selectors.citizen_get_by_personal_id(personal_id="12345")


def test_the_household_of_a_member_lists_the_head_first(units: dict) -> None:
    head = factories.citizen(commune=units["hoan_kiem"], born=date(1970, 1, 1), full_name="Phạm Văn Đức")
    child = factories.citizen(commune=units["hoan_kiem"], born=date(2001, 1, 1), full_name="Phạm Minh Anh")
    household = services.household_create(
        code="HK1", head=head, address_line="Số 1", commune=units["hoan_kiem"]
    )
    services.household_member_add(household=household, citizen=child, relationship=Relationship.CHILD)

    view = selectors.household_get_for_citizen(citizen=child)

    assert view is not None
    assert view.household == household
    assert view.head == head
    assert [member.citizen for member in view.members] == [head, child]
    loner = factories.citizen(commune=units["hoan_kiem"])
    assert selectors.household_get_for_citizen(citizen=loner) is None


def test_documents_are_listed_for_their_holder_only() -> None:
    mine, other = factories.personal_id(), factories.personal_id()
    DriverLicence.objects.create(
        number="1", holder_personal_id=mine, classes="A1", issue_date=date(2010, 1, 1)
    )
    DriverLicence.objects.create(
        number="2", holder_personal_id=mine, classes="B", issue_date=date(2020, 1, 1)
    )
    DriverLicence.objects.create(
        number="3", holder_personal_id=other, classes="B", issue_date=date(2020, 1, 1)
    )
    VehicleRegistration.objects.create(
        plate="30A-111.11", vehicle_type="car", brand="Kia", colour="Đỏ", chassis_number="C", engine_number="E",
        registration_date=date(2020, 1, 1), owner_identifier=mine, owner_kind="citizen",
    )  # fmt: skip

    assert [licence.number for licence in selectors.driver_licences_for(personal_id=mine)] == ["2", "1"]
    assert [vehicle.plate for vehicle in selectors.vehicles_for(owner_id=mine)] == ["30A-111.11"]
    assert list(selectors.vehicles_for(owner_id=other)) == []


def test_the_current_health_insurance_card_is_the_one_valid_that_day() -> None:
    holder = factories.personal_id()
    old = HealthInsuranceCard.objects.create(
        number="0100000001", holder_personal_id=holder, benefit_level=4, primary_care_facility_code="01001",
        primary_care_facility_name="A", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31),
    )  # fmt: skip
    new = HealthInsuranceCard.objects.create(
        number="0100000002", holder_personal_id=holder, benefit_level=4, primary_care_facility_code="01001",
        primary_care_facility_name="A", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
    )  # fmt: skip

    assert selectors.health_insurance_card_for(personal_id=holder) == new
    assert selectors.health_insurance_card_for(personal_id=holder, on=date(2025, 6, 1)) == old
    assert selectors.health_insurance_card_for(personal_id=holder, on=date(2027, 6, 1)) is None
    assert selectors.health_insurance_card_for(personal_id=factories.personal_id()) is None


def test_the_public_view_of_an_enterprise_has_no_private_field(units: dict) -> None:
    representative = factories.citizen(commune=units["saigon"])
    organisation = factories.organisation(commune=units["saigon"], representative=representative)

    public = selectors.organisation_public_get(code=organisation.code)

    assert public.name == organisation.name
    assert public.address == "Số 8, phố Hàng Bài, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert public.status_label == "Đang hoạt động"
    assert not {"representative", "phone", "email"} & set(vars(public))
    assert representative.personal_id not in repr(public)


def test_people_see_their_own_records_and_officers_see_all(units: dict, django_user_model: type) -> None:
    me = factories.citizen(commune=units["hoan_kiem"], sex=Sex.FEMALE, full_name="Đỗ Thị Hà")
    factories.citizen(commune=units["hoan_kiem"])
    person = django_user_model.objects.create_user(username=me.personal_id)
    officer = django_user_model.objects.create_user(username="officer", is_superuser=True)

    from django.contrib.auth.models import AnonymousUser

    assert list(Citizen.objects.visible_to(person)) == [me]
    assert Citizen.objects.visible_to(officer).count() == 2
    assert not Citizen.objects.visible_to(AnonymousUser()).exists()

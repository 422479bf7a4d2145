"""Reads of the registries that other domains use (through the exchange) and the public pages.

Lookups by a person's ID number or an enterprise code validate the key first, so a malformed
key is an :class:`~congso.core.errors.InvalidInput` (422) and an unknown one a
:class:`~congso.core.errors.NotFound` (404), never a database error. Who may call them is
decided by the caller (the exchange checks rights and consent; the public lookup only ever
gets :class:`OrganisationPublic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet

from congso.core.errors import NotFound

from . import validators
from .choices import OrganisationStatus, Relationship
from .models import (
    Agency,
    Citizen,
    DriverLicence,
    HealthInsuranceCard,
    Household,
    HouseholdMember,
    Organisation,
    Registry,
    VehicleRegistration,
)


def _clean_personal_id(personal_id: str) -> str:
    value = personal_id.strip()
    validators.personal_id_validate(value)
    return value


def citizen_get_by_personal_id(*, personal_id: str) -> Citizen:
    """The citizen with this personal ID number."""
    value = _clean_personal_id(personal_id)
    citizen = (
        Citizen.objects.select_related("permanent_commune__parent", "temporary_commune__parent")
        .filter(personal_id=value)
        .first()
    )
    if citizen is None:
        raise NotFound(
            f"Không có công dân mang số định danh {value}.",
            f"No citizen has personal ID {value}.",
            field="personal_id",
        )
    return citizen


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    head: Citizen | None
    members: list[HouseholdMember]


def household_get_for_citizen(*, citizen: Citizen) -> HouseholdView | None:
    """The household the person belongs to, with its head and all members (head first)."""
    membership = HouseholdMember.objects.select_related("household__commune").filter(citizen=citizen).first()
    if membership is None:
        return None
    household = membership.household
    members = list(
        HouseholdMember.objects.filter(household=household)
        .select_related("citizen")
        .order_by("citizen__date_of_birth", "citizen__personal_id")
    )
    members.sort(key=lambda member: member.relationship != Relationship.HEAD)
    head = members[0].citizen if members and members[0].relationship == Relationship.HEAD else None
    return HouseholdView(household=household, head=head, members=members)


def organisation_get_by_code(*, code: str) -> Organisation:
    """The full record of an enterprise (private fields included): for the exchange and officers."""
    value = validators.organisation_code_normalise(code)
    organisation = (
        Organisation.objects.select_related("commune__parent", "representative").filter(code=value).first()
    )
    if organisation is None:
        raise _organisation_not_found(value)
    return organisation


# Once dissolved or bankrupt an enterprise no longer exists as a legal person (Law on
# Enterprises 2020 art. 208; Law on Bankruptcy 2014): nobody represents it any more.
_ENDED = (OrganisationStatus.DISSOLVED, OrganisationStatus.BANKRUPT)


def organisations_represented_by(*, personal_id: str) -> list[Organisation]:
    """Enterprises whose legal representative is this person, ended ones left out, by name."""
    value = _clean_personal_id(personal_id)
    return list(
        Organisation.objects.filter(representative__personal_id=value)
        .exclude(status__in=_ENDED)
        .only("code", "name", "legal_form", "status")
        .order_by("name", "code")
    )


def _organisation_not_found(code: str) -> NotFound:
    return NotFound(
        f"Không có doanh nghiệp mang mã số {code} trong cơ sở dữ liệu đăng ký doanh nghiệp.",
        f"No enterprise with code {code} is in the business registry.",
        field="code",
    )


@dataclass(frozen=True)
class OrganisationPublic:
    """What anyone may know about an enterprise (the business registration portal's fields)."""

    code: str
    name: str
    english_name: str
    legal_form: str
    legal_form_label: str
    status: str
    status_label: str
    founded_date: date
    address: str


def organisation_public_get(*, code: str) -> OrganisationPublic:
    """The public fields of an enterprise; the private ones are never even read."""
    value = validators.organisation_code_normalise(code)
    organisation = (
        Organisation.objects.filter(code=value)
        .select_related("commune__parent")
        .only(*Organisation.PUBLIC_FIELDS, "commune__name", "commune__parent__name")
        .first()
    )
    if organisation is None:
        raise _organisation_not_found(value)
    commune = organisation.commune
    parts = [organisation.address_line, commune.name]
    if commune.parent is not None:
        parts.append(commune.parent.name)
    return OrganisationPublic(
        code=organisation.code,
        name=organisation.name,
        english_name=organisation.english_name,
        legal_form=organisation.legal_form,
        legal_form_label=organisation.get_legal_form_display() if organisation.legal_form else "",
        status=organisation.status,
        status_label=OrganisationStatus(organisation.status).label,
        founded_date=organisation.founded_date,
        address=", ".join(part for part in parts if part),
    )


def driver_licences_for(*, personal_id: str) -> QuerySet[DriverLicence]:
    """Every driving licence of the person, newest first."""
    value = _clean_personal_id(personal_id)
    return (
        DriverLicence.objects.for_holder(value)
        .select_related("issuing_agency")
        .order_by("-issue_date", "number")
    )


def vehicles_for(*, owner_id: str) -> QuerySet[VehicleRegistration]:
    """Every vehicle registered to a person (12-digit ID) or an organisation (enterprise code)."""
    value = owner_id.strip()
    if len(value) == 12 and value.isdigit():
        validators.personal_id_validate(value)
    else:
        value = validators.organisation_code_normalise(value)
    return VehicleRegistration.objects.for_holder(value).order_by("-registration_date", "plate")


def health_insurance_card_for(*, personal_id: str, on: date | None = None) -> HealthInsuranceCard | None:
    """The person's card: the one valid ``on`` that day if given, else the latest one."""
    value = _clean_personal_id(personal_id)
    cards = HealthInsuranceCard.objects.for_holder(value)
    if on is not None:
        cards = cards.filter(valid_from__lte=on).exclude(valid_to__lt=on)
    return cards.order_by(F("valid_to").desc(nulls_first=True), "-valid_from").first()


def registry_owner_get(*, kind: str) -> Agency:
    """The agency that owns a base registry."""
    registry = Registry.objects.select_related("owner").filter(kind=kind).first()
    if registry is None:
        raise NotFound(
            f"Chưa khai báo cơ quan chủ quản của cơ sở dữ liệu '{kind}'.",
            f"No owner agency is configured for the '{kind}' registry.",
            field="kind",
        )
    return registry.owner


def administrative_unit_parent_code(*, code: str) -> str:
    """The code of the unit above the administrative unit ``code`` (a commune's province), or ''.

    Administrative units are public reference data (Decision 19/2025/QĐ-TTg list), not personal data.
    """
    from .models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(code=code).values_list("parent_id", flat=True).first() or ""

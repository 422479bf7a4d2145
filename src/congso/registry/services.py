"""Every change to the registries: keyword-only, typed, transactional, audited.

Single-record services check their input with the same validators as the CSV importer and
raise :class:`~congso.core.errors.InvalidInput` / :class:`~congso.core.errors.Conflict` with
messages in Vietnamese and English; each writes one audit entry in its transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import vietnam_provinces
from django.db import transaction
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import Conflict, InvalidInput

from . import validators
from .choices import (
    AgencyKind,
    AgencyLevel,
    BenefitLevel,
    DocumentStatus,
    LegalForm,
    OrganisationStatus,
    OwnerKind,
    RegistryKind,
    Relationship,
    UnitLevel,
    VehicleType,
)
from .events import RESIDENCE_FIELDS, residence_changed_publish
from .generate import IMPORT_ORDER, GenerateReport, generate_files
from .importing import DEFAULT_BATCH_SIZE, ImportReport, import_csv
from .models import (
    AdministrativeUnit,
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


def _invalid_choice(value: Any, field: str, label_vi: str, label_en: str) -> InvalidInput:
    return InvalidInput(
        f"{label_vi} '{value}' không có trong danh mục.",
        f"{label_en} '{value}' is not a known value.",
        field=field,
    )


def _require_commune(unit: AdministrativeUnit, *, field: str) -> None:
    if unit.level != UnitLevel.COMMUNE:
        raise InvalidInput(
            f"'{unit.name}' không phải đơn vị hành chính cấp xã.",
            f"'{unit.name}' is not a commune.",
            field=field,
        )


# --- Administrative units, agencies, owners --------------------------------------------------
@dataclass(frozen=True)
class UnitsLoadReport:
    provinces: int
    communes: int
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def administrative_units_load(*, actor: Any = None) -> UnitsLoadReport:
    """Load or refresh the 34 provinces and 3,321 communes from ``vietnam-provinces``.

    Idempotent: a second run changes nothing and says so. Units the package no longer lists
    are kept, since people's addresses may still point at them.
    """
    wanted: dict[str, tuple[str, str, str, str | None, str]] = {}
    for province in vietnam_provinces.Province.iter_all():
        code = f"{int(province.code):02d}"
        wanted[code] = (
            province.name,
            province.division_type.value,
            UnitLevel.PROVINCE,
            None,
            province.codename,
        )
    provinces = len(wanted)
    for ward in vietnam_provinces.Ward.iter_all():
        wanted[f"{int(ward.code):05d}"] = (
            ward.name,
            ward.division_type.value,
            UnitLevel.COMMUNE,
            f"{int(ward.province_code):02d}",
            ward.codename,
        )
    existing = {
        code: (name, division_type, level, parent_id, codename)
        for code, name, division_type, level, parent_id, codename in AdministrativeUnit.objects.values_list(
            "code", "name", "division_type", "level", "parent_id", "codename"
        )
    }
    changed = [
        AdministrativeUnit(
            code=code,
            name=name,
            division_type=division_type,
            level=level,
            parent_id=parent,
            codename=codename,
        )
        for code, (name, division_type, level, parent, codename) in wanted.items()
        if existing.get(code) != (name, division_type, level, parent, codename)
    ]
    # Provinces before communes: a commune's parent must exist when it is written.
    changed.sort(key=lambda unit: unit.level != UnitLevel.PROVINCE)
    AdministrativeUnit.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "division_type", "level", "parent", "codename"],
    )
    created = sum(1 for unit in changed if unit.code not in existing)
    report = UnitsLoadReport(
        provinces=provinces,
        communes=len(wanted) - provinces,
        created=created,
        updated=len(changed) - created,
        unchanged=len(wanted) - len(changed),
    )
    audit_record(
        actor=actor,
        action="registry.administrative_units.load",
        target_type="registry.administrativeunit",
        details={
            "source": f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})",
            "provinces": report.provinces,
            "communes": report.communes,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return report


@transaction.atomic
def agency_create(
    *,
    actor: Any = None,
    code: str,
    name: str,
    level: str,
    kind: str = AgencyKind.OTHER,
    parent: Agency | None = None,
    administrative_unit: AdministrativeUnit | None = None,
) -> Agency:
    """Add an agency to the tree (codes per QCVN 102:2016/BTTTT, Decision 20/2020/QĐ-TTg)."""
    code = code.strip()
    validators.agency_code_validate(code)
    if level not in AgencyLevel.values:
        raise _invalid_choice(level, "level", "Cấp", "Level")
    if kind not in AgencyKind.values:
        raise _invalid_choice(kind, "kind", "Lĩnh vực", "Kind")
    if not name.strip():
        raise InvalidInput("Thiếu tên cơ quan.", "The agency name is missing.", field="name")
    if Agency.objects.filter(code=code).exists():
        raise Conflict(
            f"Đã có cơ quan mã {code}.", f"An agency with code {code} already exists.", field="code"
        )
    agency = Agency.objects.create(
        code=code,
        name=name.strip(),
        level=level,
        kind=kind,
        parent=parent,
        administrative_unit=administrative_unit,
    )
    audit_record(actor=actor, action="registry.agency.create", target=agency, details={"code": code})
    return agency


@transaction.atomic
def registry_owner_set(*, actor: Any = None, kind: str, owner: Agency) -> Registry:
    """Name the agency that owns (controls the data of) one base registry."""
    if kind not in RegistryKind.values:
        raise _invalid_choice(kind, "kind", "Cơ sở dữ liệu", "Registry")
    registry, _ = Registry.objects.update_or_create(kind=kind, defaults={"owner": owner})
    audit_record(
        actor=actor,
        action="registry.registry.owner_set",
        target=registry,
        details={"kind": kind, "owner": owner.code},
    )
    return registry


# --- Population -------------------------------------------------------------------------------
_CITIZEN_EDITABLE = frozenset(
    {
        "full_name",
        "ethnicity",
        "nationality",
        "place_of_origin",
        "permanent_address",
        "permanent_commune",
        "temporary_address",
        "temporary_commune",
        "phone",
        "email",
    }
)


def _citizen_check(citizen: Citizen) -> None:
    """The checks of the CSV importer, on one citizen about to be saved."""
    validators.personal_id_validate(citizen.personal_id, date_of_birth=citizen.date_of_birth, sex=citizen.sex)
    validators.date_of_birth_check(citizen.date_of_birth, today=timezone.localdate())
    citizen.full_name = validators.full_name_normalise(citizen.full_name)
    if citizen.phone:
        citizen.phone = validators.phone_normalise(citizen.phone)
    if citizen.ethnicity not in dict(Citizen._meta.get_field("ethnicity").choices or []):
        raise _invalid_choice(citizen.ethnicity, "ethnicity", "Dân tộc", "Ethnicity")
    if not citizen.permanent_address.strip():
        raise InvalidInput(
            "Thiếu nơi thường trú.", "The permanent address is missing.", field="permanent_address"
        )
    _require_commune(citizen.permanent_commune, field="permanent_commune")
    if bool(citizen.temporary_address) != (citizen.temporary_commune is not None):
        raise InvalidInput(
            "Nơi tạm trú cần cả địa chỉ và xã/phường.",
            "A temporary residence needs both the address and the commune.",
            field="temporary_address",
        )
    if citizen.temporary_commune is not None:
        _require_commune(citizen.temporary_commune, field="temporary_commune")


@transaction.atomic
def citizen_create(
    *,
    actor: Any = None,
    personal_id: str,
    full_name: str,
    date_of_birth: date,
    sex: str,
    permanent_address: str,
    permanent_commune: AdministrativeUnit,
    ethnicity: str = "01",
    nationality: str = "VN",
    place_of_origin: str = "",
    temporary_address: str = "",
    temporary_commune: AdministrativeUnit | None = None,
    phone: str = "",
    email: str = "",
) -> Citizen:
    """Record a person in the population registry."""
    citizen = Citizen(
        personal_id=personal_id.strip(),
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        nationality=nationality,
        place_of_origin=place_of_origin.strip(),
        permanent_address=permanent_address.strip(),
        permanent_commune=permanent_commune,
        temporary_address=temporary_address.strip(),
        temporary_commune=temporary_commune,
        phone=phone,
        email=email.strip(),
    )
    _citizen_check(citizen)
    if Citizen.objects.filter(personal_id=citizen.personal_id).exists():
        raise Conflict(
            f"Đã có công dân mang số định danh {citizen.personal_id}.",
            f"A citizen with personal ID {citizen.personal_id} already exists.",
            field="personal_id",
        )
    citizen.save()
    audit_record(actor=actor, action="registry.citizen.create", target=citizen)
    return citizen


@transaction.atomic
def citizen_update(*, actor: Any = None, citizen: Citizen, data: Mapping[str, Any]) -> Citizen:
    """Change a person's editable details; the ID number, birth date and sex are not editable here."""
    not_editable = sorted(set(data) - _CITIZEN_EDITABLE)
    if not_editable:
        raise InvalidInput(
            f"Không sửa được trường: {', '.join(not_editable)}.",
            f"These fields cannot be changed: {', '.join(not_editable)}.",
            field=not_editable[0],
        )
    changed = sorted(name for name, value in data.items() if getattr(citizen, name) != value)
    for name in changed:
        setattr(citizen, name, data[name])
    _citizen_check(citizen)
    if changed:
        citizen.save()
        audit_record(
            actor=actor, action="registry.citizen.update", target=citizen, details={"fields": changed}
        )
        if RESIDENCE_FIELDS.intersection(changed):
            residence_changed_publish(citizen, actor=actor)
    return citizen


@transaction.atomic
def household_create(
    *, actor: Any = None, code: str, head: Citizen, address_line: str, commune: AdministrativeUnit
) -> Household:
    """Register a household with its head ("chủ hộ")."""
    code = code.strip().upper()
    if not code or len(code) > 20:
        raise InvalidInput("Số hộ cần 1-20 ký tự.", "The household code needs 1-20 characters.", field="code")
    if not address_line.strip():
        raise InvalidInput("Thiếu địa chỉ hộ.", "The household address is missing.", field="address_line")
    _require_commune(commune, field="commune")
    if Household.objects.filter(code=code).exists():
        raise Conflict(f"Đã có hộ số {code}.", f"Household {code} already exists.", field="code")
    _ensure_not_in_household(head)
    household = Household.objects.create(code=code, address_line=address_line.strip(), commune=commune)
    HouseholdMember.objects.create(household=household, citizen=head, relationship=Relationship.HEAD)
    audit_record(
        actor=actor, action="registry.household.create", target=household, details={"head": head.personal_id}
    )
    return household


def _ensure_not_in_household(citizen: Citizen) -> None:
    current = HouseholdMember.objects.filter(citizen=citizen).select_related("household").first()
    if current is not None:
        raise Conflict(
            f"Công dân {citizen.personal_id} đã thuộc hộ {current.household.code}.",
            f"Citizen {citizen.personal_id} already belongs to household {current.household.code}.",
            field="citizen",
        )


@transaction.atomic
def household_member_add(
    *, actor: Any = None, household: Household, citizen: Citizen, relationship: str
) -> HouseholdMember:
    """Add a person to a household with their relationship to the head."""
    if relationship not in Relationship.values:
        raise _invalid_choice(relationship, "relationship", "Quan hệ", "Relationship")
    if relationship == Relationship.HEAD:
        raise Conflict(
            f"Hộ {household.code} đã có chủ hộ; không thêm chủ hộ thứ hai.",
            f"Household {household.code} already has a head; a second one cannot be added.",
            field="relationship",
        )
    _ensure_not_in_household(citizen)
    member = HouseholdMember.objects.create(household=household, citizen=citizen, relationship=relationship)
    audit_record(
        actor=actor,
        action="registry.household.member_add",
        target=household,
        details={"citizen": citizen.personal_id, "relationship": relationship},
    )
    return member


# --- Organisations ----------------------------------------------------------------------------
@transaction.atomic
def organisation_create(
    *,
    actor: Any = None,
    code: str,
    name: str,
    founded_date: date,
    address_line: str,
    commune: AdministrativeUnit,
    english_name: str = "",
    legal_form: str = "",
    status: str = OrganisationStatus.ACTIVE,
    representative: Citizen | None = None,
    phone: str = "",
    email: str = "",
    business_lines: str = "",
) -> Organisation:
    """Record an enterprise or a dependent unit in the business registry."""
    code = validators.organisation_code_normalise(code)
    if not name.strip():
        raise InvalidInput("Thiếu tên doanh nghiệp.", "The enterprise name is missing.", field="name")
    if status not in OrganisationStatus.values:
        raise _invalid_choice(status, "status", "Tình trạng", "Status")
    if legal_form and legal_form not in LegalForm.values:
        raise _invalid_choice(legal_form, "legal_form", "Loại hình doanh nghiệp", "Legal form")
    if founded_date > timezone.localdate():
        raise InvalidInput(
            "Ngày thành lập ở tương lai.", "The founding date is in the future.", field="founded_date"
        )
    _require_commune(commune, field="commune")
    if Organisation.objects.filter(code=code).exists():
        raise Conflict(
            f"Đã có doanh nghiệp mã số {code}.", f"Enterprise {code} already exists.", field="code"
        )
    organisation = Organisation.objects.create(
        code=code,
        name=name.strip(),
        english_name=english_name.strip(),
        legal_form=legal_form,
        status=status,
        founded_date=founded_date,
        address_line=address_line.strip(),
        commune=commune,
        representative=representative,
        phone=validators.phone_normalise(phone, allow_landline=True) if phone else "",
        email=email.strip(),
        business_lines=business_lines,
    )
    audit_record(
        actor=actor, action="registry.organisation.create", target=organisation, details={"code": code}
    )
    return organisation


@transaction.atomic
def organisation_status_set(*, actor: Any = None, organisation: Organisation, status: str) -> Organisation:
    """Record a change of an enterprise's legal status (suspension, dissolution, ...)."""
    if status not in OrganisationStatus.values:
        raise _invalid_choice(status, "status", "Tình trạng", "Status")
    previous = organisation.status
    if previous != status:
        organisation.status = status
        organisation.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="registry.organisation.status_set",
            target=organisation,
            details={"from": previous, "to": status},
        )
    return organisation


# --- Issuer registries ------------------------------------------------------------------------
def _period_check(start: date, end: date | None, *, start_field: str) -> None:
    if start > timezone.localdate():
        raise InvalidInput("Ngày cấp ở tương lai.", "The issue date is in the future.", field=start_field)
    if end is not None and end < start:
        raise InvalidInput(
            "Ngày hết hạn trước ngày cấp.", "The expiry date is before the issue date.", field="expiry_date"
        )


@transaction.atomic
def driver_licence_issue(
    *,
    actor: Any = None,
    number: str,
    holder_personal_id: str,
    classes: str,
    issue_date: date,
    expiry_date: date | None = None,
    issuing_agency: Agency | None = None,
) -> DriverLicence:
    """Record a driving licence issued to the person with ``holder_personal_id``."""
    number = number.strip()
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        raise InvalidInput(
            "Số giấy phép lái xe phải có 12 chữ số.",
            "A driving licence number has 12 digits.",
            field="number",
        )
    validators.personal_id_validate(holder_personal_id)
    _period_check(issue_date, expiry_date, start_field="issue_date")
    if DriverLicence.objects.filter(number=number).exists():
        raise Conflict(f"Đã có giấy phép số {number}.", f"Licence {number} already exists.", field="number")
    licence = DriverLicence.objects.create(
        number=number,
        holder_personal_id=holder_personal_id,
        classes=validators.driving_classes_normalise(classes),
        issue_date=issue_date,
        expiry_date=expiry_date,
        issuing_agency=issuing_agency,
        status=DocumentStatus.ACTIVE,
    )
    audit_record(actor=actor, action="registry.driver_licence.issue", target=licence)
    return licence


@transaction.atomic
def vehicle_register(
    *,
    actor: Any = None,
    plate: str,
    vehicle_type: str,
    brand: str,
    colour: str,
    chassis_number: str,
    engine_number: str,
    registration_date: date,
    owner_id: str,
    model: str = "",
    issuing_agency: Agency | None = None,
) -> VehicleRegistration:
    """Register a vehicle to a person (12-digit ID) or an organisation (enterprise code)."""
    plate = validators.plate_normalise(plate)
    if vehicle_type not in VehicleType.values:
        raise _invalid_choice(vehicle_type, "vehicle_type", "Loại xe", "Vehicle type")
    owner_id = owner_id.strip()
    if len(owner_id) == 12 and owner_id.isdigit():
        validators.personal_id_validate(owner_id)
        owner_kind = OwnerKind.CITIZEN
    else:
        owner_id = validators.organisation_code_normalise(owner_id)
        owner_kind = OwnerKind.ORGANISATION
    _period_check(registration_date, None, start_field="registration_date")
    for value, field, vi, en in (
        (brand, "brand", "nhãn hiệu", "brand"),
        (colour, "colour", "màu sơn", "colour"),
        (chassis_number, "chassis_number", "số khung", "chassis number"),
        (engine_number, "engine_number", "số máy", "engine number"),
    ):
        if not value.strip():
            raise InvalidInput(f"Thiếu {vi}.", f"The {en} is missing.", field=field)
    if VehicleRegistration.objects.filter(plate=plate).exists():
        raise Conflict(
            f"Biển số {plate} đã được đăng ký.", f"Plate {plate} is already registered.", field="plate"
        )
    vehicle = VehicleRegistration.objects.create(
        plate=plate,
        vehicle_type=vehicle_type,
        brand=brand.strip(),
        model=model.strip(),
        colour=colour.strip(),
        chassis_number=chassis_number.strip().upper(),
        engine_number=engine_number.strip().upper(),
        registration_date=registration_date,
        owner_identifier=owner_id,
        owner_kind=owner_kind,
        issuing_agency=issuing_agency,
    )
    audit_record(actor=actor, action="registry.vehicle.register", target=vehicle)
    return vehicle


@transaction.atomic
def health_insurance_card_issue(
    *,
    actor: Any = None,
    number: str,
    holder_personal_id: str,
    benefit_level: int,
    primary_care_facility_code: str,
    primary_care_facility_name: str,
    valid_from: date,
    valid_to: date | None = None,
) -> HealthInsuranceCard:
    """Record a health-insurance card; the number is the holder's social-insurance number."""
    number = number.strip()
    if not (len(number) == 10 and number.isascii() and number.isdigit()):
        raise InvalidInput(
            "Mã số thẻ bảo hiểm y tế phải có 10 chữ số.",
            "A health-insurance card number has 10 digits.",
            field="number",
        )
    validators.personal_id_validate(holder_personal_id)
    if benefit_level not in BenefitLevel.values:
        raise _invalid_choice(benefit_level, "benefit_level", "Mức hưởng", "Benefit level")
    if not (len(primary_care_facility_code) == 5 and primary_care_facility_code.isdigit()):
        raise InvalidInput(
            "Mã nơi khám chữa bệnh ban đầu phải có 5 chữ số.",
            "The primary-care facility code has 5 digits.",
            field="primary_care_facility_code",
        )
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput(
            "Ngày hết hạn trước ngày bắt đầu.", "The end date is before the start date.", field="valid_to"
        )
    if HealthInsuranceCard.objects.filter(number=number).exists():
        raise Conflict(f"Đã có thẻ số {number}.", f"Card {number} already exists.", field="number")
    card = HealthInsuranceCard.objects.create(
        number=number,
        holder_personal_id=holder_personal_id,
        benefit_level=benefit_level,
        primary_care_facility_code=primary_care_facility_code,
        primary_care_facility_name=primary_care_facility_name.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit_record(actor=actor, action="registry.health_insurance_card.issue", target=card)
    return card


# --- Bulk -------------------------------------------------------------------------------------
def registry_import(
    *,
    kind: str,
    path: str | Path | None = None,
    stream: IO[bytes] | None = None,
    file_name: str = "",
    actor: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rejects: IO[str] | None = None,
) -> ImportReport:
    """Import a CSV file of one registry ``kind`` (see ``importing.py`` for the rules).

    Give ``path``, or a seekable binary ``stream`` (it is read twice: once to check the
    encoding and hash it, once to import). Not atomic as a whole, on purpose: rows are
    committed ``batch_size`` at a time so that a million-row file neither holds the database's
    write lock nor grows one huge transaction; the import is idempotent, so running the same
    file again after a failure completes it.
    """
    if (path is None) == (stream is None):
        raise ValueError("give exactly one of path and stream")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if path is not None:
        path = Path(path)
        try:
            handle = path.open("rb")
        except OSError as error:
            raise InvalidInput(
                f"Không mở được tệp {path}: {error.strerror}.",
                f"Cannot open file {path}: {error.strerror}.",
                code="import_file_missing",
            ) from None
        with handle:
            return import_csv(
                kind=kind,
                stream=handle,
                file_name=file_name or path.name,
                actor=actor,
                batch_size=batch_size,
                rejects=rejects,
            )
    assert stream is not None
    return import_csv(
        kind=kind,
        stream=stream,
        file_name=file_name or "stream",
        actor=actor,
        batch_size=batch_size,
        rejects=rejects,
    )


def registry_generate(
    *,
    citizens: int,
    seed: int = 0,
    out_dir: str | Path | None = None,
    as_of: date | None = None,
    actor: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> tuple[GenerateReport, list[ImportReport]]:
    """Make ``citizens`` synthetic people with households, organisations and documents.

    With ``out_dir`` the CSV files are written there and nothing touches the database;
    without, they go to a temporary directory and through :func:`registry_import` in
    dependency order (one audit entry per file), then are deleted. See ``generate.py``.
    """
    day = as_of or timezone.localdate()
    if out_dir is not None:
        return generate_files(citizens=citizens, seed=seed, out_dir=Path(out_dir), as_of=day), []
    with tempfile.TemporaryDirectory(prefix="congso-generate-") as tmp:
        generated = generate_files(citizens=citizens, seed=seed, out_dir=Path(tmp), as_of=day)
        imports = [
            registry_import(kind=kind, path=generated.files[kind], actor=actor, batch_size=batch_size)
            for kind in IMPORT_ORDER
        ]
    return generated, imports

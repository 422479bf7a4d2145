"""The demo data set: a small but realistic country slice that every domain can be shown on.

A ministry tree, two provinces with their communes' agencies, about 200 generated citizens
in households with organisations and documents, and named people whose accounts the README
and the demo printout name. Loading is idempotent: a second run finds the data and only
prints the accounts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from congso.catalog.models import Procedure
from congso.catalog.services import catalog_demo_load, procedure_agencies_assign
from congso.exchange.demo import exchange_demo_setup
from congso.identity.services import identity_demo_accounts_ensure, identity_demo_representation_bind
from congso.registry import services as registry
from congso.registry.choices import AgencyKind, AgencyLevel, LegalForm, RegistryKind
from congso.registry.generate import generate_files
from congso.registry.models import AdministrativeUnit, Agency, Citizen, Organisation
from congso.registry.validators import personal_id_build
from congso.signing.services import signing_setup

DEMO_SEED = 2026
DEMO_CITIZENS = 200
# Hà Nội and Đà Nẵng (post-2025 unit codes from the vietnam-provinces package).
DEMO_PROVINCES = ("01", "48")


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    level: str
    kind: str
    parent: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class DemoPerson:
    """A named person of the demo, with the role their account plays."""

    key: str
    full_name: str
    sex: str
    date_of_birth: date
    id_province: str
    serial: int
    phone: str
    role_vi: str
    role_en: str

    @property
    def personal_id(self) -> str:
        return personal_id_build(
            province_code=self.id_province, date_of_birth=self.date_of_birth, sex=self.sex, serial=self.serial
        )


# Demo codes in the shape of the national agency-code standard (QCVN 102:2016/BTTTT);
# a real deployment loads its own list.
MINISTRIES = (
    DemoAgency("G09", "Bộ Công an", AgencyLevel.MINISTRY, AgencyKind.POLICE),
    DemoAgency("G06", "Bộ Tài chính", AgencyLevel.MINISTRY, AgencyKind.FINANCE),
    DemoAgency("G12", "Bộ Tư pháp", AgencyLevel.MINISTRY, AgencyKind.JUSTICE),
    DemoAgency("G22", "Bảo hiểm xã hội Việt Nam", AgencyLevel.MINISTRY, AgencyKind.SOCIAL_INSURANCE, "G06"),
)

PEOPLE = (
    DemoPerson("citizen", "Nguyễn Văn An", "M", date(1990, 5, 17), "001", 123456, "0912000001",
               "Công dân, tài khoản mức 1", "Citizen, level 1 account"),
    DemoPerson("citizen2", "Trần Thị Bình", "F", date(1985, 11, 3), "001", 234567, "0912000002",
               "Công dân, tài khoản mức 2 (có giấy tờ tích hợp)", "Citizen, level 2 account (with documents)"),
    DemoPerson("police", "Lê Văn Cường", "M", date(1982, 2, 9), "001", 345678, "0912000003",
               "Cán bộ công an phường (nâng mức 2)", "Ward police officer (raises accounts to level 2)"),
    DemoPerson("officer", "Phạm Thị Dung", "F", date(1992, 8, 21), "001", 456789, "0912000004",
               "Cán bộ một cửa UBND phường", "One-stop-shop officer of a ward people's committee"),
    DemoPerson("operator", "Hoàng Văn Em", "M", date(1988, 1, 30), "001", 567890, "0912000005",
               "Quản trị vận hành hệ thống", "Platform operator"),
    DemoPerson("business", "Võ Thị Giang", "F", date(1979, 4, 12), "048", 678901, "0912000006",
               "Người đại diện theo pháp luật của doanh nghiệp", "Legal representative of an enterprise"),
)  # fmt: skip

DEMO_ENTERPRISE_CODE = "0401234566"
# The ward police in Hà Nội where the demo police officer works, and the committee of the same
# Hà Nội ward, where the demo citizens live and the demo one-stop-shop officer works (codes made
# by _agencies below).
DEMO_POLICE_AGENCY = "H26.01.51"
DEMO_COMMUNE_AGENCY = "H26.51"


@dataclass
class DemoReport:
    created: bool
    agencies: int = 0
    citizens: int = 0
    organisations: int = 0
    people: dict[str, Citizen] = field(default_factory=dict)
    import_rejected: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    dossiers: int = 0


def _communes(province_code: str, count: int) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(parent_id=province_code).order_by("code")[:count])


def _agencies() -> dict[str, Agency]:
    """The ministry tree plus, in each demo province, its people's committee, police and
    justice department, and for two of its communes their committee and police."""
    by_code: dict[str, Agency] = {}
    for spec in MINISTRIES:
        by_code[spec.code] = registry.agency_create(
            code=spec.code, name=spec.name, level=spec.level, kind=spec.kind,
            parent=by_code.get(spec.parent) if spec.parent else None,
        )  # fmt: skip
    province_codes = {"01": "H26", "48": "H17"}
    for province_code in DEMO_PROVINCES:
        province = AdministrativeUnit.objects.get(code=province_code)
        prefix = province_codes[province_code]
        committee = registry.agency_create(
            code=prefix, name=f"Ủy ban nhân dân {province.name}", level=AgencyLevel.PROVINCE,
            kind=AgencyKind.PEOPLES_COMMITTEE, administrative_unit=province,
        )  # fmt: skip
        by_code[committee.code] = committee
        for suffix, name, kind, parent in (
            ("01", f"Công an {province.name}", AgencyKind.POLICE, by_code["G09"]),
            ("02", f"Sở Tư pháp {province.name}", AgencyKind.JUSTICE, committee),
        ):
            agency = registry.agency_create(
                code=f"{prefix}.{suffix}", name=name, level=AgencyLevel.PROVINCE, kind=kind,
                parent=parent, administrative_unit=province,
            )  # fmt: skip
            by_code[agency.code] = agency
        for index, commune in enumerate(_communes(province_code, 2), start=1):
            commune_committee = registry.agency_create(
                code=f"{prefix}.{50 + index}", name=f"Ủy ban nhân dân {commune.name}",
                level=AgencyLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE, parent=committee,
                administrative_unit=commune,
            )  # fmt: skip
            police = registry.agency_create(
                code=f"{prefix}.01.{50 + index}", name=f"Công an {commune.name}", level=AgencyLevel.COMMUNE,
                kind=AgencyKind.POLICE, parent=by_code[f"{prefix}.01"], administrative_unit=commune,
            )  # fmt: skip
            by_code[commune_committee.code] = commune_committee
            by_code[police.code] = police
    owners = {
        RegistryKind.POPULATION: "G09",
        RegistryKind.DRIVER_LICENCES: "G09",  # issued by the police since 1/3/2025
        RegistryKind.VEHICLES: "G09",
        RegistryKind.ORGANISATIONS: "G06",
        RegistryKind.HEALTH_INSURANCE: "G22",
    }
    for registry_kind, code in owners.items():
        registry.registry_owner_set(kind=registry_kind, owner=by_code[code])
    return by_code


def _import_generated(report: DemoReport) -> None:
    with tempfile.TemporaryDirectory(prefix="congso-demo-") as tmp:
        out = Path(tmp)
        generated = generate_files(
            citizens=DEMO_CITIZENS, seed=DEMO_SEED, out_dir=out, as_of=timezone.localdate()
        )
        # FILES is ordered so that people come before the households and documents naming them.
        for kind, path in generated.files.items():
            report.import_rejected += registry.registry_import(kind=kind, path=path).rejected


def _people(agencies: dict[str, Agency]) -> dict[str, Citizen]:
    hanoi = _communes("01", 1)[0]
    danang = _communes("48", 1)[0]
    people: dict[str, Citizen] = {}
    for number, person in enumerate(PEOPLE, start=1):
        commune = hanoi if person.id_province == "001" else danang
        people[person.key] = registry.citizen_create(
            personal_id=person.personal_id, full_name=person.full_name, date_of_birth=person.date_of_birth,
            sex=person.sex, permanent_address=f"Số {number * 7} đường Demo", permanent_commune=commune,
            place_of_origin=commune.name, phone=person.phone, email=f"{person.key}@demo.congso.vn",
        )  # fmt: skip
    holder = people["citizen2"]
    registry.driver_licence_issue(
        number="010185123456", holder_personal_id=holder.personal_id, classes="A1,B",
        issue_date=date(2020, 6, 1), expiry_date=date(2030, 6, 1), issuing_agency=agencies["H26.01"],
    )  # fmt: skip
    registry.vehicle_register(
        plate="30A-123.45", vehicle_type="car", brand="VinFast", model="VF 8", colour="Trắng",
        chassis_number="RLLV8A1B2C3D45678", engine_number="VF8E123456", registration_date=date(2023, 3, 15),
        owner_id=holder.personal_id, issuing_agency=agencies["H26.01"],
    )  # fmt: skip
    registry.health_insurance_card_issue(
        number="0185123456", holder_personal_id=holder.personal_id, benefit_level=4,
        primary_care_facility_code="01001", primary_care_facility_name="Bệnh viện Đa khoa Demo Hà Nội",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
    )  # fmt: skip
    registry.organisation_create(
        code=DEMO_ENTERPRISE_CODE, name="Công ty TNHH Dịch vụ số Giang Sơn", english_name="Giang Son Digital Services Co., Ltd",
        founded_date=date(2015, 9, 1), address_line="Số 12 đường Bạch Đằng", commune=danang,
        legal_form=LegalForm.LIMITED_MULTI, representative=people["business"], business_lines="6201,6202",
    )  # fmt: skip
    return people


def _procedure_agencies() -> None:
    """Who carries out each demo procedure: by its level and kind, in both demo provinces.

    At commune level the people's committee handles civil status, certification, household
    businesses and building permits; the commune police handle residence (Law on Residence
    2020). At province level the department of the procedure's kind does, and the social
    insurance procedures go to Vietnam Social Security.
    """
    agencies = list(Agency.objects.filter(code__startswith="H"))
    for procedure in Procedure.objects.filter(published=True).order_by("code"):
        if procedure.level == AgencyLevel.COMMUNE:
            kind = (
                AgencyKind.POLICE
                if procedure.agency_kind == AgencyKind.POLICE
                else AgencyKind.PEOPLES_COMMITTEE
            )
            chosen = [a for a in agencies if a.level == AgencyLevel.COMMUNE and a.kind == kind]
        else:
            chosen = [
                a for a in agencies if a.level == AgencyLevel.PROVINCE and a.kind == procedure.agency_kind
            ]
            if not chosen:
                chosen = list(Agency.objects.filter(kind=procedure.agency_kind, level=AgencyLevel.MINISTRY))
        if chosen and {a.pk for a in procedure.agencies.all()} != {a.pk for a in chosen}:
            procedure_agencies_assign(procedure=procedure, agencies=chosen)


# (procedure code, answers beyond what the registries prefill, what happens after submission)
DEMO_DOSSIERS = (
    ("1.001193", {"child_full_name": "Lê Minh Châu", "child_sex": "F", "relationship_to_child": "Mẹ"}, "new"),
    (
        "1.001193",
        {"child_full_name": "Lê Minh Khang", "child_sex": "M", "relationship_to_child": "Mẹ"},
        "processing",
    ),
    ("1.004206", {"purpose": "Bổ sung hồ sơ xin việc"}, "new"),
)


def _dossiers(people: dict[str, Citizen]) -> int:
    """A few applications of the level-2 citizen, so that the officers' queues are not empty.

    Made through the same services as the wizard: consent, prefill through the exchange,
    upload, submission. Only on the first run (the citizen then has dossiers).
    """
    from congso.dossiers import selectors as dossier_selectors
    from congso.dossiers import services as dossiers
    from congso.identity.models import User
    from congso.signing.pdf import PdfDocument, pdf_render

    applicant = User.objects.get(username=people["citizen2"].personal_id)
    if dossier_selectors.dossier_list_for_applicant(user=applicant).exists():
        return 0
    officer = User.objects.get(username=people["officer"].personal_id)
    today = timezone.localdate()
    for code, extra, fate in DEMO_DOSSIERS:
        draft = dossiers.draft_start(user=applicant, procedure_code=code)
        dossiers.prefill_consent_grant(
            draft=draft, user=applicant, services=dossiers.prefill_services(procedure=draft.procedure)
        )
        dossiers.draft_prefill(draft=draft, user=applicant)
        child_born = today.replace(day=1).isoformat()
        answers = {
            **draft.data,
            "child_date_of_birth": child_born,
            "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội",
            "child_ethnicity": "Kinh",
            "mother_full_name": applicant.full_name,
            "mother_personal_id": applicant.username,
            "declaration": True,
            **extra,
        }
        known = set(draft.procedure.form_schema.get("properties", {}))
        dossiers.draft_save(
            draft=draft, user=applicant, data={k: v for k, v in answers.items() if k in known}
        )
        for requirement in draft.procedure.documents.all():
            if requirement.mandatory and not requirement.registry_source and not requirement.online_form:
                paper = pdf_render(
                    PdfDocument(
                        agency_name="BỆNH VIỆN PHỤ SẢN HÀ NỘI",
                        title=requirement.name.upper(),
                        paragraphs=[f"Bản điện tử mẫu của {requirement.name} (dữ liệu demo)."],
                        signature_box=False,
                    )
                )
                upload = SimpleUploadedFile(
                    f"{slugify(requirement.name)}.pdf", paper, content_type="application/pdf"
                )
                dossiers.draft_document_upload(
                    draft=draft, user=applicant, requirement_id=requirement.pk, uploaded_file=upload
                )
        dossier = dossiers.dossier_submit(draft=draft, user=applicant)
        if fate == "processing":
            dossiers.dossier_receive(dossier=dossier, officer=officer)
            dossiers.dossier_assign(dossier=dossier, officer=officer, assignee=officer)
    return len(DEMO_DOSSIERS)


def demo_load(*, progress: Callable[[str], None] = lambda message: None) -> DemoReport:
    """Load the demo data set once; later calls find it and change nothing."""
    if Agency.objects.filter(code=MINISTRIES[0].code).exists():
        report = DemoReport(created=False)
    else:
        report = DemoReport(created=True)
        with transaction.atomic():
            if not AdministrativeUnit.objects.exists():
                progress("Nạp đơn vị hành chính / loading administrative units")
                registry.administrative_units_load()
            progress("Tạo cơ quan / creating agencies")
            agencies = _agencies()
            progress("Tạo công dân mẫu / creating demo people")
            _people(agencies)
            progress(f"Sinh {DEMO_CITIZENS} công dân / generating {DEMO_CITIZENS} citizens")
            _import_generated(report)
    progress("Danh mục thủ tục / procedure catalog")
    catalog_demo_load()
    _procedure_agencies()
    progress("Nền tảng trao đổi dữ liệu / data-exchange members and services")
    exchange_demo_setup()
    people = report.people = {
        person.key: Citizen.objects.get(personal_id=person.personal_id) for person in PEOPLE
    }
    enterprise = Organisation.objects.select_related("representative").get(code=DEMO_ENTERPRISE_CODE)
    assert enterprise.representative is not None, "the demo enterprise has a legal representative"
    with transaction.atomic():
        report.accounts = identity_demo_accounts_ensure(
            level1=people["citizen"],
            level2=people["citizen2"],
            police_officer=people["police"],
            police_agency=Agency.objects.get(code=DEMO_POLICE_AGENCY),
            commune_officer=people["officer"],
            commune_agency=Agency.objects.get(code=DEMO_COMMUNE_AGENCY),
            operator=people["operator"],
            representative=enterprise.representative,
            organisation_name=enterprise.name,
        )
    identity_demo_representation_bind(representative=enterprise.representative)
    progress("Khóa ký số demo / demo signing keys")
    signing_setup()
    progress("Hồ sơ mẫu / sample dossiers")
    report.dossiers = _dossiers(people)
    report.agencies = Agency.objects.count()
    report.citizens = Citizen.objects.count()
    report.organisations = Organisation.objects.count()
    return report

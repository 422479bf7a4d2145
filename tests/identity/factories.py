"""Data for the identity tests: communes, citizens, accounts, agencies, enterprises, codes."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pyotp
from django.test import Client

from congso.identity import services
from congso.identity.models import AccountKind, OfficerRole, OfficerRoleKind, TotpDevice, User
from congso.notify.models import Channel, Message
from congso.notify.phone import phone_normalize
from congso.registry import validators
from congso.registry.choices import AgencyKind, AgencyLevel, DivisionType, Sex, UnitLevel
from congso.registry.models import AdministrativeUnit, Agency, Citizen, Organisation

PASSWORD = "Mat-Khau-9x!"
_serials = itertools.count(100_001)
_phones = itertools.count(12_345_001)
_agencies = itertools.count(10)
_orgs = itertools.count(1_000_001)


def commune() -> AdministrativeUnit:
    province, _ = AdministrativeUnit.objects.get_or_create(
        code="01",
        defaults={
            "name": "Thành phố Hà Nội",
            "division_type": DivisionType.CENTRAL_CITY,
            "level": UnitLevel.PROVINCE,
        },
    )
    unit, _ = AdministrativeUnit.objects.get_or_create(
        code="00004",
        defaults={
            "name": "Phường Ba Đình",
            "division_type": DivisionType.WARD,
            "level": UnitLevel.COMMUNE,
            "parent": province,
        },
    )
    return unit


def make_citizen(
    *,
    full_name: str = "Nguyễn Thị Lan",
    sex: str = Sex.FEMALE,
    date_of_birth: date = date(1990, 5, 17),
    phone: str | None = None,
) -> Citizen:
    personal_id = validators.personal_id_build(
        province_code="001", date_of_birth=date_of_birth, sex=sex, serial=next(_serials)
    )
    return Citizen.objects.create(
        personal_id=personal_id,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        permanent_address="Số 12 phố Đội Cấn",
        permanent_commune=commune(),
        phone=phone if phone is not None else f"09{next(_phones):08d}",
    )


def make_account(
    citizen: Citizen | None = None, *, level: int = 1, password: str = PASSWORD, **fields: Any
) -> User:
    citizen = citizen or make_citizen()
    user = User(
        username=citizen.personal_id,
        full_name=citizen.full_name,
        kind=AccountKind.PERSON,
        citizen=citizen,
        assurance_level=level,
        **fields,
    )
    user.set_password(password)
    user.save()
    return user


def make_totp_device(user: User, secret: str | None = None) -> tuple[TotpDevice, str]:
    """An authenticator app stored as enrolment stores it (encrypted); returns it and its secret."""
    secret = secret or pyotp.random_base32()
    device = TotpDevice.objects.create(
        user=user, secret_encrypted=services.totp_secret_seal(user_id=user.pk, secret=secret)
    )
    return device, secret


def make_agency(*, kind: str = AgencyKind.POLICE, name: str = "Công an phường Ba Đình") -> Agency:
    return Agency.objects.create(
        code=f"H{next(_agencies):02d}.01", name=name, level=AgencyLevel.COMMUNE, kind=kind
    )


def make_officer(agency: Agency, *, role: str = OfficerRoleKind.OFFICER, **citizen_fields: Any) -> User:
    officer = make_account(make_citizen(**citizen_fields), level=2)
    OfficerRole.objects.create(user=officer, agency=agency, role=role)
    return officer


def business_registry() -> None:
    """The business registry, owned by an agency and published on the exchange (as deployed).

    The eID learns whom a person represents only by asking it through the exchange.
    """
    from congso.exchange.demo import exchange_demo_setup
    from congso.registry.models import Registry

    if not Registry.objects.filter(kind="organisations").exists():
        owner = Agency.objects.create(
            code="G02", name="Bộ Tài chính", level=AgencyLevel.MINISTRY, kind=AgencyKind.FINANCE
        )
        Registry.objects.create(kind="organisations", owner=owner)
    exchange_demo_setup()


def make_organisation(*, representative: Citizen) -> Organisation:
    while True:
        first_nine = f"01{next(_orgs):07d}"
        check = validators.tax_code_check_digit(first_nine)
        if check is not None:
            break
    return Organisation.objects.create(
        code=f"{first_nine}{check}",
        name="Công ty TNHH Sen Vàng",
        founded_date=date(2015, 3, 2),
        address_line="Số 5 phố Kim Mã",
        commune=commune(),
        representative=representative,
    )


def last_sms_code(phone: str) -> str:
    """The 6-digit code of the latest SMS queued to ``phone`` (before delivery blanks it)."""
    message = (
        Message.objects.filter(channel=Channel.SMS, to=phone_normalize(phone))
        .order_by("-created_at", "-id")
        .first()
    )
    assert message is not None, f"no SMS to {phone}"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match is not None, message.body
    return match.group(1)


def sms_count(phone: str) -> int:
    return Message.objects.filter(channel=Channel.SMS, to=phone_normalize(phone)).count()


def login(client: Client, user: User, *, password: str = PASSWORD) -> None:
    """The whole login through the pages: password, then the SMS code."""
    response = client.post("/dang-nhap/", {"personal_id": user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/dang-nhap/xac-thuc/"
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code(user.phone)})
    assert response.status_code == 302, response.content.decode()[:2000]

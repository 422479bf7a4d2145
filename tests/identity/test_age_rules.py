"""The age rules of Decree 69/2024/NĐ-CP: people under 14 do not activate an account
themselves; level 2 under 14 only on the guardian's request, and never under 6."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from congso.core.models import AuditEntry
from congso.identity import eligibility, services
from congso.identity.errors import GuardianRequired
from congso.identity.models import AssuranceVerification, CodePurpose, OneTimeCode, User
from congso.registry.choices import AgencyKind
from congso.registry.models import Citizen

from .factories import PASSWORD, login, make_account, make_agency, make_citizen, make_officer, sms_count

pytestmark = pytest.mark.django_db

TOO_YOUNG = "Cha, mẹ hoặc người giám hộ cần đến công an xã/phường"


def years_ago(years: int, *, birthday_tomorrow: bool = False) -> date:
    """A date of birth making the person ``years`` old today in Vietnam, or one day short of it."""
    day = eligibility.vietnam_today() + timedelta(days=int(birthday_tomorrow))
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born(age: str) -> date:
    return {
        "13 years 364 days": lambda: years_ago(14, birthday_tomorrow=True),
        "14 today": lambda: years_ago(14),
        "6 today": lambda: years_ago(6),
        "5 years 364 days": lambda: years_ago(6, birthday_tomorrow=True),
    }[age]()


def child(age: str, *, phone: str = "0912345678") -> Citizen:
    return make_citizen(full_name="Lê Minh An", date_of_birth=born(age), phone=phone)


# --- Counting age ------------------------------------------------------------------------------
def test_age_counts_the_birthday_itself() -> None:
    assert eligibility.age_on(date(2012, 3, 11), date(2026, 3, 10)) == 13
    assert eligibility.age_on(date(2012, 3, 11), date(2026, 3, 11)) == 14
    assert eligibility.age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert eligibility.age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14


def test_the_day_is_vietnams_not_the_servers() -> None:
    evening_in_utc = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # 01:00 on 11 March in Hà Nội

    assert eligibility.vietnam_today(evening_in_utc) == date(2026, 3, 11)


def test_activation_follows_vietnam_time_on_the_birthday(monkeypatch: Any) -> None:
    from django.utils import timezone

    moment = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    citizen = make_citizen(date_of_birth=date(2012, 3, 11), phone="0912345678")

    challenge = services.activation_start(personal_id=citizen.personal_id, phone="0912345678", ip=None)

    assert challenge.sent


# --- Self-service activation ---------------------------------------------------------------------
@pytest.mark.parametrize("age", ["13 years 364 days", "6 today", "5 years 364 days"])
def test_activation_refuses_a_person_under_14_and_names_the_commune_police(age: str) -> None:
    citizen = child(age)

    with pytest.raises(GuardianRequired) as refused:
        services.activation_start(personal_id=citizen.personal_id, phone="0912345678", ip="203.0.113.9")

    assert TOO_YOUNG in refused.value.message_vi
    assert "commune police" in refused.value.message_en
    assert sms_count("0912345678") == 0
    assert not OneTimeCode.objects.exists()
    entry = AuditEntry.objects.get(action="identity.activation.refused")
    assert entry.target_id == str(citizen.pk)
    assert entry.details["age"] == eligibility.age_on(citizen.date_of_birth, eligibility.vietnam_today())
    assert entry.details["code"] == "guardian_required"


def test_activation_is_open_from_the_14th_birthday() -> None:
    citizen = child("14 today")

    challenge = services.activation_start(personal_id=citizen.personal_id, phone="0912345678", ip=None)

    assert challenge.sent
    assert sms_count("0912345678") == 1


def test_a_child_with_a_phone_that_does_not_match_gets_the_usual_answer() -> None:
    citizen = child("13 years 364 days")

    challenge = services.activation_start(personal_id=citizen.personal_id, phone="0987000111", ip=None)

    assert not challenge.sent
    assert not AuditEntry.objects.filter(action="identity.activation.refused").exists()


def test_a_code_asked_for_before_the_rule_does_not_open_an_account_for_a_child() -> None:
    from django.utils import timezone

    citizen = child("13 years 364 days")
    challenge = OneTimeCode.objects.create(
        purpose=CodePurpose.ACTIVATION,
        citizen=citizen,
        phone="+84912345678",
        salt="s",
        code_hash="h",
        sent=True,
        expires_at=timezone.now() + timedelta(minutes=5),
        verified_at=timezone.now(),
    )

    with pytest.raises(GuardianRequired):
        services.account_activate(challenge_id=challenge.pk, password=PASSWORD)

    assert not User.objects.filter(citizen=citizen).exists()
    assert AuditEntry.objects.filter(action="identity.activation.refused").count() == 1


def test_the_activation_page_explains_the_guardian_must_apply() -> None:
    citizen = child("13 years 364 days")

    response = Client().post("/kich-hoat/", {"personal_id": citizen.personal_id, "phone": "0912345678"})

    assert response.status_code == 200
    page = response.content.decode()
    assert TOO_YOUNG in page
    assert "commune police" in page


# --- Level 2 at the police ---------------------------------------------------------------------
def raise_level2(person: User, *, guardian_request: bool) -> AssuranceVerification:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police, phone="0987000001")
    return services.assurance_level_raise(
        officer=officer,
        agency=police,
        user=person,
        checked_in_person=True,
        reason="Đối chiếu CCCD và vân tay",
        guardian_request=guardian_request,
    )


@pytest.mark.parametrize("age", ["13 years 364 days", "6 today"])
def test_level2_under_14_needs_the_guardians_request(age: str) -> None:
    person = make_account(child(age))

    with pytest.raises(GuardianRequired) as refused:
        raise_level2(person, guardian_request=False)

    assert refused.value.field == "guardian_request"
    assert User.objects.get(pk=person.pk).assurance_level == 1
    entry = AuditEntry.objects.get(action="identity.level2.refused")
    assert (entry.details["code"], entry.details["guardian_request"]) == ("guardian_required", False)


@pytest.mark.parametrize("age", ["13 years 364 days", "6 today"])
def test_level2_under_14_on_the_guardians_request_is_recorded(age: str) -> None:
    person = make_account(child(age))

    verification = raise_level2(person, guardian_request=True)

    assert User.objects.get(pk=person.pk).assurance_level == 2
    assert AssuranceVerification.objects.get(pk=verification.pk).guardian_request is True
    entry = AuditEntry.objects.get(action="identity.level2.raised")
    assert entry.details["guardian_request"] is True
    assert entry.details["age"] in (6, 13)


def test_level2_from_the_14th_birthday_needs_no_guardian() -> None:
    person = make_account(child("14 today"))

    verification = raise_level2(person, guardian_request=False)

    assert verification.guardian_request is False
    assert AuditEntry.objects.get(action="identity.level2.raised").details["age"] == 14


def test_level2_is_never_given_under_6_even_on_the_guardians_request() -> None:
    person = make_account(child("5 years 364 days"))

    with pytest.raises(GuardianRequired) as refused:
        raise_level2(person, guardian_request=True)

    assert refused.value.code == "level2_too_young"
    assert User.objects.get(pk=person.pk).assurance_level == 1
    assert AuditEntry.objects.get(action="identity.level2.refused").details["age"] == 5


def test_the_back_office_page_asks_for_the_guardians_request_under_14() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police, full_name="Phạm Văn Công", phone="0987000001")
    person = make_account(child("13 years 364 days", phone="0912345670"))
    client = Client()
    login(client, officer)
    form = {
        "action": "raise",
        "personal_id": person.username,
        "agency": str(police.pk),
        "checked_in_person": "on",
        "reason": "Giấy khai sinh, CCCD của mẹ, vân tay khớp",
    }

    lookup = client.post("/can-bo/xac-thuc-muc-2/", {"action": "lookup", "personal_id": person.username})
    assert 'name="guardian_request"' in lookup.content.decode()
    assert "13 tuổi" in lookup.content.decode()
    without = client.post("/can-bo/xac-thuc-muc-2/", form)
    assert "chỉ được nâng tài khoản lên mức 2 theo đề nghị" in without.content.decode()
    assert User.objects.get(pk=person.pk).assurance_level == 1
    done = client.post("/can-bo/xac-thuc-muc-2/", {**form, "guardian_request": "on"}, follow=True)

    assert "đã được nâng lên mức 2" in done.content.decode()
    assert AssuranceVerification.objects.get(user=person).guardian_request is True


def test_the_back_office_page_offers_no_level2_under_6_and_no_guardian_box_from_14() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police, phone="0987000001")
    toddler = make_account(child("5 years 364 days", phone="0912345671"))
    teenager = make_account(child("14 today", phone="0912345672"))
    client = Client()
    login(client, officer)

    small = client.post("/can-bo/xac-thuc-muc-2/", {"action": "lookup", "personal_id": toddler.username})
    big = client.post("/can-bo/xac-thuc-muc-2/", {"action": "lookup", "personal_id": teenager.username})

    assert 'value="raise"' not in small.content.decode()
    assert "dưới 6 tuổi" in small.content.decode()
    assert 'value="raise"' in big.content.decode()
    assert 'name="guardian_request"' not in big.content.decode()

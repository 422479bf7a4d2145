"""Assurance level 2: raised only by a police officer, in person, audited; officer roles."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from congso.core.errors import PermissionDenied
from congso.core.models import AuditEntry
from congso.identity import services
from congso.identity.auth import require_assurance_level
from congso.identity.errors import AssuranceTooLow
from congso.identity.models import AssuranceVerification, OfficerRole, OfficerRoleKind, User
from congso.notify.models import Channel, Message
from congso.registry.choices import AgencyKind

from .factories import login, make_account, make_agency, make_citizen, make_officer

pytestmark = pytest.mark.django_db


def test_a_police_officer_raises_an_account_to_level2_audited() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police)
    person = make_account(make_citizen(phone="0912345678"))

    services.assurance_level_raise(
        officer=officer,
        agency=police,
        user=person,
        checked_in_person=True,
        reason="Đối chiếu CCCD và vân tay",
    )

    person.refresh_from_db()
    assert person.assurance_level == 2
    verification = AssuranceVerification.objects.get(user=person)
    assert (verification.officer, verification.agency) == (officer, police)
    entry = AuditEntry.objects.get(action="identity.level2.raised")
    assert (entry.actor_id, entry.target_id) == (str(officer.pk), str(person.pk))
    assert entry.details["reason"] == "Đối chiếu CCCD và vân tay"
    inbox = Message.objects.get(user=person, channel=Channel.INAPP, template_key="identity.level2_raised")
    assert police.name in inbox.body


def test_an_officer_of_another_agency_cannot_raise_and_the_attempt_is_audited() -> None:
    commune = make_agency(kind=AgencyKind.PEOPLES_COMMITTEE, name="UBND phường Ba Đình")
    officer = make_officer(commune)
    person = make_account()

    with pytest.raises(PermissionDenied):
        services.assurance_level_raise(
            officer=officer, agency=commune, user=person, checked_in_person=True, reason="thử"
        )

    person.refresh_from_db()
    assert person.assurance_level == 1
    refused = AuditEntry.objects.get(action="identity.level2.refused")
    assert refused.actor_id == str(officer.pk)
    assert refused.details["code"] == "not_police_officer"


def test_a_citizen_without_a_role_in_that_police_agency_cannot_raise() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    other_police = make_agency(kind=AgencyKind.POLICE, name="Công an phường Kim Mã")
    officer = make_officer(other_police)
    person = make_account()

    with pytest.raises(PermissionDenied):
        services.assurance_level_raise(
            officer=officer, agency=police, user=person, checked_in_person=True, reason="x"
        )
    assert User.objects.get(pk=person.pk).assurance_level == 1


def test_a_revoked_role_no_longer_allows_raising() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police)
    services.officer_role_revoke(actor=None, officer_role=OfficerRole.objects.get(user=officer))

    with pytest.raises(PermissionDenied):
        services.assurance_level_raise(
            officer=officer, agency=police, user=make_account(), checked_in_person=True, reason="x"
        )


def test_an_officer_cannot_raise_their_own_account() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police)
    officer.assurance_level = 1
    officer.save()

    with pytest.raises(PermissionDenied):
        services.assurance_level_raise(
            officer=officer, agency=police, user=officer, checked_in_person=True, reason="x"
        )
    assert User.objects.get(pk=officer.pk).assurance_level == 1


def test_the_back_office_page_looks_up_then_raises() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    officer = make_officer(police, full_name="Phạm Văn Công", phone="0987000001")
    person = make_account(make_citizen(full_name="Đỗ Thị Hoa", phone="0912345678"))
    client = Client()
    login(client, officer)

    page = client.post("/can-bo/xac-thuc-muc-2/", {"action": "lookup", "personal_id": person.username})
    assert "Đỗ Thị Hoa" in page.content.decode()
    assert AuditEntry.objects.filter(action="identity.level2.lookup", actor_id=str(officer.pk)).exists()

    unchecked = client.post(
        "/can-bo/xac-thuc-muc-2/",
        {"action": "raise", "personal_id": person.username, "agency": str(police.pk), "reason": "CCCD"},
    )
    assert "Hãy xác nhận đã đối chiếu trực tiếp người dân" in unchecked.content.decode()
    assert User.objects.get(pk=person.pk).assurance_level == 1

    done = client.post(
        "/can-bo/xac-thuc-muc-2/",
        {
            "action": "raise",
            "personal_id": person.username,
            "agency": str(police.pk),
            "checked_in_person": "on",
            "reason": "CCCD và vân tay khớp",
        },
        follow=True,
    )
    assert "Tài khoản của Đỗ Thị Hoa đã được nâng lên mức 2" in done.content.decode()
    assert User.objects.get(pk=person.pk).assurance_level == 2


def test_the_back_office_page_is_closed_to_citizens_and_non_police_officers() -> None:
    citizen = make_account(make_citizen(phone="0912345678"))
    commune_officer = make_officer(make_agency(kind=AgencyKind.PEOPLES_COMMITTEE), phone="0987000002")
    for user in (citizen, commune_officer):
        client = Client()
        login(client, user)
        assert client.get("/can-bo/xac-thuc-muc-2/").status_code == 403


def test_require_assurance_level_guards_views_and_services() -> None:
    @require_assurance_level(2)
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    @require_assurance_level(2)
    def pay_bill(*, user: User) -> str:
        return "paid"

    level1 = make_account(make_citizen(phone="0912345678"))
    level2 = make_account(make_citizen(phone="0912345679"), level=2)
    with pytest.raises(AssuranceTooLow):
        pay_bill(user=level1)
    assert pay_bill(user=level2) == "paid"

    for user, status in ((level1, 403), (level2, 200)):
        client = Client()
        login(client, user)
        request = RequestFactory().get("/")
        request.user = user
        request.session = client.session
        assert view(request).status_code == status
    anonymous = RequestFactory().get("/thanh-toan/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    anonymous.session = Client().session
    assert view(anonymous)["Location"] == "/dang-nhap/?next=/thanh-toan/"


def test_only_the_agency_administrator_gives_roles_and_refusals_are_audited() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    administrator = make_officer(police, role=OfficerRoleKind.ADMINISTRATOR)
    plain_officer = make_officer(police)
    newcomer = make_account()

    with pytest.raises(PermissionDenied):
        services.officer_role_assign(
            actor=plain_officer, user=newcomer, agency=police, role=OfficerRoleKind.OFFICER
        )
    assert AuditEntry.objects.filter(action="identity.officer_role.assign_refused").count() == 1

    role = services.officer_role_assign(
        actor=administrator, user=newcomer, agency=police, role=OfficerRoleKind.OFFICER
    )
    assert AuditEntry.objects.filter(action="identity.officer_role.assigned", target_id=str(role.pk)).exists()
    services.assurance_level_raise(
        officer=newcomer, agency=police, user=make_account(), checked_in_person=True, reason="CCCD"
    )


def test_the_roles_page_lets_an_administrator_give_a_role() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    administrator = make_officer(police, role=OfficerRoleKind.ADMINISTRATOR, phone="0987000003")
    newcomer = make_account(make_citizen(full_name="Vũ Văn Mới"))
    client = Client()
    login(client, administrator)

    page = client.post(
        "/can-bo/vai-tro/",
        {"action": "assign", "personal_id": newcomer.username, "agency": str(police.pk), "role": "officer"},
        follow=True,
    )

    assert "Đã giao vai trò" in page.content.decode()
    assert "Vũ Văn Mới" in page.content.decode()
    assert OfficerRole.objects.active().filter(user=newcomer, agency=police).exists()

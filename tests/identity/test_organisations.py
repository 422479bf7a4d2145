"""Organisation accounts: bound to their legal representative by asking the business registry
through the exchange; the representative authorises employees, with scope and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congso.core.errors import PermissionDenied
from congso.core.models import AuditEntry
from congso.exchange import services as exchange_services
from congso.exchange.models import AccessRight, MessageLogEntry
from congso.identity import selectors, services
from congso.identity.models import AccountKind, AuthorisationScope, OrganisationAuthorisation, User
from congso.registry.choices import OrganisationStatus
from congso.registry.models import Organisation

from .factories import business_registry, login, make_account, make_citizen, make_organisation

pytestmark = pytest.mark.django_db

SUBMIT = AuthorisationScope.SUBMIT_DOSSIERS


def _setup() -> tuple[User, User, User]:
    """A representative, an employee, and the enterprise's account as the eID learnt it."""
    business_registry()
    representative = make_account(make_citizen(full_name="Hoàng Văn Đại Diện", phone="0912345601"))
    employee = make_account(make_citizen(full_name="Ngô Thị Nhân Viên", phone="0912345602"))
    assert representative.citizen is not None
    enterprise = make_organisation(representative=representative.citizen)
    assert services.representation_refresh(user=representative)
    return representative, employee, User.objects.get(organisation_code=enterprise.code)


def test_the_representative_acts_for_the_organisation_with_every_scope() -> None:
    representative, _employee, organisation = _setup()

    acting = selectors.organisations_user_may_act_for(representative)

    assert [(entry.code, entry.name, entry.as_representative) for entry in acting] == [
        (organisation.organisation_code, "Công ty TNHH Sen Vàng", True)
    ]
    assert selectors.organisation_may_act(user=representative, organisation=organisation, scope=SUBMIT)
    assert organisation.kind == AccountKind.ORGANISATION
    assert not organisation.has_usable_password()


def test_the_question_goes_through_the_exchange_under_a_legal_basis_and_shows_in_the_data_tracker() -> None:
    representative, _employee, _organisation = _setup()

    entry = MessageLogEntry.objects.get(service__endswith="/represented-enterprises")
    assert entry.client == "VN/GOV/CONGSO/VNEID"
    assert "69/2024" in entry.basis  # no consent: the eID's legal basis
    assert entry.data_subject == representative.username
    assert entry.purpose == "organisation-representation"
    assert entry.status == 200
    assert AuditEntry.objects.filter(
        action="identity.representation.changed", target_id=str(representative.pk)
    ).exists()
    client = Client()
    login(client, representative)
    tracker = client.get("/tai-khoan/du-lieu-cua-toi/").content.decode()
    assert "Hệ thống định danh điện tử" in tracker
    assert "Doanh nghiệp do công dân làm người đại diện theo pháp luật" in tracker


def test_a_new_representative_takes_over_and_the_former_one_loses_the_organisation() -> None:
    former, employee, organisation = _setup()
    successor = make_account(make_citizen(full_name="Đỗ Văn Kế Nhiệm", phone="0912345603"))
    authorisation = services.organisation_authorisation_grant(
        actor=former,
        organisation=organisation,
        employee_personal_id=employee.username,
        scopes=[SUBMIT],
        expires_at=timezone.now() + timedelta(days=30),
    )
    Organisation.objects.filter(code=organisation.organisation_code).update(
        representative=successor.citizen, name="Công ty Cổ phần Sen Vàng"
    )

    assert services.representation_refresh(user=successor)
    assert services.representation_refresh(user=former)

    assert selectors.organisations_user_may_act_for(former) == []
    [acting] = selectors.organisations_user_may_act_for(successor)
    assert (acting.code, acting.name, acting.as_representative) == (
        organisation.organisation_code,
        "Công ty Cổ phần Sen Vàng",
        True,
    )
    with pytest.raises(PermissionDenied):
        services.organisation_authorisation_revoke(actor=former, authorisation=authorisation)
    # What the enterprise authorised stays until the new representative revokes it.
    assert selectors.organisation_may_act(user=employee, organisation=organisation, scope=SUBMIT)
    services.organisation_authorisation_revoke(actor=successor, authorisation=authorisation)
    assert selectors.organisations_user_may_act_for(employee) == []


def test_a_dissolved_enterprise_has_nobody_acting_for_it() -> None:
    representative, _employee, organisation = _setup()
    Organisation.objects.filter(code=organisation.organisation_code).update(
        status=OrganisationStatus.DISSOLVED
    )

    assert services.representation_refresh(user=representative)

    assert selectors.organisations_user_may_act_for(representative) == []


def test_when_the_exchange_refuses_the_last_answer_stands_and_login_still_works() -> None:
    representative, _employee, organisation = _setup()
    right = AccessRight.objects.active().get(client__code="VNEID")
    exchange_services.access_right_revoke(right=right)
    Organisation.objects.filter(code=organisation.organisation_code).update(representative=None)

    assert not services.representation_refresh(user=representative)
    client = Client()
    login(client, representative)

    assert client.get("/tai-khoan/to-chuc/").status_code == 200
    assert [entry.code for entry in selectors.organisations_user_may_act_for(representative)] == [
        organisation.organisation_code
    ]


def test_login_asks_the_registry_again_once_its_answer_is_old(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    representative, _employee, organisation = _setup()
    asked = MessageLogEntry.objects.filter(service__endswith="/represented-enterprises")
    Organisation.objects.filter(code=organisation.organisation_code).update(representative=None)

    login(Client(), representative)  # the answer of _setup() is recent: not asked again
    assert asked.count() == 1
    assert selectors.organisations_user_may_act_for(representative) != []

    User.objects.filter(pk=representative.pk).update(
        representation_checked_at=timezone.now() - timedelta(hours=1)
    )
    login(Client(), representative)

    assert asked.count() == 2
    assert selectors.organisations_user_may_act_for(representative) == []


def test_an_employee_acts_only_while_authorised_and_within_scope() -> None:
    representative, employee, organisation = _setup()
    assert selectors.organisations_user_may_act_for(employee) == []

    authorisation = services.organisation_authorisation_grant(
        actor=representative,
        organisation=organisation,
        employee_personal_id=employee.username,
        scopes=[SUBMIT],
        expires_at=timezone.now() + timedelta(days=30),
    )

    assert selectors.organisation_may_act(user=employee, organisation=organisation, scope=SUBMIT)
    assert not selectors.organisation_may_act(
        user=employee, organisation=organisation, scope=AuthorisationScope.PAY_FEES
    )
    assert authorisation.organisation_account == organisation
    assert AuditEntry.objects.filter(
        action="identity.organisation.authorised", actor_id=str(representative.pk)
    ).exists()

    # Expired: no longer.
    OrganisationAuthorisation.objects.filter(pk=authorisation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not selectors.organisation_may_act(user=employee, organisation=organisation, scope=SUBMIT)


def test_a_revoked_authorisation_ends_at_once_and_is_audited() -> None:
    representative, employee, organisation = _setup()
    authorisation = services.organisation_authorisation_grant(
        actor=representative,
        organisation=organisation,
        employee_personal_id=employee.username,
        scopes=[SUBMIT],
        expires_at=timezone.now() + timedelta(days=30),
    )

    services.organisation_authorisation_revoke(actor=representative, authorisation=authorisation)

    assert selectors.organisations_user_may_act_for(employee) == []
    assert AuditEntry.objects.filter(
        action="identity.organisation.authorisation_revoked", target_id=str(authorisation.pk)
    ).exists()


def test_only_the_representative_can_authorise_or_revoke() -> None:
    representative, employee, organisation = _setup()
    outsider = make_account()

    with pytest.raises(PermissionDenied):
        services.organisation_authorisation_grant(
            actor=employee,
            organisation=organisation,
            employee_personal_id=outsider.username,
            scopes=[SUBMIT],
            expires_at=timezone.now() + timedelta(days=1),
        )
    authorisation = services.organisation_authorisation_grant(
        actor=representative,
        organisation=organisation,
        employee_personal_id=employee.username,
        scopes=[SUBMIT],
        expires_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        services.organisation_authorisation_revoke(actor=employee, authorisation=authorisation)

    assert selectors.organisation_may_act(user=employee, organisation=organisation, scope=SUBMIT)
    assert not selectors.organisations_user_may_act_for(outsider)
    assert (
        AuditEntry.objects.filter(
            action__in=["identity.organisation.refused", "identity.organisation.revoke_refused"]
        ).count()
        == 2
    )


def test_the_representative_manages_authorisations_on_the_page() -> None:
    representative, employee, organisation = _setup()
    client = Client()
    login(client, representative)
    until = (timezone.localdate() + timedelta(days=10)).isoformat()

    page = client.post(
        f"/tai-khoan/to-chuc/{organisation.organisation_code}/",
        {"employee_personal_id": employee.username, "scopes": [SUBMIT], "expires_on": until},
        follow=True,
    ).content.decode()

    assert "Người được ủy quyền đã có thể thay mặt tổ chức" in page
    assert "Ngô Thị Nhân Viên" in page
    employee_client = Client()
    login(employee_client, employee)
    listed = employee_client.get("/tai-khoan/to-chuc/").content.decode()
    assert organisation.full_name in listed
    assert "Nộp và theo dõi hồ sơ" in listed
    assert "Thanh toán phí" not in listed
    assert employee_client.get(f"/tai-khoan/to-chuc/{organisation.organisation_code}/").status_code == 403

    authorisation = OrganisationAuthorisation.objects.get()
    client.post(f"/tai-khoan/to-chuc/{organisation.organisation_code}/uy-quyen/{authorisation.pk}/thu-hoi/")
    assert organisation.full_name not in employee_client.get("/tai-khoan/to-chuc/").content.decode()


def test_an_authorisation_needs_an_activated_account_and_a_future_end() -> None:
    representative, _employee, organisation = _setup()
    client = Client()
    login(client, representative)
    not_activated = make_citizen()

    page = client.post(
        f"/tai-khoan/to-chuc/{organisation.organisation_code}/",
        {
            "employee_personal_id": not_activated.personal_id,
            "scopes": [SUBMIT],
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    ).content.decode()

    assert "Ngày cuối cùng không được ở quá khứ" in page
    page = client.post(
        f"/tai-khoan/to-chuc/{organisation.organisation_code}/",
        {
            "employee_personal_id": not_activated.personal_id,
            "scopes": [SUBMIT],
            "expires_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    ).content.decode()
    assert "Người được ủy quyền cần kích hoạt tài khoản trước" in page
    assert not OrganisationAuthorisation.objects.exists()


def test_the_login_does_not_wait_for_the_registry(settings: Any) -> None:
    """The question is queued for the worker: the login answers first."""
    from django_tasks_db.models import DBTaskResult

    representative, _employee, organisation = _setup()
    User.objects.filter(pk=representative.pk).update(representation_checked_at=None)
    Organisation.objects.filter(code=organisation.organisation_code).update(representative=None)

    login(Client(), representative)

    assert selectors.organisations_user_may_act_for(representative) != []  # not asked yet
    [queued] = DBTaskResult.objects.filter(task_path__endswith="representation_refresh_task")
    assert queued.args_kwargs["kwargs"] == {"user_id": representative.pk}


def test_asking_the_registry_again_from_the_page_updates_the_list() -> None:
    representative, _employee, organisation = _setup()
    client = Client()
    login(client, representative)
    Organisation.objects.filter(code=organisation.organisation_code).update(representative=None)

    page = client.post("/tai-khoan/to-chuc/", follow=True).content.decode()
    assert "Công ty TNHH Sen Vàng" in page  # asked less than a minute ago: the answer stands

    User.objects.filter(pk=representative.pk).update(
        representation_checked_at=timezone.now() - timedelta(minutes=2)
    )
    page = client.post("/tai-khoan/to-chuc/", follow=True).content.decode()

    assert "Cơ sở dữ liệu đã trả lời: danh sách đã được cập nhật." in page
    assert "Công ty TNHH Sen Vàng" not in page
    assert "Bạn chưa thay mặt tổ chức nào." in page

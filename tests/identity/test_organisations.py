"""Organisation accounts: the legal representative authorises employees, with scope and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from congso.core.errors import PermissionDenied
from congso.core.models import AuditEntry
from congso.identity import selectors, services
from congso.identity.models import AccountKind, AuthorisationScope, OrganisationAuthorisation

from .factories import login, make_account, make_citizen, make_organisation

pytestmark = pytest.mark.django_db

SUBMIT = AuthorisationScope.SUBMIT_DOSSIERS


def _setup() -> tuple:
    representative = make_account(make_citizen(full_name="Hoàng Văn Đại Diện", phone="0912345601"))
    employee = make_account(make_citizen(full_name="Ngô Thị Nhân Viên", phone="0912345602"))
    assert representative.citizen is not None
    organisation = make_organisation(representative=representative.citizen)
    return representative, employee, organisation


def test_the_representative_acts_for_the_organisation_with_every_scope() -> None:
    representative, _employee, organisation = _setup()

    acting = selectors.organisations_user_may_act_for(representative)

    assert [(entry.organisation, entry.as_representative) for entry in acting] == [(organisation, True)]
    assert selectors.organisation_may_act(user=representative, organisation=organisation, scope=SUBMIT)


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
    account = authorisation.organisation_account
    assert account.kind == AccountKind.ORGANISATION
    assert account.organisation == organisation
    assert not account.has_usable_password()
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
        f"/tai-khoan/to-chuc/{organisation.code}/",
        {"employee_personal_id": employee.username, "scopes": [SUBMIT], "expires_on": until},
        follow=True,
    ).content.decode()

    assert "Người được ủy quyền đã có thể thay mặt tổ chức" in page
    assert "Ngô Thị Nhân Viên" in page
    employee_client = Client()
    login(employee_client, employee)
    listed = employee_client.get("/tai-khoan/to-chuc/").content.decode()
    assert organisation.name in listed
    assert "Nộp và theo dõi hồ sơ" in listed
    assert "Thanh toán phí" not in listed
    assert employee_client.get(f"/tai-khoan/to-chuc/{organisation.code}/").status_code == 403

    authorisation = OrganisationAuthorisation.objects.get()
    client.post(f"/tai-khoan/to-chuc/{organisation.code}/uy-quyen/{authorisation.pk}/thu-hoi/")
    assert organisation.name not in employee_client.get("/tai-khoan/to-chuc/").content.decode()


def test_an_authorisation_needs_an_activated_account_and_a_future_end() -> None:
    representative, _employee, organisation = _setup()
    client = Client()
    login(client, representative)
    not_activated = make_citizen()

    page = client.post(
        f"/tai-khoan/to-chuc/{organisation.code}/",
        {
            "employee_personal_id": not_activated.personal_id,
            "scopes": [SUBMIT],
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    ).content.decode()

    assert "Ngày cuối cùng không được ở quá khứ" in page
    page = client.post(
        f"/tai-khoan/to-chuc/{organisation.code}/",
        {
            "employee_personal_id": not_activated.personal_id,
            "scopes": [SUBMIT],
            "expires_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    ).content.decode()
    assert "Người được ủy quyền cần kích hoạt tài khoản trước" in page
    assert not OrganisationAuthorisation.objects.exists()

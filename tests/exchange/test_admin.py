"""Operator and provider-administrator screens: rights are granted and revoked through the
services (permission checked, audited); the log and consents cannot be edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from congso.core.models import AuditEntry
from congso.exchange.models import AccessRight, MessageLogEntry
from congso.identity.models import User

from .conftest import World


@pytest.fixture
def staff(client: Client, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Log in staff users; the admin's second-factor gate is the identity domain's (tested there)."""
    monkeypatch.setattr(
        admin.site, "has_permission", lambda request: request.user.is_active and request.user.is_staff
    )

    def login(username: str, *, superuser: bool = False, permissions: tuple[str, ...] = ()) -> User:
        user = User.objects.create_user(
            username=username, password=None, is_staff=True, is_superuser=superuser
        )
        for codename in permissions:
            from django.contrib.auth.models import Permission

            user.user_permissions.add(
                Permission.objects.get(codename=codename, content_type__app_label="exchange")
            )
        client.force_login(user)
        return user

    return login


def test_every_exchange_screen_opens(client: Client, world: World, call: Any, staff: Any) -> None:
    call(world.service_path(rest="/status/200"))
    staff("van-hanh", superuser=True)
    for model in (
        "member",
        "subsystem",
        "clientkey",
        "purpose",
        "service",
        "accessright",
        "consent",
        "messagelogentry",
        "messagelogcheckpoint",
        "servicemetric",
        "eventtype",
        "subscription",
        "delivery",
    ):
        assert client.get(f"/admin/exchange/{model}/").status_code == 200, model
    entry = MessageLogEntry.objects.get()
    assert client.get(f"/admin/exchange/messagelogentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/exchange/messagelogentry/add/").status_code == 403
    assert (
        client.post(f"/admin/exchange/messagelogentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )


def test_the_providers_administrator_grants_and_revokes_a_right(
    client: Client, world: World, staff: Any
) -> None:
    user = staff("quan-tri-thue", permissions=("add_accessright", "view_accessright", "change_accessright"))
    world.provider_system.member.administrators.add(user)

    response = client.post(
        "/admin/exchange/accessright/add/",
        {
            "client": world.outsider.pk,
            "service": world.service.pk,
            "legal_basis": "",
            "legal_basis_purposes": [],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    right = AccessRight.objects.active().get(client=world.outsider, service=world.service)
    assert right.granted_by == user
    assert AuditEntry.objects.filter(action="exchange.access_right.grant", actor_id=str(user.pk)).exists()
    client.post("/admin/exchange/accessright/", {"action": "revoke", "_selected_action": [right.pk]})
    right.refresh_from_db()
    assert right.revoked_at is not None


def test_someone_elses_administrator_cannot_grant(client: Client, world: World, staff: Any) -> None:
    staff("quan-tri-khac", permissions=("add_accessright", "view_accessright"))

    response = client.post(
        "/admin/exchange/accessright/add/", {"client": world.outsider.pk, "service": world.service.pk}
    )

    assert response.status_code == 200
    assert "không phải quản trị viên" in response.content.decode()
    assert not AccessRight.objects.filter(client=world.outsider).exists()

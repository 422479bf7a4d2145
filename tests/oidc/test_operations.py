"""What operators do: register relying parties in the admin, clear what has expired."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import RefreshToken

from congso.identity.models import User
from congso.identity.oidc.models import Application, Authorization

from .flows import AuthRequest, audit_actions, authorize, code_from, exchange, sign_in


def test_an_operator_registers_a_relying_party_in_the_admin(client: Client, db: None) -> None:
    operator = User.objects.create_superuser(username="001099000001", password="x", full_name="Quản trị viên")
    sign_in(client, operator)  # the admin asks for a second factor
    form = client.get("/admin/oidc/application/add/")
    assert form.status_code == 200
    secret = form.context["adminform"].form.initial.get("client_secret") or "a" * 64

    response = client.post(
        "/admin/oidc/application/add/",
        {
            "name": "Cổng dịch vụ công tỉnh Ninh Bình",
            "organisation": "UBND tỉnh Ninh Bình",
            "description": "Nộp hồ sơ trực tuyến.",
            "is_active": "on",
            "client_id": "ninh-binh",
            "client_type": "confidential",
            "client_secret": secret,
            "redirect_uris": "https://dichvucong.ninhbinh.gov.vn/oidc/callback",
            "post_logout_redirect_uris": "https://dichvucong.ninhbinh.gov.vn/",
            "allowed_origins": "",
            "min_assurance_level": "2",
            "sector_identifier": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    application = Application.objects.get(client_id="ninh-binh")
    assert application.min_assurance_level == 2
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.algorithm == "RS256"
    assert application.client_secret.startswith("congso_client_secret$")
    assert audit_actions() == ["oidc.application.create"]


def test_the_admin_refuses_an_http_redirect_outside_loopback(client: Client, db: None) -> None:
    operator = User.objects.create_superuser(username="001099000002", password="x")
    sign_in(client, operator)

    response = client.post(
        "/admin/oidc/application/add/",
        {
            "name": "Dịch vụ thử",
            "is_active": "on",
            "client_id": "thu",
            "client_type": "confidential",
            "client_secret": "b" * 64,
            "redirect_uris": "http://dichvu.example.vn/callback",
            "min_assurance_level": "1",
        },
    )

    assert response.status_code == 200
    assert "redirect_uris" in response.context["adminform"].form.errors
    assert not Application.objects.filter(client_id="thu").exists()


def test_clearing_keeps_authorizations_of_live_sessions_and_drops_dead_ones(
    client: Client, make_rp: Any, person: Any
) -> None:
    rp = make_rp()
    sign_in(client, person)
    for _ in range(2):
        request = AuthRequest(rp)
        exchange(client, request, code_from(authorize(client, request), request))
    live, dead = Authorization.objects.order_by("pk")
    Authorization.objects.update(created=timezone.now() - timedelta(days=30))
    # The dead one's tokens are gone (revoked at logout, say); the live one's refresh token is not.
    assert dead.access_token is not None
    dead.access_token.delete()
    RefreshToken.objects.filter(token_family=dead.token_family).update(revoked=timezone.now())

    call_command("oidc_clear_expired")

    assert list(Authorization.objects.values_list("pk", flat=True)) == [live.pk]

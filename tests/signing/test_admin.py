"""Operators see certificates and trusted CAs, never a private key, and can only retire them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from congso.core.models import AuditEntry
from congso.registry.models import Agency
from congso.signing.models import AgencyCertificate, TrustAnchor
from congso.signing.services import agency_certificate_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch) -> Client:
    # The second-factor rule of the admin belongs to identity and is tested there.
    monkeypatch.setattr(
        admin.site, "has_permission", lambda request: request.user.is_active and request.user.is_staff
    )
    user = get_user_model().objects.create_superuser("operator", password="Dung-trung-1a!")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def certificate(agency: Agency) -> AgencyCertificate:
    return agency_certificate_ensure(agency=agency)


def test_certificates_are_listed_and_shown_read_only(
    operator: Client, certificate: AgencyCertificate
) -> None:
    listing = operator.get("/admin/signing/agencycertificate/")
    page = operator.get(f"/admin/signing/agencycertificate/{certificate.pk}/change/")

    assert listing.status_code == 200
    assert certificate.agency.name in listing.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert certificate.fingerprint_sha256 in html
    assert "BEGIN CERTIFICATE" in html
    assert "PRIVATE KEY" not in html
    assert certificate.key_file not in html  # not even where the key is
    assert 'name="_save"' not in html  # nothing to save
    assert operator.get("/admin/signing/agencycertificate/add/").status_code == 403


def test_trust_anchors_are_listed_without_their_key(operator: Client, certificate: AgencyCertificate) -> None:
    anchor = TrustAnchor.objects.get()

    html = operator.get(f"/admin/signing/trustanchor/{anchor.pk}/change/").content.decode()

    assert "Cổng Số Demo Root CA" in html
    assert anchor.key_file not in html
    assert "PRIVATE KEY" not in html


def test_retiring_a_certificate_goes_through_the_service(
    operator: Client, certificate: AgencyCertificate
) -> None:
    response = operator.post(
        "/admin/signing/agencycertificate/",
        {"action": "deactivate", admin.helpers.ACTION_CHECKBOX_NAME: [certificate.pk]},
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.active
    assert AuditEntry.objects.filter(action="signing.certificate.deactivate", actor_label="operator").exists()


def test_distrusting_a_ca_goes_through_the_service(operator: Client, certificate: AgencyCertificate) -> None:
    anchor = TrustAnchor.objects.get()

    operator.post(
        "/admin/signing/trustanchor/",
        {"action": "deactivate", admin.helpers.ACTION_CHECKBOX_NAME: [anchor.pk]},
    )

    anchor.refresh_from_db()
    assert not anchor.active
    assert AuditEntry.objects.filter(action="signing.trust_anchor.deactivate").exists()

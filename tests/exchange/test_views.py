"""The citizen's pages: consents (list, receipt, withdraw) and the data tracker (+ CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from congso.core.errors import PermissionDenied
from congso.core.models import AuditEntry
from congso.exchange import client as exchange_client
from congso.exchange import services
from congso.exchange.errors import ExchangeError
from congso.exchange.evidence import document_message, signature_valid
from congso.exchange.models import Consent, Purpose, Service

from . import factories
from .conftest import Registries

DOSSIER = "H15.50-261128-0007"


def _consent(registries: Registries, *aliases: str) -> Consent:
    return services.consent_grant(
        citizen_user=registries.user,
        consumer_subsystem=registries.portal,
        services=[Service.objects.get(builtin=alias) for alias in aliases],
        purpose="administrative-procedure",
        valid_until=factories.in_days(30),
        dossier_ref=DOSSIER,
    )


def _officer_reads_the_person(registries: Registries) -> Any:
    """A ward officer's one-stop system reads the person's basic data to process a dossier."""
    services.access_right_grant(
        client=registries.officer_system,
        service=Service.objects.get(builtin="registry.citizen"),
        legal_basis="Nghị định 104/2022/NĐ-CP, Điều 7",
        legal_basis_purposes=[Purpose.objects.get(code="administrative-procedure")],
    )
    officer = factories.person_user(
        factories.citizen(commune=registries.commune, full_name="Phạm Văn Cán Bộ")
    )
    return exchange_client.call(
        client_subsystem=registries.officer_system.client_id,
        service="registry.citizen",
        data_subject=registries.person.personal_id,
        purpose="administrative-procedure",
        dossier_ref=DOSSIER,
        user=officer,
    )


# --- Data tracker ---------------------------------------------------------------------------------
def test_the_tracker_shows_an_officers_access(client: Client, registries: Registries) -> None:
    _officer_reads_the_person(registries)
    client.force_login(registries.user)

    response = client.get("/tai-khoan/du-lieu-cua-toi/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "UBND phường Hoàn Kiếm" in page
    assert "Hệ thống một cửa điện tử phường" in page
    assert "Thông tin cơ bản của công dân" in page
    assert "Giải quyết thủ tục hành chính" in page
    assert DOSSIER in page
    assert "Đã cung cấp" in page


def test_the_tracker_shows_refused_attempts_too(client: Client, registries: Registries) -> None:
    with pytest.raises(ExchangeError):
        exchange_client.call(
            client_subsystem=registries.portal.client_id,
            service="registry.vehicle",
            data_subject=registries.person.personal_id,
            purpose="administrative-procedure",
        )
    client.force_login(registries.user)

    page = client.get("/tai-khoan/du-lieu-cua-toi/").content.decode()

    assert "Phương tiện đã đăng ký" in page
    assert "Bị từ chối" in page


def test_nobody_else_sees_my_accesses(client: Client, registries: Registries) -> None:
    _officer_reads_the_person(registries)
    neighbour = factories.person_user(
        factories.citizen(commune=registries.commune, full_name="Đỗ Thị Hàng Xóm")
    )
    client.force_login(neighbour)

    page = client.get("/tai-khoan/du-lieu-cua-toi/").content.decode()

    assert DOSSIER not in page
    assert "Chưa có cơ quan nào" in page


def test_the_tracker_exports_csv(client: Client, registries: Registries) -> None:
    result = _officer_reads_the_person(registries)
    client.force_login(registries.user)

    response = client.get("/tai-khoan/du-lieu-cua-toi/lich-su.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["Thời điểm", "Cơ quan", "Hệ thống", "Dữ liệu (dịch vụ)", "Mục đích"]
    [row] = rows
    assert row[1:7] == [
        "UBND phường Hoàn Kiếm",
        "Hệ thống một cửa điện tử phường",
        "Thông tin cơ bản của công dân",
        "Giải quyết thủ tục hành chính",
        DOSSIER,
        "Đã cung cấp",
    ]
    assert row[7] == "law: Nghị định 104/2022/NĐ-CP, Điều 7"
    assert row[8] == result.message_id


def test_the_tracker_speaks_english_on_request(client: Client, registries: Registries) -> None:
    _officer_reads_the_person(registries)
    client.force_login(registries.user)
    client.cookies["django_language"] = "en"

    page = client.get("/tai-khoan/du-lieu-cua-toi/").content.decode()

    assert "Who accessed my data" in page
    assert "Handling an administrative procedure" in page
    assert "Citizen&#x27;s basic data" in page or "Citizen's basic data" in page


def test_the_pages_need_a_login(client: Client, registries: Registries) -> None:
    for path in (
        "/tai-khoan/du-lieu-cua-toi/",
        "/tai-khoan/du-lieu-cua-toi/lich-su.csv",
        "/tai-khoan/dong-y/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/")


# --- Consents -----------------------------------------------------------------------------------------
def test_my_consents_are_listed(client: Client, registries: Registries) -> None:
    consent = _consent(registries, "registry.citizen", "registry.residence")
    client.force_login(registries.user)

    page = client.get("/tai-khoan/dong-y/").content.decode()

    assert "Cổng dịch vụ công Cổng Số" in page
    assert "Thông tin cơ bản của công dân, Thông tin cư trú" in page
    assert "Đang hiệu lực" in page
    assert f"/tai-khoan/dong-y/{consent.receipt_id}/thu-hoi/" in page


def test_withdrawing_a_consent_stops_the_next_call(client: Client, registries: Registries) -> None:
    consent = _consent(registries, "registry.citizen")
    subject = {"data_subject": registries.person.personal_id, "purpose": "administrative-procedure"}
    exchange_client.call(client_subsystem=registries.portal.client_id, service="registry.citizen", **subject)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(registries.user)
    csrf_client.get("/tai-khoan/dong-y/")

    forged = csrf_client.post(f"/tai-khoan/dong-y/{consent.receipt_id}/thu-hoi/")
    assert forged.status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None

    response = csrf_client.post(
        f"/tai-khoan/dong-y/{consent.receipt_id}/thu-hoi/",
        {"csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value},
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert "Đã rút lại" in csrf_client.get("/tai-khoan/dong-y/").content.decode()
    with pytest.raises(ExchangeError) as refused:
        exchange_client.call(
            client_subsystem=registries.portal.client_id, service="registry.citizen", **subject
        )
    assert refused.value.code == "consent_required"


def test_i_cannot_withdraw_someone_elses_consent(client: Client, registries: Registries) -> None:
    consent = _consent(registries, "registry.citizen")
    neighbour = factories.person_user(
        factories.citizen(commune=registries.commune, full_name="Đỗ Thị Hàng Xóm")
    )
    client.force_login(neighbour)

    assert client.post(f"/tai-khoan/dong-y/{consent.receipt_id}/thu-hoi/").status_code == 404
    assert client.get(f"/tai-khoan/dong-y/{consent.receipt_id}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.consent_revoke(citizen_user=neighbour, consent=consent)
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert AuditEntry.objects.filter(
        action="exchange.consent.revoke", details__refused="permission_denied"
    ).exists()


def test_the_receipt_is_signed(client: Client, registries: Registries) -> None:
    consent = _consent(registries, "registry.citizen")
    client.force_login(registries.user)

    page = client.get(f"/tai-khoan/dong-y/{consent.receipt_id}/").content.decode()
    receipt = client.get(f"/tai-khoan/dong-y/{consent.receipt_id}/bien-nhan.json").json()

    assert str(consent.receipt_id) in page
    assert receipt["data_subject"] == registries.person.personal_id
    assert receipt["recipient"]["client_id"] == "VN/GOV/CONGSO/PORTAL"
    assert receipt["purpose"]["code"] == "administrative-procedure"
    assert receipt["dossier_ref"] == DOSSIER
    assert signature_valid(receipt["public_key"], document_message(receipt), receipt["signature"])
    receipt["valid_until"] = "2099-01-01T00:00:00.000000+00:00"
    assert not signature_valid(receipt["public_key"], document_message(receipt), receipt["signature"])


def test_consent_rules(registries: Registries) -> None:
    from congso.core.errors import InvalidInput

    citizen_service = Service.objects.get(builtin="registry.citizen")
    with pytest.raises(InvalidInput, match="no right"):
        services.consent_grant(
            citizen_user=registries.user,
            consumer_subsystem=registries.officer_system,
            services=[citizen_service],
            purpose="administrative-procedure",
            valid_until=factories.in_days(1),
        )
    with pytest.raises(InvalidInput, match="at most 365 days"):
        services.consent_grant(
            citizen_user=registries.user,
            consumer_subsystem=registries.portal,
            services=[citizen_service],
            purpose="administrative-procedure",
            valid_until=factories.in_days(400),
        )
    with pytest.raises(InvalidInput, match="does not serve"):
        services.consent_grant(
            citizen_user=registries.user,
            consumer_subsystem=registries.portal,
            services=[citizen_service],
            purpose="health-care",
            valid_until=factories.in_days(1),
        )

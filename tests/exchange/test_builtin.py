"""The base registries as exchange services, reached through the in-process client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from congso.core.models import AuditEntry
from congso.exchange import client as exchange_client
from congso.exchange import services
from congso.exchange.demo import BUILTIN_SERVICES, exchange_demo_setup
from congso.exchange.errors import ExchangeError
from congso.exchange.models import AccessRight, MessageLogEntry, Service
from congso.exchange.providers import ADAPTERS, adapter_get

from . import factories
from .conftest import Registries

PURPOSE = "administrative-procedure"


def _consent(registries: Registries, *aliases: str, purpose: str = PURPOSE) -> Any:
    return services.consent_grant(
        citizen_user=registries.user,
        consumer_subsystem=registries.portal,
        services=[Service.objects.get(builtin=alias) for alias in aliases],
        purpose=purpose,
        valid_until=factories.in_days(7),
    )


def _portal(registries: Registries, service: str, **kwargs: Any) -> Any:
    kwargs.setdefault("data_subject", registries.person.personal_id)
    kwargs.setdefault("purpose", PURPOSE)
    return exchange_client.call_json(client_subsystem=registries.portal.client_id, service=service, **kwargs)


def test_demo_setup_publishes_every_registry_with_its_owner(registries: Registries) -> None:
    published = {
        service.builtin: service
        for service in Service.objects.exclude(builtin="").select_related("provider__member")
    }

    assert set(published) == {spec.alias for spec in BUILTIN_SERVICES}
    citizen_service = published["registry.citizen"]
    assert citizen_service.service_id == "VN/GOV/G01/DANCU/citizen-basic"
    assert citizen_service.provider.member.name == "Bộ Công an"
    assert citizen_service.personal_data
    assert not published["registry.enterprise"].personal_data
    assert citizen_service.openapi["paths"]["/"]["get"]["operationId"] == "citizen-basic"
    assert published["registry.health-insurance"].provider.member.code == "G03"
    assert registries.portal.client_id == "VN/GOV/CONGSO/PORTAL"
    portal_services = {
        right.service.builtin for right in AccessRight.objects.active().filter(client=registries.portal)
    }
    assert portal_services == {spec.alias for spec in BUILTIN_SERVICES} - {"registry.represented-enterprises"}
    # Whom a person represents goes to the eID system only, under its legal basis, not to the portal.
    [eid_right] = AccessRight.objects.active().filter(client__code="VNEID")
    assert eid_right.service.builtin == "registry.represented-enterprises"
    assert eid_right.client.client_id == "VN/GOV/CONGSO/VNEID"
    assert "69/2024" in eid_right.legal_basis
    assert [purpose.code for purpose in eid_right.legal_basis_purposes.all()] == [
        "organisation-representation"
    ]


def test_demo_setup_is_idempotent(registries: Registries) -> None:
    counts = (Service.objects.count(), AccessRight.objects.count(), AuditEntry.objects.count())

    report = exchange_demo_setup()

    assert (Service.objects.count(), AccessRight.objects.count(), AuditEntry.objects.count()) == counts
    assert len(report.services) == len(BUILTIN_SERVICES)


def test_citizen_basic_data_with_consent(registries: Registries) -> None:
    with pytest.raises(ExchangeError) as refused:
        _portal(registries, "registry.citizen")
    assert refused.value.code == "consent_required"

    _consent(registries, "registry.citizen")
    person = _portal(registries, "registry.citizen")

    assert person["full_name"] == "Trần Thị Bình"
    assert person["date_of_birth"] == "1988-03-09"
    assert (
        person["permanent_residence"]["address"] == "Số 12, phố Hàng Gai, Phường Hoàn Kiếm, Thành phố Hà Nội"
    )


def test_every_personal_registry_answers_about_the_consenting_person(registries: Registries) -> None:
    _consent(
        registries,
        "registry.household",
        "registry.residence",
        "registry.driver-licence",
        "registry.vehicle",
        "registry.health-insurance",
    )

    household = _portal(registries, "registry.household")
    residence = _portal(registries, "registry.residence")
    licences = _portal(registries, "registry.driver-licence")
    vehicles = _portal(registries, "registry.vehicle")
    card = _portal(registries, "registry.health-insurance", query={"on": "2026-06-30"})

    assert household["code"] == "HK0001"
    assert [member["full_name"] for member in household["members"]] == ["Trần Thị Bình", "Lê Minh Khôi"]
    assert residence["temporary"] is None
    assert licences["licences"][0]["classes"] == ["A1", "B"]
    assert vehicles["vehicles"][0]["plate"] == "30A-123.45"
    assert (card["number"], card["benefit_level"]) == ("0123456789", 4)


def test_the_enterprise_registry_needs_no_consent(registries: Registries) -> None:
    enterprise = exchange_client.call_json(
        client_subsystem=registries.portal.client_id,
        service="registry.enterprise",
        path=f"/{registries.enterprise.code}",
    )

    assert enterprise["name"] == "Công ty TNHH Hòa Bình"
    assert enterprise["business_lines"] == ["4711", "5610"]
    with pytest.raises(exchange_client.ProviderError) as missing:
        exchange_client.call_json(
            client_subsystem=registries.portal.client_id,
            service="registry.enterprise",
            path=f"/{factories.enterprise_code(999)}",
        )
    assert missing.value.status == 404


def test_a_person_the_registry_does_not_know_is_a_404(registries: Registries) -> None:
    _consent(registries, "registry.health-insurance")

    with pytest.raises(exchange_client.ProviderError) as missing:
        _portal(registries, "registry.health-insurance", query={"on": "2030-01-01"})

    assert missing.value.status == 404
    assert "bảo hiểm y tế" in missing.value.message_vi


def test_the_in_process_client_is_logged_like_the_gateway(registries: Registries) -> None:
    _consent(registries, "registry.citizen")

    result = exchange_client.call(
        client_subsystem=registries.portal.client_id,
        service="registry.citizen",
        data_subject=registries.person.personal_id,
        purpose=PURPOSE,
        dossier_ref="H15.50-261128-0001",
        user=registries.user,
    )

    entry = MessageLogEntry.objects.get(message_id=result.message_id)
    assert (entry.transport, entry.client, entry.service) == (
        "local",
        "VN/GOV/CONGSO/PORTAL",
        "VN/GOV/G01/DANCU/citizen-basic",
    )
    assert (entry.purpose, entry.dossier_ref, entry.user_id) == (
        PURPOSE,
        "H15.50-261128-0001",
        registries.person.personal_id,
    )
    assert entry.basis.startswith("consent: ")


def test_a_client_without_the_right_is_refused_in_process_too(registries: Registries) -> None:
    with pytest.raises(ExchangeError) as refused:
        exchange_client.call(
            client_subsystem=registries.officer_system.client_id,
            service="registry.enterprise",
            path=f"/{registries.enterprise.code}",
        )

    assert refused.value.code == "access_denied"
    assert refused.value.status == 403
    assert MessageLogEntry.objects.get(message_id=refused.value.message_id).error_code == "access_denied"


def test_a_failing_adapter_is_a_logged_502(registries: Registries, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("registry database gone")

    assert adapter_get("registry.enterprise") is not None  # the adapters are loaded
    monkeypatch.setitem(ADAPTERS, "registry.enterprise", broken)

    with pytest.raises(ExchangeError) as refused:
        exchange_client.call(
            client_subsystem=registries.portal.client_id,
            service="registry.enterprise",
            path=f"/{registries.enterprise.code}",
        )

    assert (refused.value.code, refused.value.status) == ("provider_error", 502)
    assert MessageLogEntry.objects.get(message_id=refused.value.message_id).status == 502


def test_a_change_of_residence_is_announced_only_where_the_address_may_go(
    registries: Registries, provider: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from congso.exchange import events
    from congso.exchange.models import Delivery, EventType, Purpose
    from congso.registry import services as registry_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    residence = Service.objects.get(builtin="registry.residence")
    event_type = EventType.objects.get(provider=residence.provider, code="residence.changed")
    purpose = Purpose.objects.get(code=PURPOSE)
    # The ward's one-stop system may call the service, but has no consent of the person and no
    # legal basis: it subscribes, and is told nothing.
    right = services.access_right_grant(client=registries.officer_system, service=residence)
    events.subscription_create(
        subscriber=registries.officer_system,
        event_type=event_type,
        callback_url=f"{provider.url}/hook",
        purpose=purpose,
    )
    person = registries.person

    registry_services.citizen_update(citizen=person, data={"full_name": "Tên Mới"})  # not the residence
    registry_services.citizen_update(
        citizen=person, data={"temporary_address": "Số 3 phố Huế", "temporary_commune": registries.commune}
    )
    assert not Delivery.objects.exists()

    services.access_right_revoke(right=right)
    services.access_right_grant(
        client=registries.officer_system,
        service=residence,
        legal_basis="Luật Cư trú 2020, Điều 38",
        legal_basis_purposes=[purpose],
    )
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.citizen_update(citizen=person, data={"temporary_address": "Số 5 phố Huế"})

    [received] = provider.requests
    sent = json.loads(received.body)
    assert (sent["type"], sent["source"]) == ("residence.changed", residence.provider.client_id)
    # Who and when, not the address: that goes only through the service, under its checks.
    assert set(sent["data"]) == {"personal_id", "changed_at"}
    assert sent["data"]["personal_id"] == person.personal_id
    entry = MessageLogEntry.objects.get(transport="webhook")
    assert entry.data_subject == person.personal_id
    assert entry.basis == "law: Luật Cư trú 2020, Điều 38"

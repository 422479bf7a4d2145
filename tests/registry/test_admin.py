"""Operator screens: every registry has a list, a search by ID number or name, and an add form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from congso.identity.testing import force_login_mfa
from congso.registry.models import Citizen

from . import factories
from .conftest import AuditSpy

pytestmark = pytest.mark.django_db

MODELS = (
    "administrativeunit",
    "agency",
    "registry",
    "citizen",
    "household",
    "organisation",
    "driverlicence",
    "vehicleregistration",
    "healthinsurancecard",
)


@pytest.fixture
def operator(client: Client, django_user_model: type) -> Client:
    user = django_user_model.objects.create_superuser(username="operator", password="x-Long-Passw0rd!")
    force_login_mfa(client, user)  # the admin asks for a second factor
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_registry_has_a_list_screen(operator: Client, units: dict, model: str) -> None:
    response = operator.get(reverse(f"admin:registry_{model}_changelist"))
    assert response.status_code == 200


def test_citizens_are_found_by_id_number_or_name(operator: Client, units: dict) -> None:
    wanted = factories.citizen(commune=units["hoan_kiem"], full_name="Vũ Thị Thu")
    factories.citizen(commune=units["hoan_kiem"], full_name="Đặng Văn Sơn")
    url = reverse("admin:registry_citizen_changelist")

    by_id = operator.get(url, {"q": wanted.personal_id}).content.decode()
    by_name = operator.get(url, {"q": "Thu"}).content.decode()

    for html in (by_id, by_name):
        assert "Vũ Thị Thu" in html
        assert "Đặng Văn Sơn" not in html


def test_an_officer_cannot_type_an_id_that_contradicts_the_birth_date(
    operator: Client, units: dict, audit: AuditSpy
) -> None:
    pid = factories.personal_id()  # built for 17/05/1990
    response = operator.post(
        reverse("admin:registry_citizen_add"),
        {
            "personal_id": pid,
            "full_name": "Ngô Văn Tài",
            "date_of_birth": "2001-01-01",
            "sex": "M",
            "ethnicity": "01",
            "nationality": "VN",
            "permanent_address": "Số 1",
            "permanent_commune": "00070",
        },
    )

    assert response.status_code == 200  # the form comes back with the error
    assert "2001" in response.content.decode()
    assert not Citizen.objects.exists()
    assert audit.calls == []


def test_an_officers_change_is_audited(operator: Client, units: dict, audit: AuditSpy) -> None:
    citizen = factories.citizen(commune=units["hoan_kiem"])
    response = operator.post(
        reverse("admin:registry_citizen_change", args=[citizen.pk]),
        {
            "full_name": "Nguyễn Văn An",
            "date_of_birth": "1990-05-17",
            "sex": "M",
            "ethnicity": "01",
            "nationality": "VN",
            "permanent_address": "Số 2, phố Hàng Khay",
            "permanent_commune": "00070",
        },
    )

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.permanent_address == "Số 2, phố Hàng Khay"
    assert audit.actions() == ["registry.citizen.admin_change"]
    assert audit.calls[0]["details"] == {"fields": ["permanent_address"]}


def test_an_officers_change_of_residence_is_announced_on_the_exchange(operator: Client, units: dict) -> None:
    from congso.exchange.demo import exchange_demo_setup
    from congso.exchange.models import Event
    from congso.registry.models import Agency, Registry

    police = Agency.objects.create(code="G01", name="Bộ Công an", level="ministry", kind="police")
    Registry.objects.create(kind="population", owner=police)
    exchange_demo_setup()
    citizen = factories.citizen(commune=units["hoan_kiem"])
    form = {
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "1990-05-17",
        "sex": "M",
        "ethnicity": "01",
        "nationality": "VN",
        "permanent_address": citizen.permanent_address,
        "permanent_commune": "00070",
    }

    operator.post(
        reverse("admin:registry_citizen_change", args=[citizen.pk]), {**form, "full_name": "Nguyễn An"}
    )
    assert not Event.objects.exists()  # a new name is not a new residence
    response = operator.post(
        reverse("admin:registry_citizen_change", args=[citizen.pk]),
        {**form, "permanent_address": "Số 2, phố Hàng Khay"},
    )

    assert response.status_code == 302
    [event] = Event.objects.select_related("event_type")
    assert (event.event_type.code, event.data_subject) == ("residence.changed", citizen.personal_id)

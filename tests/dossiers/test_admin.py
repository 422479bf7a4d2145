"""Operators set the processing steps of a procedure in the admin; dossiers there are read only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.core.audit import AuditEntry
from congso.dossiers import workflow
from congso.dossiers.choices import StepRole
from congso.dossiers.models import ProcessStep
from congso.identity.testing import force_login_mfa
from tests.catalog import factories as catalog_factories

pytestmark = pytest.mark.django_db

STEPS = "/admin/dossiers/processstep/procedure/{pk}/"


@pytest.fixture
def operator() -> Client:
    user = get_user_model().objects.create_superuser("operator", password="Dung-trung-1a!")
    client = Client()
    force_login_mfa(client, user)
    return client


def formset(rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """The POST of the steps page: ``rows`` as the browser sends them (ids for existing steps)."""
    data: dict[str, Any] = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{index}-{key}"] = value
    return data


def step(
    order: int, name: str, role: str, *, days: int = 1, pk: int | None = None, **extra: Any
) -> dict[str, Any]:
    row = {"order": str(order), "name": name, "name_en": "", "role": role, "working_days": str(days), **extra}
    if pk is not None:
        row["id"] = str(pk)
    return row


def test_an_operator_sets_the_steps_of_a_procedure(operator: Client) -> None:
    procedure = catalog_factories.procedure(processing_days=5)
    assert operator.get(STEPS.format(pk=procedure.pk)).status_code == 200

    response = operator.post(
        STEPS.format(pk=procedure.pk),
        formset(
            [
                step(1, "Thẩm định hồ sơ", StepRole.OFFICER, days=3),
                step(2, "Lãnh đạo phòng phê duyệt", StepRole.LEADER, days=2),
            ]
        ),
    )

    assert response.status_code == 302
    assert [(s.order, s.name, s.role) for s in workflow.steps_for(procedure)] == [
        (1, "Thẩm định hồ sơ", StepRole.OFFICER),
        (2, "Lãnh đạo phòng phê duyệt", StepRole.LEADER),
    ]
    entry = AuditEntry.objects.filter(action="dossiers.process_steps.update").get()
    assert entry.details["procedure"] == procedure.code
    assert [row["name"] for row in entry.details["after"]] == ["Thẩm định hồ sơ", "Lãnh đạo phòng phê duyệt"]


def test_steps_can_be_reordered_added_and_removed_in_one_save(operator: Client) -> None:
    procedure = catalog_factories.procedure()
    check = ProcessStep.objects.create(procedure=procedure, order=1, name="Kiểm tra", role=StepRole.OFFICER)
    verify = ProcessStep.objects.create(procedure=procedure, order=2, name="Xác minh", role=StepRole.OFFICER)
    approve = ProcessStep.objects.create(procedure=procedure, order=3, name="Phê duyệt", role=StepRole.LEADER)

    response = operator.post(
        STEPS.format(pk=procedure.pk),
        formset(
            [
                # The first two swap places; the third goes; a new step comes before approval.
                step(2, "Kiểm tra", StepRole.OFFICER, pk=check.pk),
                step(1, "Xác minh", StepRole.OFFICER, pk=verify.pk),
                step(3, "Phê duyệt", StepRole.LEADER, pk=approve.pk, DELETE="on"),
                step(3, "Trình lãnh đạo", StepRole.LEADER),
            ],
            initial=3,
        ),
    )

    assert response.status_code == 302, response.content.decode()
    assert [s.name for s in workflow.steps_for(procedure)] == ["Xác minh", "Kiểm tra", "Trình lãnh đạo"]
    assert not ProcessStep.objects.filter(pk=approve.pk).exists()


def test_the_last_step_must_be_a_leaders_and_orders_must_differ(operator: Client) -> None:
    procedure = catalog_factories.procedure()

    officer_last = operator.post(
        STEPS.format(pk=procedure.pk),
        formset([step(1, "Phê duyệt", StepRole.LEADER), step(2, "Trả kết quả", StepRole.OFFICER)]),
    )
    assert officer_last.status_code == 200
    assert "Bước cuối phải do lãnh đạo thực hiện" in officer_last.content.decode()

    same_order = operator.post(
        STEPS.format(pk=procedure.pk),
        formset([step(1, "Thẩm định", StepRole.OFFICER), step(1, "Phê duyệt", StepRole.LEADER)]),
    )
    assert same_order.status_code == 200
    assert not ProcessStep.objects.filter(procedure=procedure).exists()


def test_a_single_step_is_edited_and_audited(operator: Client) -> None:
    procedure = catalog_factories.procedure()

    added = operator.post(
        "/admin/dossiers/processstep/add/",
        {
            "procedure": procedure.pk,
            "order": "1",
            "name": "Lãnh đạo duyệt",
            "name_en": "",
            "role": "leader",
            "working_days": "1",
        },
    )

    assert added.status_code == 302
    created = ProcessStep.objects.get(procedure=procedure)
    assert AuditEntry.objects.filter(
        action="dossiers.process_step.create", target_id=str(created.pk)
    ).exists()
    listing = operator.get("/admin/dossiers/processstep/")
    assert STEPS.format(pk=procedure.pk) in listing.content.decode()


def test_dossiers_and_their_history_are_read_only(operator: Client) -> None:
    assert operator.get("/admin/dossiers/dossier/").status_code == 200
    assert operator.get("/admin/dossiers/dossierevent/").status_code == 200
    assert operator.get("/admin/dossiers/dossier/add/").status_code == 403
    assert operator.get("/admin/dossiers/dossierevent/add/").status_code == 403


def test_the_steps_page_needs_an_operator(db: None) -> None:
    procedure = catalog_factories.procedure()
    person = get_user_model().objects.create_user("someone", password="Dung-trung-1a!")
    client = Client()
    force_login_mfa(client, person)
    response = client.get(STEPS.format(pk=procedure.pk))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "/dang-nhap/" in response["Location"]

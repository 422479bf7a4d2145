"""The dossier lifecycle through its services: what an applicant and an officer would notice."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.utils import timezone

from congso.core import calendar
from congso.core.audit import AuditEntry
from congso.core.errors import InvalidInput, NotFound, PermissionDenied
from congso.dossiers import selectors, services
from congso.dossiers.choices import Action, Outcome, Status
from congso.dossiers.errors import ConsentNeeded, FormInvalid, TransitionNotAllowed
from congso.dossiers.models import Dossier, DossierEvent
from congso.notify.models import Message

from . import factories
from .factories import World

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^H15\.50-\d{6}-\d{4}$")


# --- Applying ----------------------------------------------------------------------------------
def test_prefill_needs_consent_then_fills_what_the_registry_holds(world: World) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    with pytest.raises(ConsentNeeded) as refused:
        services.draft_prefill(draft=draft, user=world.applicant)
    assert refused.value.services == ["registry.citizen"]

    services.prefill_consent_grant(draft=draft, user=world.applicant, services=refused.value.services)
    outcome = services.draft_prefill(draft=draft, user=world.applicant)

    assert outcome.filled == {"full_name": world.person.full_name, "personal_id": world.person.personal_id}
    draft.refresh_from_db()
    assert draft.data["full_name"] == world.person.full_name
    assert draft.prefilled["full_name"]["readonly"] is True


def test_withdrawn_consent_makes_the_next_prefill_ask_again(world: World) -> None:
    from congso.exchange import selectors as exchange_selectors
    from congso.exchange import services as exchange_services

    draft = factories.ready_draft(world)
    [consent] = [
        row.consent
        for row in exchange_selectors.consent_list(user=world.applicant)
        if row.status == "in_force"
    ]
    exchange_services.consent_revoke(citizen_user=world.applicant, consent=consent)

    with pytest.raises(ConsentNeeded):
        services.draft_prefill(draft=draft, user=world.applicant)


def test_the_applicant_cannot_overwrite_what_the_state_supplied(world: World) -> None:
    draft = factories.ready_draft(world)
    services.draft_save(
        draft=draft, user=world.applicant, data=factories.answers(world, full_name="Tên Khác")
    )
    draft.refresh_from_db()
    assert draft.data["full_name"] == world.person.full_name


def test_form_errors_are_listed_per_field(world: World) -> None:
    draft = factories.ready_draft(world)
    services.draft_save(
        draft=draft, user=world.applicant, data=factories.answers(world, date_of_birth="31/02/2026", sex="X")
    )
    with pytest.raises(FormInvalid) as invalid:
        services.dossier_submit(draft=draft, user=world.applicant)
    assert {"date_of_birth", "sex"} <= set(invalid.value.errors)
    assert not Dossier.objects.exists()


def test_a_missing_document_stops_the_submission_but_not_the_online_form_or_state_held_ones(
    world: World,
) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    services.prefill_consent_grant(draft=draft, user=world.applicant, services=["registry.citizen"])
    services.draft_prefill(draft=draft, user=world.applicant)
    services.draft_save(draft=draft, user=world.applicant, data=factories.answers(world))

    with pytest.raises(FormInvalid) as invalid:
        services.dossier_submit(draft=draft, user=world.applicant)
    assert list(invalid.value.errors) == [f"document-{world.requirement.pk}"]
    assert "Giấy chứng sinh" in invalid.value.errors[f"document-{world.requirement.pk}"]


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(world: World) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    with pytest.raises(InvalidInput) as refused:
        services.draft_document_upload(
            draft=draft,
            user=world.applicant,
            requirement_id=world.requirement.pk,
            uploaded_file=factories.pdf_file("to-khai.pdf", b"MZ\x90\x00 not a pdf at all"),
        )
    assert refused.value.field == "file"
    draft.refresh_from_db()
    assert draft.documents == {}


def test_level_1_accounts_cannot_apply_for_a_level_2_procedure(world: World) -> None:
    world.applicant.assurance_level = 1
    world.applicant.save()
    with pytest.raises(PermissionDenied):
        services.draft_start(user=world.applicant, procedure_code=world.procedure.code)


def test_submission_gives_a_code_a_due_date_in_working_days_and_tells_the_applicant(world: World) -> None:
    dossier = factories.submitted(world)

    assert CODE.match(dossier.code), dossier.code
    assert dossier.status == Status.NEW
    assert dossier.received_on == calendar.reception_date(dossier.submitted_at)
    assert dossier.due_on == calendar.add_working_days(dossier.received_on, 3)
    assert dossier.documents.count() == 1
    texts = list(Message.objects.filter(user=world.applicant).values_list("body", flat=True))
    assert any(dossier.code in text for text in texts)
    assert AuditEntry.objects.filter(action="dossiers.dossier.submit", target_id=str(dossier.pk)).exists()


def test_submitting_the_same_draft_again_gives_the_same_dossier(world: World) -> None:
    draft = factories.ready_draft(world)
    first = services.dossier_submit(draft=draft, user=world.applicant)
    again = services.dossier_submit(draft=draft, user=world.applicant)
    draft.refresh_from_db()
    later = services.dossier_submit(draft=draft, user=world.applicant)

    assert first.pk == again.pk == later.pk
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.filter(action=Action.SUBMIT).count() == 1


def test_due_date_skips_tet_and_the_weekend(world: World) -> None:
    # Submitted on Wednesday 3 February 2027 at 10:00; Tết is Thursday 4 to Wednesday 10 February.
    at = datetime.datetime(2027, 2, 3, 10, 0, tzinfo=calendar.LEGAL_TZ)
    draft = factories.ready_draft(world)
    with mock.patch("django.utils.timezone.now", return_value=at):
        dossier = services.dossier_submit(draft=draft, user=world.applicant)
    assert dossier.received_on == datetime.date(2027, 2, 3)
    # Three working days: Thursday 11, Friday 12, then (after the weekend) Monday 15 February.
    assert dossier.due_on == datetime.date(2027, 2, 15)


def test_after_the_cut_off_hour_reception_counts_from_the_next_working_day(world: World) -> None:
    at = datetime.datetime(2026, 12, 4, 16, 30, tzinfo=calendar.LEGAL_TZ)  # Friday 16:30
    draft = factories.ready_draft(world)
    with mock.patch("django.utils.timezone.now", return_value=at):
        dossier = services.dossier_submit(draft=draft, user=world.applicant)
    assert dossier.received_on == datetime.date(2026, 12, 7)  # Monday
    assert dossier.code.split("-")[1] == "261207"


# --- Reception and processing ------------------------------------------------------------------
def test_an_officer_of_another_agency_cannot_act(world: World) -> None:
    dossier = factories.submitted(world)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(dossier=dossier, officer=world.other_officer)
    with pytest.raises(NotFound):
        selectors.dossier_get_for_officer(user=world.other_officer, code=dossier.code)
    assert AuditEntry.objects.filter(action="dossiers.dossier.access_denied", target_id=dossier.code).exists()


def test_refusal_needs_a_reason_and_closes_the_dossier(world: World) -> None:
    dossier = factories.submitted(world)
    with pytest.raises(InvalidInput):
        services.dossier_refuse(dossier=dossier, officer=world.officer, reason="  ")
    dossier = services.dossier_refuse(dossier=dossier, officer=world.officer, reason="Không thuộc thẩm quyền")
    assert dossier.status == Status.REFUSED
    with pytest.raises(TransitionNotAllowed) as refused:
        services.dossier_receive(dossier=dossier, officer=world.officer)
    assert "Từ chối tiếp nhận" in refused.value.message_vi


def test_a_supplement_is_requested_once_and_the_wait_does_not_count(world: World) -> None:
    dossier = factories.in_processing(world)
    due = dossier.due_on
    asked = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=calendar.LEGAL_TZ)  # Tuesday
    with mock.patch("django.utils.timezone.now", return_value=asked):
        dossier = services.dossier_request_supplement(
            dossier=dossier, officer=world.officer, missing=["Giấy chứng sinh bản rõ nét"], note="Ảnh bị mờ"
        )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert selectors.deadline_state_of(dossier) == "paused"

    supplied = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=calendar.LEGAL_TZ)  # Thursday: 2 days later
    with mock.patch("django.utils.timezone.now", return_value=supplied):
        dossier = services.dossier_supply(
            dossier=dossier,
            user=world.applicant,
            uploads=[(factories.pdf_file("ro-net.pdf"), world.requirement.pk)],
        )
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_working_days == 2
    assert dossier.due_on == calendar.add_working_days(due, 2)
    assert dossier.documents.filter(supplement=True).count() == 1

    with pytest.raises(TransitionNotAllowed) as again:
        services.dossier_request_supplement(dossier=dossier, officer=world.officer, missing=["Thêm nữa"])
    assert "một lần" in again.value.message_vi


def test_only_the_applicant_can_supply(world: World) -> None:
    dossier = services.dossier_request_supplement(
        dossier=factories.submitted(world), officer=world.officer, missing=["Giấy chứng sinh"]
    )
    with pytest.raises(NotFound):
        services.dossier_supply(dossier=dossier, user=world.stranger, note="tôi bổ sung giúp")


def test_the_apology_moves_the_date_once_and_only_before_it_is_due(world: World) -> None:
    dossier = factories.in_processing(world)
    today = timezone.localdate()
    new_date = calendar.add_working_days(dossier.due_on, 2)
    dossier = services.dossier_apologise(
        dossier=dossier, officer=world.officer, reason="Cần xác minh thêm", new_due_on=new_date
    )
    assert dossier.due_on == new_date
    assert dossier.original_due_on < new_date
    assert today < dossier.original_due_on
    assert Message.objects.filter(user=world.applicant, body__contains="xin lỗi").exists()

    with pytest.raises(TransitionNotAllowed) as again:
        services.dossier_apologise(
            dossier=dossier,
            officer=world.officer,
            reason="Lần nữa",
            new_due_on=calendar.add_working_days(new_date, 2),
        )
    assert "một lần" in again.value.message_vi


def test_no_apology_once_the_due_date_has_come(world: World) -> None:
    dossier = factories.in_processing(world)
    Dossier.objects.filter(pk=dossier.pk).update(due_on=timezone.localdate())
    with pytest.raises(TransitionNotAllowed):
        services.dossier_apologise(
            dossier=dossier,
            officer=world.officer,
            reason="Muộn rồi",
            new_due_on=calendar.add_working_days(timezone.localdate(), 3),
        )


def test_the_decision_is_a_leaders_at_the_last_step(world: World) -> None:
    dossier = factories.in_processing(world)
    with pytest.raises(TransitionNotAllowed):
        services.dossier_decide(dossier=dossier, officer=world.leader, approve=True)
    dossier = services.dossier_forward(dossier=dossier, officer=world.officer, assignee=world.leader)
    with pytest.raises(PermissionDenied):
        services.dossier_decide(dossier=dossier, officer=world.officer, approve=True)
    with pytest.raises(InvalidInput):
        services.dossier_decide(dossier=dossier, officer=world.leader, approve=False, reason="")

    dossier = services.dossier_decide(dossier=dossier, officer=world.leader, approve=True)
    assert dossier.status == Status.PROCESSED
    assert dossier.outcome == Outcome.APPROVED
    assert dossier.result_document is not None
    assert dossier.result_document.owner == world.applicant
    assert len(dossier.result_sha256) == 64


def test_forwarding_to_someone_who_cannot_hold_the_step_is_refused(world: World) -> None:
    dossier = factories.in_processing(world)
    with pytest.raises(InvalidInput):
        services.dossier_forward(dossier=dossier, officer=world.officer, assignee=world.officer)
    with pytest.raises(InvalidInput):
        services.dossier_forward(dossier=dossier, officer=world.officer, assignee=world.other_officer)


def test_the_control_sheet_shows_who_held_the_dossier_when(world: World) -> None:
    dossier = factories.at_approval(world)
    dossier = selectors.dossier_get_for_officer(user=world.officer, code=dossier.code)
    rows = selectors.dossier_control_sheet(dossier=dossier)
    holders = [row.holder_name for row in rows]
    assert holders[-2:] == [world.officer.full_name, world.leader.full_name]
    assert rows[-1].step_name == "Lãnh đạo phê duyệt"
    assert all(row.handed_on_at for row in rows[:-1])


def test_withdrawal_by_the_applicant(world: World) -> None:
    dossier = factories.in_processing(world)
    with pytest.raises(NotFound):
        services.dossier_withdraw(dossier=dossier, user=world.stranger, reason="Không cần nữa")
    dossier = services.dossier_withdraw(dossier=dossier, user=world.applicant, reason="Không cần nữa")
    assert dossier.status == Status.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        services.dossier_assign(dossier=dossier, officer=world.officer, assignee=world.officer)


def test_stop_processing_with_a_reason(world: World) -> None:
    dossier = services.dossier_stop(
        dossier=factories.in_processing(world), officer=world.officer, reason="Có tranh chấp"
    )
    assert dossier.status == Status.STOPPED
    assert dossier.decision_reason == "Có tranh chấp"


def test_rating_once_after_the_result(world: World) -> None:
    dossier = factories.at_approval(world)
    with pytest.raises(InvalidInput):
        services.dossier_rate(dossier=dossier, user=world.applicant, score=5)
    dossier = services.dossier_decide(dossier=dossier, officer=world.leader, approve=True)
    dossier = services.dossier_return_result(dossier=dossier, officer=world.officer)
    assert dossier.status == Status.RETURNED
    with pytest.raises(InvalidInput):
        services.dossier_rate(dossier=dossier, user=world.applicant, score=6)
    rating = services.dossier_rate(
        dossier=dossier, user=world.applicant, score=4, comment="Nhanh", complaint=False
    )
    assert rating.score == 4
    with pytest.raises(InvalidInput):
        services.dossier_rate(dossier=dossier, user=world.applicant, score=5)


# --- Reads --------------------------------------------------------------------------------------
def test_the_queue_colours_dossiers_by_deadline(world: World) -> None:
    late = factories.submitted(world)
    soon = factories.submitted(world)
    later = factories.submitted(world)
    today = timezone.localdate()
    Dossier.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=1))
    Dossier.objects.filter(pk=soon.pk).update(due_on=today)
    Dossier.objects.filter(pk=later.pk).update(due_on=calendar.add_working_days(today, 10))

    def codes(deadline: str) -> list[str]:
        return [d.code for d in selectors.dossier_queue(officer=world.officer, deadline=deadline)]

    assert codes("late") == [late.code]
    assert codes("due_soon") == [soon.code]
    assert codes("on_time") == [later.code]
    assert [d.code for d in selectors.dossier_queue(officer=world.officer)] == [
        late.code,
        soon.code,
        later.code,
    ]
    assert list(selectors.dossier_queue(officer=world.other_officer)) == []
    with pytest.raises(InvalidInput):
        selectors.dossier_queue(officer=world.officer, deadline="soonish")


def test_public_lookup_needs_the_code_and_the_id_number_and_shows_no_personal_data(world: World) -> None:
    dossier = factories.submitted(world)
    status = selectors.dossier_public_status(code=dossier.code.lower(), personal_id=world.person.personal_id)
    assert status.status == Status.NEW
    assert world.person.full_name not in repr(status)
    with pytest.raises(NotFound):
        selectors.dossier_public_status(code=dossier.code, personal_id=world.stranger.username)
    with pytest.raises(InvalidInput):
        selectors.dossier_public_status(code=dossier.code, personal_id="12ab")


def test_applicants_see_their_own_dossiers_only(world: World) -> None:
    dossier = factories.submitted(world)
    assert list(selectors.dossier_list_for_applicant(user=world.applicant)) == [dossier]
    assert list(selectors.dossier_list_for_applicant(user=world.stranger)) == []
    with pytest.raises(NotFound):
        selectors.dossier_get_for_applicant(user=world.stranger, code=dossier.code)
    assert list(Dossier.objects.visible_to(world.officer)) == [dossier]
    assert list(Dossier.objects.visible_to(world.other_officer)) == []

"""The back office and the public verification page, as officers and the public use them."""

from __future__ import annotations

import datetime
import html
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from congso.core import calendar
from congso.core.audit import AuditEntry
from congso.documents import selectors as document_selectors
from congso.dossiers import services
from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier
from congso.identity.testing import force_login_mfa

from . import factories
from .factories import World

pytestmark = pytest.mark.django_db

QUEUE = "/mot-cua/"


def page(code: str) -> str:
    return f"/mot-cua/ho-so/{code}/"


def act(code: str, action: str) -> str:
    return f"/mot-cua/ho-so/{code}/xu-ly/{action}/"


def client_for(user: Any) -> Client:
    client = Client()
    force_login_mfa(client, user)
    return client


@pytest.fixture
def officer(world: World) -> Client:
    return client_for(world.officer)


@pytest.fixture
def leader(world: World) -> Client:
    return client_for(world.leader)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def received(world: World) -> Dossier:
    return services.dossier_receive(dossier=factories.submitted(world), officer=world.officer)


def decided(world: World) -> Dossier:
    return services.dossier_decide(dossier=factories.at_approval(world), officer=world.leader, approve=True)


# --- Who may come in -----------------------------------------------------------------------------
def test_the_back_office_needs_an_officer_with_a_second_factor(world: World) -> None:
    anonymous = Client().get(QUEUE)
    assert anonymous.status_code == 302
    assert "/dang-nhap/" in anonymous["Location"]

    one_factor = Client()
    one_factor.force_login(world.officer)
    assert one_factor.get(QUEUE).status_code == 302

    assert client_for(world.stranger).get(QUEUE).status_code == 403
    assert client_for(world.officer).get(QUEUE).status_code == 200


# --- The queue -----------------------------------------------------------------------------------
def test_the_queue_colours_each_dossier_by_deadline_with_a_label_and_counts_them(
    world: World, officer: Client
) -> None:
    late, soon, later, waiting = (factories.submitted(world) for _ in range(4))
    today = timezone.localdate()
    Dossier.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=1))
    Dossier.objects.filter(pk=soon.pk).update(due_on=today)
    Dossier.objects.filter(pk=later.pk).update(due_on=calendar.add_working_days(today, 10))
    services.dossier_request_supplement(
        dossier=waiting, officer=world.officer, missing=["Giấy chứng sinh bản rõ"]
    )

    response = officer.get(QUEUE)

    assert response.status_code == 200
    assert response.context["counts"] == {"late": 1, "due_soon": 1, "on_time": 1, "paused": 1}
    rows = {row.dossier.code: row.state for row in response.context["rows"]}
    assert rows == {late.code: "late", soon.code: "due_soon", later.code: "on_time", waiting.code: "paused"}
    # The oldest due date first.
    assert response.context["rows"][0].dossier.code == late.code
    body = text(response)
    assert 'class="queue-row queue-row--late"' in body
    # Colour is never the only signal: each row says its state in words.
    for label in ("Quá hạn", "Sắp đến hạn", "Trong hạn", "Chờ công dân bổ sung"):
        assert f">{label}</strong>" in body


def test_the_queue_filters(world: World, officer: Client) -> None:
    first, second, third = (factories.submitted(world) for _ in range(3))
    today = timezone.localdate()
    Dossier.objects.filter(pk=first.pk).update(due_on=today - datetime.timedelta(days=3))
    services.dossier_receive(dossier=second, officer=world.officer)
    services.dossier_assign(dossier=second, officer=world.officer, assignee=world.officer)
    services.dossier_refuse(dossier=third, officer=world.officer, reason="Không thuộc thẩm quyền")

    def codes(**query: str) -> list[str]:
        response = officer.get(QUEUE, query)
        assert response.status_code == 200, text(response)
        return [row.dossier.code for row in response.context["rows"]]

    assert codes() == [first.code, second.code]
    assert codes(han="late") == [first.code]
    assert codes(trang_thai=str(Status.PROCESSING)) == [second.code]
    # Closed dossiers are found by their status.
    assert codes(trang_thai=str(Status.REFUSED)) == [third.code]
    assert codes(cua_toi="1") == [second.code]
    assert codes(q=second.code) == [second.code]
    assert codes(q=world.person.personal_id) == [first.code, second.code]
    assert codes(thu_tuc=world.procedure.code) == [first.code, second.code]
    assert codes(thu_tuc="9.999999") == []

    refused = officer.get(QUEUE, {"han": "soonish"})
    assert refused.status_code == 422
    assert "Hạn xử lý 'soonish' không hợp lệ" in text(refused)
    assert 'href="#deadline"' in text(refused)

    elsewhere = officer.get(QUEUE, {"co_quan": "H99.99"})
    assert elsewhere.status_code == 422

    assert client_for(world.other_officer).get(QUEUE).status_code == 200
    assert list(client_for(world.other_officer).get(QUEUE).context["rows"]) == []


def test_the_queue_shows_fifty_dossiers_a_page(world: World, officer: Client) -> None:
    dossier = factories.submitted(world)
    fields = {
        field.attname: getattr(dossier, field.attname)
        for field in Dossier._meta.concrete_fields
        if field.attname not in ("id", "code", "idempotency_key")
    }
    Dossier.objects.bulk_create(
        Dossier(**fields, code=f"H15.50-000000-{number:04d}", idempotency_key=uuid.uuid4())
        for number in range(55)
    )

    first = officer.get(QUEUE)
    second = officer.get(QUEUE, {"trang": "2"})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 6
    assert "trang=2" in text(first)


def test_the_queue_speaks_english_after_the_language_switch(world: World, officer: Client) -> None:
    factories.submitted(world)
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = text(officer.get(QUEUE))
    assert ">On time</strong>" in body or ">Due soon</strong>" in body
    assert "Trong hạn" not in body


# --- One dossier ---------------------------------------------------------------------------------
def test_the_dossier_page_shows_the_application_and_its_documents_download(
    world: World, officer: Client
) -> None:
    dossier = factories.submitted(world)

    response = officer.get(page(dossier.code))

    assert response.status_code == 200
    body = text(response)
    assert dossier.applicant_name in body
    assert dossier.applicant_personal_id in body
    # The answers the State supplied are marked as such.
    prefilled = {answer.name for answer in response.context["answers"] if answer.prefilled}
    assert prefilled == {"full_name", "personal_id"}
    assert 'class="prefilled-tag"' in body
    # No inline script or style: the CSP forbids them.
    assert "<script" not in body
    assert " style=" not in body
    assert [form.action for form in response.context["forms"]] == [
        Action.RECEIVE,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
    ]

    [item] = response.context["documents"]
    download = officer.get(f"/mot-cua/ho-so/{dossier.code}/giay-to/{item.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == factories.PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "sandbox"


def test_another_agencys_officer_gets_404_and_the_attempt_is_audited(world: World) -> None:
    dossier = factories.submitted(world)
    item = dossier.documents.get()
    other = client_for(world.other_officer)

    assert other.get(page(dossier.code)).status_code == 404
    assert other.get(f"/mot-cua/ho-so/{dossier.code}/giay-to/{item.pk}/").status_code == 404
    assert other.post(act(dossier.code, "receive"), {}).status_code == 404

    denied = AuditEntry.objects.filter(action="dossiers.dossier.access_denied", target_id=dossier.code)
    assert denied.count() == 3
    assert fresh(dossier).status == Status.NEW


def test_unknown_dossiers_actions_and_letters_are_404(world: World, officer: Client) -> None:
    dossier = factories.submitted(world)
    assert officer.get(page("H15.50-000000-0000")).status_code == 404
    assert officer.post(act(dossier.code, "approve-everything"), {}).status_code == 404
    assert officer.get(act(dossier.code, "receive")).status_code == 405
    # No refusal yet, so no refusal notice.
    assert officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/refusal/").status_code == 404
    assert officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/love-letter/").status_code == 404


# --- Actions -------------------------------------------------------------------------------------
def test_receive_then_a_second_receive_is_a_conflict(world: World, officer: Client) -> None:
    dossier = factories.submitted(world)

    done = officer.post(act(dossier.code, "receive"), {"receive-note": "Đủ thành phần"})
    assert done.status_code == 302
    assert done["Location"] == page(dossier.code)
    assert fresh(dossier).status == Status.RECEIVED
    assert "Đã tiếp nhận" in text(officer.get(page(dossier.code)))

    again = officer.post(act(dossier.code, "receive"), {})
    assert again.status_code == 409
    assert "Không thể 'Tiếp nhận' khi hồ sơ đang ở trạng thái 'Đã tiếp nhận'" in text(again)
    assert 'role="alert"' in text(again)


def test_refusal_needs_a_reason_and_gives_a_refusal_notice(world: World, officer: Client) -> None:
    dossier = factories.submitted(world)

    missing_reason = officer.post(act(dossier.code, "refuse"), {"refuse-reason": "  "})
    assert missing_reason.status_code == 422
    assert "Hãy ghi rõ lý do." in text(missing_reason)
    assert 'href="#id_refuse-reason"' in text(missing_reason)
    assert fresh(dossier).status == Status.NEW

    done = officer.post(act(dossier.code, "refuse"), {"refuse-reason": "Không thuộc thẩm quyền của phường"})
    assert done.status_code == 302
    assert fresh(dossier).status == Status.REFUSED

    letter = officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/refusal/")
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert "thong-bao-tu-choi" in letter["Content-Disposition"]
    assert officer.get(page(dossier.code)).context["forms"] == []


def test_a_supplement_is_requested_once_listing_everything(world: World, officer: Client) -> None:
    dossier = factories.submitted(world)

    nothing_listed = officer.post(
        act(dossier.code, "request_supplement"), {"request_supplement-missing": "\n \n"}
    )
    assert nothing_listed.status_code == 422
    assert "Hãy liệt kê đầy đủ những gì cần bổ sung." in text(nothing_listed)

    done = officer.post(
        act(dossier.code, "request_supplement"),
        {
            "request_supplement-missing": "Giấy chứng sinh bản rõ nét\nTờ khai có chữ ký\n",
            "request_supplement-note": "Bổ sung trong 5 ngày làm việc",
        },
    )
    assert done.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    event = dossier.events.get(action=Action.REQUEST_SUPPLEMENT)
    assert event.details["missing"] == ["Giấy chứng sinh bản rõ nét", "Tờ khai có chữ ký"]
    letter = officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/supplement/")
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")

    services.dossier_supply(dossier=dossier, user=world.applicant, note="Đã bổ sung đủ")
    assert fresh(dossier).status == Status.NEW
    offered = [form.action for form in officer.get(page(dossier.code)).context["forms"]]
    assert Action.REQUEST_SUPPLEMENT not in offered

    twice = officer.post(act(dossier.code, "request_supplement"), {"request_supplement-missing": "Thêm nữa"})
    assert twice.status_code == 409
    assert "Chỉ được yêu cầu bổ sung một lần" in text(twice)


def test_assign_routes_to_a_unit_and_an_officer(world: World, officer: Client) -> None:
    dossier = received(world)
    form = officer.get(page(dossier.code)).context["forms"]
    assign = next(item for item in form if item.action == Action.ASSIGN)
    assert (str(world.ward.pk), world.ward.name) in assign.fields["unit"].choices

    outsider = officer.post(
        act(dossier.code, "assign"), {"assign-unit": world.ward.pk, "assign-assignee": world.other_officer.pk}
    )
    assert outsider.status_code == 422
    assert fresh(dossier).holder is None

    done = officer.post(
        act(dossier.code, "assign"), {"assign-unit": world.ward.pk, "assign-assignee": world.officer.pk}
    )
    assert done.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING
    assert dossier.holder == world.officer
    assert dossier.unit == world.ward


def test_forward_to_someone_who_cannot_hold_the_next_step_is_refused(world: World, officer: Client) -> None:
    dossier = factories.in_processing(world)

    wrong = officer.post(act(dossier.code, "forward"), {"forward-assignee": world.officer.pk})
    assert wrong.status_code == 422
    assert "không thể nhận bước" in text(wrong)

    done = officer.post(
        act(dossier.code, "forward"), {"forward-assignee": world.leader.pk, "forward-note": "Đủ điều kiện"}
    )
    assert done.status_code == 302
    assert fresh(dossier).holder == world.leader
    assert fresh(dossier).step == 2


def test_the_decision_is_a_leaders_at_the_last_step_then_the_result_is_returned(
    world: World, officer: Client, leader: Client
) -> None:
    dossier = factories.in_processing(world)

    too_early = leader.post(act(dossier.code, "decide"), {"decide-outcome": "approve"})
    assert too_early.status_code == 409
    assert "chuyển đến bước phê duyệt trước" in text(too_early)

    services.dossier_forward(dossier=dossier, officer=world.officer, assignee=world.leader)
    not_a_leader = officer.post(act(dossier.code, "decide"), {"decide-outcome": "approve"})
    assert not_a_leader.status_code == 403
    assert "Bước này cần lãnh đạo cơ quan thực hiện." in text(not_a_leader)

    no_reason = leader.post(act(dossier.code, "decide"), {"decide-outcome": "reject", "decide-reason": ""})
    assert no_reason.status_code == 422
    assert "Hãy ghi rõ lý do." in text(no_reason)

    assert leader.post(act(dossier.code, "decide"), {"decide-outcome": "maybe"}).status_code == 422

    done = leader.post(act(dossier.code, "decide"), {"decide-outcome": "approve", "decide-reason": ""})
    assert done.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSED
    result = officer.get(f"/mot-cua/ho-so/{dossier.code}/ket-qua/")
    assert result.status_code == 200
    assert b"".join(result.streaming_content).startswith(b"%PDF")

    unknown_mode = officer.post(act(dossier.code, "return_result"), {"return_result-mode": "pigeon"})
    assert unknown_mode.status_code == 422
    returned = officer.post(act(dossier.code, "return_result"), {"return_result-mode": "in_person"})
    assert returned.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    assert dossier.return_mode == "in_person"


def test_the_apology_moves_the_date_once_and_only_before_it_is_due(world: World, officer: Client) -> None:
    dossier = factories.in_processing(world)
    new_date = calendar.add_working_days(dossier.due_on, 2)

    bad_date = officer.post(
        act(dossier.code, "apologise"),
        {"apologise-reason": "Chờ xác minh", "apologise-new_due_on": "31/02/2026"},
    )
    assert bad_date.status_code == 422
    earlier = officer.post(
        act(dossier.code, "apologise"),
        {"apologise-reason": "Chờ xác minh", "apologise-new_due_on": dossier.due_on.isoformat()},
    )
    assert earlier.status_code == 422
    assert "Ngày hẹn mới phải sau ngày hẹn hiện tại." in text(earlier)

    done = officer.post(
        act(dossier.code, "apologise"),
        {"apologise-reason": "Chờ kết quả xác minh", "apologise-new_due_on": new_date.strftime("%d/%m/%Y")},
    )
    assert done.status_code == 302
    assert fresh(dossier).due_on == new_date
    letter = officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/apology/")
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")
    assert Action.APOLOGISE not in [form.action for form in officer.get(page(dossier.code)).context["forms"]]

    again = officer.post(
        act(dossier.code, "apologise"),
        {
            "apologise-reason": "Lại chậm",
            "apologise-new_due_on": calendar.add_working_days(new_date, 2).isoformat(),
        },
    )
    assert again.status_code == 409
    assert "chỉ gửi một lần" in text(again)
    assert fresh(dossier).due_on == new_date


def test_no_apology_once_the_due_date_has_come(world: World, officer: Client) -> None:
    dossier = factories.in_processing(world)
    Dossier.objects.filter(pk=dossier.pk).update(due_on=timezone.localdate())
    response = officer.post(
        act(dossier.code, "apologise"),
        {
            "apologise-reason": "Muộn",
            "apologise-new_due_on": calendar.add_working_days(timezone.localdate(), 3).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "Thư xin lỗi phải gửi trước ngày hẹn trả" in text(response)


def test_stop_processing_needs_a_reason_and_gives_a_stop_notice(world: World, officer: Client) -> None:
    dossier = factories.in_processing(world)
    assert officer.post(act(dossier.code, "stop"), {"stop-reason": ""}).status_code == 422
    done = officer.post(act(dossier.code, "stop"), {"stop-reason": "Có tranh chấp về quyền nuôi con"})
    assert done.status_code == 302
    assert fresh(dossier).status == Status.STOPPED
    letter = officer.get(f"/mot-cua/ho-so/{dossier.code}/thu/stop/")
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")


def test_the_control_sheet_says_who_held_the_dossier_from_when_to_when(world: World, officer: Client) -> None:
    dossier = factories.at_approval(world)

    response = officer.get(f"/mot-cua/ho-so/{dossier.code}/phieu-kiem-soat/")

    assert response.status_code == 200
    rows = response.context["control_rows"]
    assert [row.holder_name for row in rows][-2:] == [world.officer.full_name, world.leader.full_name]
    assert all(row.handed_on_at for row in rows[:-1])
    assert rows[-1].handed_on_at is None
    body = text(response)
    assert "Lãnh đạo phê duyệt" in body
    assert world.leader.full_name in body
    # The same rows on the dossier page.
    assert len(officer.get(page(dossier.code)).context["control_rows"]) == len(rows)


# --- Verification --------------------------------------------------------------------------------
def verify_url(code: str) -> str:
    return f"/verify/{code}"


def signed_result(dossier: Dossier) -> bytes:
    assert dossier.result_document is not None
    with document_selectors.document_open(document=dossier.result_document) as opened:
        return bytes(opened.read())


def upload(content: bytes, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_verification_page_shows_the_result_without_personal_data(world: World) -> None:
    dossier = decided(world)

    response = Client().get(verify_url(dossier.code))

    assert response.status_code == 200
    body = text(response)
    assert world.ward.name in body
    assert dossier.result_sha256 in body
    assert world.person.full_name not in body
    assert world.person.personal_id not in body
    initials = " ".join(f"{part[0]}." for part in world.person.full_name.split())
    assert initials in body


def test_an_unknown_code_gets_a_404_page_that_says_so(db: None) -> None:
    response = Client().get(verify_url("H15.50-000000-0000"))
    assert response.status_code == 404
    assert "Không có kết quả" in text(response) or "No result" in text(response)
    assert "H15.50-000000-0000" in text(response)


def test_an_uploaded_copy_is_compared_with_the_signed_original(world: World) -> None:
    dossier = decided(world)
    original = signed_result(dossier)
    public = Client()

    same = public.post(verify_url(dossier.code), {"file": upload(original)})
    assert same.status_code == 200
    check = same.context["check"]
    assert check.matches is True
    assert check.report.valid is True
    assert check.report.signer_agency_code == world.ward.code

    middle = len(original) // 2
    altered = original[:middle] + bytes([original[middle] ^ 0x01]) + original[middle + 1 :]
    changed = public.post(verify_url(dossier.code), {"file": upload(altered)})
    assert changed.status_code == 200
    assert changed.context["check"].matches is False
    assert changed.context["check"].report.valid is False
    assert "không phải bản gốc" in text(changed)

    assert public.post(verify_url(dossier.code), {}).status_code == 422


def test_uploads_are_limited_in_size_and_per_address(world: World, settings: Any) -> None:
    settings.CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR = 1
    settings.CONGSO_SIGNING_VERIFY_MAX_BYTES = 64
    dossier = decided(world)
    public = Client()

    too_large = public.post(verify_url(dossier.code), {"file": upload(b"%PDF-1.4" + b" " * 100)})
    assert too_large.status_code == 413
    assert "Tệp lớn hơn" in text(too_large)

    assert public.post(verify_url(dossier.code), {"file": upload(b"%PDF-1.4 not signed")}).status_code == 200
    limited = public.post(verify_url(dossier.code), {"file": upload(b"%PDF-1.4 not signed")})
    assert limited.status_code == 429
    assert "quá nhiều tệp" in text(limited)

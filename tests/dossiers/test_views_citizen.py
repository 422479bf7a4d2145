"""The applicant's pages through the test client: what a citizen sees and can do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.core.audit import AuditEntry
from congso.dossiers import services
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier, DossierDraft, DossierRating
from congso.identity.testing import force_login_mfa

from . import factories
from .factories import World

pytestmark = pytest.mark.django_db

DATABASE = "Cơ sở dữ liệu quốc gia về dân cư"


def logged_in(user: Any, *, language: str = "vi") -> Client:
    client = Client()
    force_login_mfa(client, user)
    if language != "vi":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def applicant(world: World) -> Client:
    return logged_in(world.applicant)


def step(draft: DossierDraft, slug: str) -> str:
    return f"/ho-so/nhap/{draft.public_id}/{slug}/"


def html(response: Any) -> str:
    return response.content.decode()


def valid_answers(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "action": "next",
        "personal_id": world.person.personal_id,
        "date_of_birth": "2026-11-02",
        "sex": "F",
        "declaration": "on",
        **overrides,
    }


# --- The wizard -----------------------------------------------------------------------------------
def test_the_procedure_page_links_to_the_application(world: World, client: Client) -> None:
    page = html(client.get(f"/thu-tuc/{world.procedure.code}/"))
    assert f'href="/thu-tuc/{world.procedure.code}/nop-ho-so/"' in page


def test_applying_needs_a_login_with_a_second_factor(world: World, client: Client) -> None:
    response = client.get(f"/thu-tuc/{world.procedure.code}/nop-ho-so/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")

    client.force_login(world.applicant)  # a password-only session is not enough
    assert client.get(f"/thu-tuc/{world.procedure.code}/nop-ho-so/").status_code == 302


def test_a_level_1_account_is_told_how_to_get_level_2(world: World) -> None:
    world.applicant.assurance_level = 1
    world.applicant.save()
    response = logged_in(world.applicant).get(f"/thu-tuc/{world.procedure.code}/nop-ho-so/")
    assert response.status_code == 403
    assert "identity/assurance_required.html" in [t.name for t in response.templates]
    assert not DossierDraft.objects.exists()


def test_the_whole_application_by_posts(world: World, applicant: Client) -> None:
    apply_url = f"/thu-tuc/{world.procedure.code}/nop-ho-so/"
    guide = html(applicant.get(apply_url))
    assert "Giấy chứng sinh" in guide
    assert "Nhà nước đã có thông tin này" in guide  # the ID document the population database holds
    assert 'aria-current="step"' in guide

    response = applicant.post(apply_url)
    draft = DossierDraft.objects.get(applicant=world.applicant)
    assert response["Location"] == step(draft, "bieu-mau")
    assert draft.agency == world.ward

    # Before anything is fetched, the applicant is told what and from where, and asked.
    consent = html(applicant.get(step(draft, "bieu-mau")))
    assert f"Cho phép lấy dữ liệu từ {DATABASE}" in consent
    assert "Họ và tên" in consent
    assert "Tôi tự nhập" in consent
    assert world.person.full_name not in consent

    response = applicant.post(step(draft, "bieu-mau"), {"action": "consent", "service": "registry.citizen"})
    assert response["Location"] == step(draft, "bieu-mau")
    form = html(applicant.get(step(draft, "bieu-mau")))
    # The name the State holds is shown as confirmed, not as an input.
    assert world.person.full_name in form
    assert 'name="full_name"' not in form
    assert f"Lấy từ {DATABASE}" in form
    assert f'value="{world.person.personal_id}"' in form  # prefilled, still editable

    # Wrong answers: a message next to each field, in Vietnamese then English.
    wrong = html(
        applicant.post(
            step(draft, "bieu-mau"),
            {
                "action": "next",
                "personal_id": world.person.personal_id,
                "date_of_birth": "31/02/2026",
                "sex": "X",
            },
        )
    )
    assert "Ngày sinh phải là một ngày hợp lệ (năm-tháng-ngày) (Date of birth must be a valid date" in wrong
    assert "Bạn cần xác nhận: Tôi cam đoan khai đúng sự thật" in wrong
    assert 'href="#id_date_of_birth"' in wrong
    assert re.search(r'<input[^>]+name="date_of_birth"[^>]+aria-invalid="true"', wrong)
    assert '<legend class="label">Giới tính</legend>' in wrong

    response = applicant.post(step(draft, "bieu-mau"), valid_answers(world, full_name="Tên Khác"))
    assert response["Location"] == step(draft, "giay-to")
    draft.refresh_from_db()
    assert draft.data["full_name"] == world.person.full_name
    assert draft.data["declaration"] is True

    # A picture renamed to .pdf is refused with the reason.
    documents = html(applicant.get(step(draft, "giay-to")))
    assert "Nhà nước đã có thông tin này" in documents
    refused = applicant.post(
        step(draft, "giay-to"),
        {
            "action": "upload",
            "requirement": world.requirement.pk,
            "file": SimpleUploadedFile("giay-chung-sinh.pdf", factories.PNG, content_type="application/pdf"),
        },
    )
    page = html(refused)
    assert "Tệp &#x27;giay-chung-sinh.pdf&#x27; không phải PDF" in page
    assert f'href="#file-{world.requirement.pk}"' in page
    draft.refresh_from_db()
    assert draft.documents == {}

    # Continuing without the document says what is missing.
    missing = html(applicant.post(step(draft, "giay-to"), {"action": "next"}))
    assert "Cần nộp: Giấy chứng sinh" in missing

    response = applicant.post(
        step(draft, "giay-to"),
        {"action": "upload", "requirement": world.requirement.pk, "file": factories.pdf_file()},
    )
    assert response["Location"] == step(draft, "giay-to")
    assert "giay-chung-sinh.pdf" in html(applicant.get(step(draft, "giay-to")))
    response = applicant.post(step(draft, "giay-to"), {"action": "next"})
    assert response["Location"] == step(draft, "xem-lai")

    review = html(applicant.get(step(draft, "xem-lai")))
    assert world.person.full_name in review
    assert "giay-chung-sinh.pdf" in review
    assert f'action="/ho-so/nhap/{draft.public_id}/nop/"' in review

    # A double click, or a refresh that posts again: one dossier.
    first = applicant.post(f"/ho-so/nhap/{draft.public_id}/nop/")
    second = applicant.post(f"/ho-so/nhap/{draft.public_id}/nop/")
    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"] == f"/ho-so/{dossier.code}/bien-nhan/"

    receipt = html(applicant.get(first["Location"]))
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in receipt
    assert dossier.code in receipt
    assert dossier.due_on.strftime("%d/%m/%Y") in receipt
    assert world.procedure.name in receipt
    assert world.ward.name in receipt
    assert "giay-chung-sinh.pdf" in receipt
    assert 'src="data:image/svg+xml' in receipt

    # The wizard of a submitted draft leads to its receipt.
    response = applicant.get(step(draft, "bieu-mau"))
    assert response["Location"] == f"/ho-so/{dossier.code}/bien-nhan/"


def _open_to_organisations(world: World) -> None:
    world.procedure.for_organisations = True
    world.procedure.save(update_fields=["for_organisations"])


def test_the_legal_representative_applies_for_the_enterprise(world: World, applicant: Client) -> None:
    _open_to_organisations(world)
    enterprise = world.data["enterprise"]  # the registry names the applicant its representative
    apply_url = f"/thu-tuc/{world.procedure.code}/nop-ho-so/"

    guide = html(applicant.get(apply_url))

    assert "Nộp hồ sơ cho" in guide
    assert f"Bản thân tôi ({world.applicant.full_name})" in guide
    assert f"{enterprise.name} ({enterprise.code})" in guide
    response = applicant.post(apply_url, {"on_behalf": enterprise.code})
    draft = DossierDraft.objects.get(applicant=world.applicant)
    assert response["Location"] == step(draft, "bieu-mau")
    assert draft.organisation is not None
    assert draft.organisation.organisation_code == enterprise.code
    services.prefill_consent_grant(
        draft=draft, user=world.applicant, services=services.prefill_services(procedure=draft.procedure)
    )
    services.draft_prefill(draft=draft, user=world.applicant)
    services.draft_save(draft=draft, user=world.applicant, data=factories.answers(world))
    services.draft_document_upload(
        draft=draft,
        user=world.applicant,
        requirement_id=world.requirement.pk,
        uploaded_file=factories.pdf_file(),
    )
    review = html(applicant.get(step(draft, "xem-lai")))
    assert "Nộp thay cho tổ chức" in review
    assert enterprise.name in review

    response = applicant.post(f"/ho-so/nhap/{draft.public_id}/nop/")
    dossier = Dossier.objects.get()
    assert dossier.organisation == draft.organisation
    assert enterprise.name in html(applicant.get(f"/ho-so/{dossier.code}/bien-nhan/"))
    assert enterprise.name in html(applicant.get(f"/ho-so/{dossier.code}/"))


def test_applying_for_oneself_is_the_default_and_another_enterprise_is_refused(
    world: World, applicant: Client
) -> None:
    from tests.identity import factories as identity_factories

    _open_to_organisations(world)
    apply_url = f"/thu-tuc/{world.procedure.code}/nop-ho-so/"
    someone_elses = identity_factories.make_organisation(representative=identity_factories.make_citizen())

    refused = html(applicant.post(apply_url, {"on_behalf": someone_elses.code}))
    assert "Hãy chọn nộp hồ sơ cho ai." in refused
    assert not DossierDraft.objects.exists()

    applicant.post(apply_url)
    assert DossierDraft.objects.get().organisation is None


def test_who_represents_nothing_is_not_asked_whom_they_apply_for(world: World) -> None:
    _open_to_organisations(world)
    guide = html(logged_in(world.stranger).get(f"/thu-tuc/{world.procedure.code}/nop-ho-so/"))

    assert "Nộp hồ sơ cho" not in guide


def test_a_procedure_for_individuals_only_is_not_offered_to_the_enterprise(
    world: World, applicant: Client, client: Client
) -> None:
    enterprise = world.data["enterprise"]
    procedure_page = html(client.get(f"/thu-tuc/{world.procedure.code}/"))
    assert re.search(r"<dt>Đối tượng thực hiện</dt><dd>Cá nhân</dd>", procedure_page)
    apply_url = f"/thu-tuc/{world.procedure.code}/nop-ho-so/"

    assert "Nộp hồ sơ cho" not in html(applicant.get(apply_url))
    applicant.post(apply_url, {"on_behalf": enterprise.code})  # a crafted choice is ignored
    assert DossierDraft.objects.get().organisation is None


def test_typing_the_data_oneself_fetches_nothing(world: World, applicant: Client) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    response = applicant.post(step(draft, "bieu-mau"), {"action": "manual"})
    assert response["Location"] == step(draft, "bieu-mau")
    form = html(applicant.get(step(draft, "bieu-mau")))
    assert 'name="full_name"' in form
    assert world.person.full_name not in form
    draft.refresh_from_db()
    assert draft.prefilled == {}


def test_a_withdrawn_consent_is_asked_for_again(world: World, applicant: Client) -> None:
    from congso.exchange import selectors as exchange_selectors
    from congso.exchange import services as exchange_services

    draft = factories.ready_draft(world)
    assert world.person.full_name in html(applicant.get(step(draft, "bieu-mau")))
    [consent] = [
        row.consent
        for row in exchange_selectors.consent_list(user=world.applicant)
        if row.status == "in_force"
    ]
    exchange_services.consent_revoke(citizen_user=world.applicant, consent=consent)

    page = html(applicant.get(step(draft, "bieu-mau")))
    assert "Sự đồng ý cho lấy dữ liệu này không còn hiệu lực" in page
    assert f"Cho phép lấy dữ liệu từ {DATABASE}" in page
    response = applicant.post(step(draft, "bieu-mau"), {"action": "consent", "service": "registry.citizen"})
    assert response.status_code == 302
    assert world.person.full_name in html(applicant.get(step(draft, "bieu-mau")))


def test_a_document_from_my_documents_can_be_used_and_removed(world: World, applicant: Client) -> None:
    from congso.documents import services as document_services

    stored = document_services.document_upload(
        owner=world.applicant,
        uploaded_file=factories.pdf_file("chung-sinh-cu.pdf"),
        title="Giấy chứng sinh cũ",
    )
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    page = html(applicant.get(step(draft, "giay-to")))
    assert "Giấy chứng sinh cũ" in page

    response = applicant.post(
        step(draft, "giay-to"),
        {"action": "pick", "requirement": world.requirement.pk, "document": stored.public_id},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.documents == {str(world.requirement.pk): [{"id": str(stored.public_id), "reused": True}]}

    response = applicant.post(
        step(draft, "giay-to"),
        {"action": "remove", "requirement": world.requirement.pk, "document": stored.public_id},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.documents == {}


def test_drafts_are_listed_resumed_and_deleted(world: World, applicant: Client) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    services.draft_save(draft=draft, user=world.applicant, step="documents")
    page = html(applicant.get("/ho-so/"))
    assert world.procedure.name in page
    assert f'href="{step(draft, "giay-to")}"' in page
    assert f'href="/ho-so/nhap/{draft.public_id}/xoa/"' in page

    assert "Xóa hồ sơ nháp này?" in html(applicant.get(f"/ho-so/nhap/{draft.public_id}/xoa/"))
    response = applicant.post(f"/ho-so/nhap/{draft.public_id}/xoa/")
    assert response["Location"] == "/ho-so/"
    assert not DossierDraft.objects.filter(pk=draft.pk).exists()


def test_someone_elses_draft_is_not_found(world: World) -> None:
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    stranger = logged_in(world.stranger)
    assert stranger.get(step(draft, "bieu-mau")).status_code == 404
    assert stranger.post(f"/ho-so/nhap/{draft.public_id}/nop/").status_code == 404


# --- After submission -----------------------------------------------------------------------------
def test_the_receipt_pdf(world: World, applicant: Client) -> None:
    dossier = factories.submitted(world)
    response = applicant.get(f"/ho-so/{dossier.code}/bien-nhan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_my_dossiers_lists_them_with_status_and_due_date_and_filters(world: World, applicant: Client) -> None:
    dossier = factories.submitted(world)
    page = html(applicant.get("/ho-so/"))
    assert f'href="/ho-so/{dossier.code}/"' in page
    assert "Mới nộp" in page
    assert dossier.due_on.strftime("%d/%m/%Y") in page
    assert 'href="/ho-so/" aria-current="page"' in page  # the account menu

    assert dossier.code in html(applicant.get("/ho-so/?trang_thai=1"))
    assert dossier.code not in html(applicant.get(f"/ho-so/?trang_thai={Status.WITHDRAWN}"))


def test_the_dossier_page_shows_the_history_without_officers_names(world: World, applicant: Client) -> None:
    dossier = factories.in_processing(world)
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert "Nộp hồ sơ" in page
    assert "Phân công xử lý" in page
    assert "Đang xử lý" in page
    assert world.officer.full_name not in page

    [item] = dossier.documents.all()
    download = applicant.get(f"/ho-so/{dossier.code}/giay-to/{item.document.public_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_another_persons_dossier_is_not_found(world: World) -> None:
    dossier = factories.submitted(world)
    [item] = dossier.documents.all()
    stranger = logged_in(world.stranger)
    for path in (
        f"/ho-so/{dossier.code}/",
        f"/ho-so/{dossier.code}/bien-nhan/",
        f"/ho-so/{dossier.code}/bien-nhan.pdf",
        f"/ho-so/{dossier.code}/giay-to/{item.document.public_id}/",
        f"/ho-so/{dossier.code}/rut/",
    ):
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/ho-so/{dossier.code}/rut/", {"reason": "x", "confirm": "on"}).status_code == 404
    assert Dossier.objects.get().status == Status.NEW
    assert AuditEntry.objects.filter(action="dossiers.dossier.access_denied", target_id=dossier.code).exists()


def test_a_document_of_another_dossier_is_not_served(world: World, applicant: Client) -> None:
    mine = factories.submitted(world)
    other = services.dossier_submit(draft=factories.ready_draft(world), user=world.applicant)
    [item] = other.documents.all()
    assert applicant.get(f"/ho-so/{mine.code}/giay-to/{item.document.public_id}/").status_code == 404


def test_answering_a_supplement_request(world: World, applicant: Client) -> None:
    dossier = services.dossier_request_supplement(
        dossier=factories.in_processing(world),
        officer=world.officer,
        missing=["Giấy chứng sinh bản rõ nét", "Bản sao giấy đăng ký kết hôn"],
        note="Ảnh bị mờ",
    )
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert "Giấy chứng sinh bản rõ nét" in page
    assert "Bản sao giấy đăng ký kết hôn" in page
    assert "Ảnh bị mờ" in page
    assert 'type="file" name="attachments" multiple' in page

    empty = applicant.post(f"/ho-so/{dossier.code}/bo-sung/", {"note": ""})
    assert empty.status_code == 422
    assert "Hãy tải lên giấy tờ còn thiếu hoặc ghi nội dung bổ sung" in html(empty)

    response = applicant.post(
        f"/ho-so/{dossier.code}/bo-sung/",
        {
            "attachments": [factories.pdf_file("ro-net.pdf"), factories.pdf_file("ket-hon.pdf")],
            "note": "Gửi bản rõ nét",
        },
    )
    assert response["Location"] == f"/ho-so/{dossier.code}/"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.documents.filter(supplement=True).count() == 2
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert "Gửi bản rõ nét" in page
    assert 'name="attachments"' not in page


def test_a_bad_file_in_a_supplement_is_refused(world: World, applicant: Client) -> None:
    dossier = services.dossier_request_supplement(
        dossier=factories.submitted(world), officer=world.officer, missing=["Giấy chứng sinh"]
    )
    response = applicant.post(
        f"/ho-so/{dossier.code}/bo-sung/",
        {"attachments": [SimpleUploadedFile("anh.pdf", factories.PNG)], "note": ""},
    )
    assert response.status_code == 422
    assert "không phải PDF" in html(response)
    assert Dossier.objects.get().status == Status.SUPPLEMENT_REQUESTED


def test_withdrawing_asks_for_a_reason_and_a_confirmation(world: World, applicant: Client) -> None:
    dossier = factories.submitted(world)
    assert f'href="/ho-so/{dossier.code}/rut/"' in html(applicant.get(f"/ho-so/{dossier.code}/"))
    page = html(applicant.post(f"/ho-so/{dossier.code}/rut/", {"reason": ""}))
    assert "Hãy ghi rõ lý do." in page
    assert "Hãy đánh dấu vào ô để xác nhận." in page
    assert Dossier.objects.get().status == Status.NEW

    response = applicant.post(f"/ho-so/{dossier.code}/rut/", {"reason": "Không cần nữa", "confirm": "on"})
    assert response["Location"] == f"/ho-so/{dossier.code}/"
    assert Dossier.objects.get().status == Status.WITHDRAWN
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert "Không cần nữa" in page
    assert f'href="/ho-so/{dossier.code}/rut/"' not in page


def test_the_result_and_the_rating(world: World, applicant: Client) -> None:
    dossier = services.dossier_decide(
        dossier=factories.at_approval(world), officer=world.leader, approve=True
    )
    dossier = services.dossier_return_result(dossier=dossier, officer=world.officer)
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert dossier.result_document is not None
    result_url = f"/ho-so/{dossier.code}/giay-to/{dossier.result_document.public_id}/"
    assert f'href="{result_url}"' in page
    assert b"".join(applicant.get(result_url).streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "Đánh giá mức độ hài lòng" in page

    wrong = applicant.post(f"/ho-so/{dossier.code}/danh-gia/", {"score": "9"})
    assert wrong.status_code == 422
    assert "Hãy chọn số điểm từ 1 đến 5." in html(wrong)

    response = applicant.post(
        f"/ho-so/{dossier.code}/danh-gia/", {"score": "4", "comment": "Nhanh, gọn", "complaint": "on"}
    )
    assert response["Location"] == f"/ho-so/{dossier.code}/"
    rating = DossierRating.objects.get(dossier=dossier)
    assert (rating.score, rating.comment, rating.complaint) == (4, "Nhanh, gọn", True)
    page = html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert "Cảm ơn bạn đã đánh giá." in page
    assert 'name="score"' not in page


def test_no_rating_before_the_outcome(world: World, applicant: Client) -> None:
    dossier = factories.submitted(world)
    assert 'name="score"' not in html(applicant.get(f"/ho-so/{dossier.code}/"))
    assert applicant.post(f"/ho-so/{dossier.code}/danh-gia/", {"score": "5"}).status_code == 422
    assert not DossierRating.objects.exists()


# --- Public lookup ----------------------------------------------------------------------------------
def test_public_lookup_shows_the_status_and_no_personal_data(world: World, client: Client) -> None:
    dossier = factories.in_processing(world)
    page = html(client.get("/tra-cuu/ho-so/"))
    assert '<a class="site-nav__link" href="/tra-cuu/ho-so/" aria-current="page">Tra cứu hồ sơ</a>' in page

    response = client.post(
        "/tra-cuu/ho-so/", {"code": dossier.code.lower(), "personal_id": world.person.personal_id}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Đang xử lý" in page
    assert world.procedure.name in page
    assert world.ward.name in page
    assert dossier.due_on.strftime("%d/%m/%Y") in page
    for private in (
        world.person.full_name,
        world.person.personal_id,
        world.officer.full_name,
        "giay-chung-sinh",
    ):
        assert private not in page, private


def test_public_lookup_with_the_wrong_id_number(world: World, client: Client) -> None:
    dossier = factories.submitted(world)
    response = client.post("/tra-cuu/ho-so/", {"code": dossier.code, "personal_id": world.stranger.username})
    assert response.status_code == 404
    page = html(response)
    assert "Không có hồ sơ với mã và số định danh này." in page
    assert world.procedure.name not in page

    response = client.post("/tra-cuu/ho-so/", {"code": dossier.code, "personal_id": "12ab"})
    assert response.status_code == 422
    assert "Số định danh cá nhân gồm 12 chữ số." in html(response)


def test_public_lookup_locks_an_address_out_after_too_many_misses(
    world: World, client: Client, settings: Any
) -> None:
    settings.CONGSO_DOSSIER_LOOKUP_MAX_MISSES = 3
    dossier = factories.submitted(world)
    right = {"code": dossier.code, "personal_id": world.person.personal_id}
    for _ in range(5):  # following one's own dossier costs nothing
        assert client.post("/tra-cuu/ho-so/", right).status_code == 200
    for _ in range(3):
        client.post("/tra-cuu/ho-so/", {"code": dossier.code, "personal_id": "000000000000"})

    response = client.post("/tra-cuu/ho-so/", right)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = html(response)
    assert "Tra cứu sai quá nhiều lần" in page
    assert world.procedure.name not in page
    # The page and the API share the lock: it is one policy per address.
    assert client.get("/api/v1/dossiers/status", right).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post("/tra-cuu/ho-so/", right).status_code == 200


# --- Both languages -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ["Hồ sơ của tôi", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Tờ khai", "Tra cứu hồ sơ"]),
        ("en", ["My dossiers", "Receipt and appointment slip", "Application form", "Look up a dossier"]),
    ],
)
def test_pages_render_in_both_languages(world: World, language: str, expected: list[str]) -> None:
    dossier = factories.submitted(world)
    draft = factories.ready_draft(world)
    client = logged_in(world.applicant, language=language)
    pages = {
        "/ho-so/": expected[0],
        f"/ho-so/{dossier.code}/bien-nhan/": expected[1],
        step(draft, "bieu-mau"): expected[2],
        "/tra-cuu/ho-so/": expected[3],
    }
    for path, text in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in html(response)
        assert text in html(response), (path, text)
    for path in (
        f"/thu-tuc/{world.procedure.code}/nop-ho-so/",
        step(draft, "huong-dan"),
        step(draft, "giay-to"),
        step(draft, "xem-lai"),
        f"/ho-so/{dossier.code}/",
        f"/ho-so/{dossier.code}/rut/",
    ):
        assert client.get(path).status_code == 200, path
    english = html(client.get(f"/ho-so/{dossier.code}/"))
    if language == "en":
        assert "New" in english or "new" in english
        assert "Mới nộp" not in english

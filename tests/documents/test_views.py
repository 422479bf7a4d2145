"""My documents (/tai-khoan/giay-to/) through the Django test client: list, upload, download,
delete, in Vietnamese and English, and nothing of anyone else's."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.core.models import AuditEntry
from congso.documents.models import StoredDocument
from congso.identity.models import User
from congso.identity.testing import force_login_mfa

from . import factories

pytestmark = pytest.mark.django_db

LIST = "/tai-khoan/giay-to/"


def _download(document: StoredDocument) -> str:
    return f"{LIST}{document.public_id}/tai-ve/"


def _delete(document: StoredDocument) -> str:
    return f"{LIST}{document.public_id}/xoa/"


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_pages_need_a_login_with_a_second_factor(client: Client, citizen_user: User) -> None:
    document = factories.stored(citizen_user)
    for path in (LIST, _download(document), _delete(document)):
        assert client.get(path)["Location"].startswith("/dang-nhap/?next=")

    client.force_login(citizen_user)  # a session without the second factor

    assert client.get(LIST)["Location"].startswith("/dang-nhap/")


def test_my_documents_are_listed_in_vietnamese(logged_in: Client, citizen_user: User) -> None:
    factories.stored(citizen_user, name="giay-khai-sinh.pdf", title="Giấy khai sinh")

    response = logged_in.get(LIST)

    assert response.status_code == 200
    page = _page(response)
    assert "<h1>Giấy tờ của tôi</h1>" in page
    assert 'aria-current="page">Giấy tờ của tôi</a>' in page  # the account menu
    assert "Giấy khai sinh" in page
    assert "giay-khai-sinh.pdf" in page
    assert "Tệp tải lên" in page
    assert "0 lần" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<label class="label" for="id_file">Tệp</label>' in page
    assert "tối đa 10,0\xa0MB" in page


def test_the_page_speaks_english(logged_in: Client, citizen_user: User) -> None:
    factories.stored(citizen_user, title="Giấy khai sinh")
    logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = _page(logged_in.get(LIST))

    assert "<h1>My documents</h1>" in page
    assert "Uploaded file" in page
    assert "Upload a document" in page
    assert "0 times" in page


def test_the_empty_store_says_so(logged_in: Client) -> None:
    assert "Kho của bạn chưa có giấy tờ nào." in _page(logged_in.get(LIST))


def test_upload_then_see_it_listed(logged_in: Client, citizen_user: User) -> None:
    content = factories.pdf_bytes()
    response = logged_in.post(
        LIST,
        {
            "title": "Căn cước công dân",
            "file": SimpleUploadedFile("cccd.pdf", content, content_type="text/html"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    document = StoredDocument.objects.get()
    assert document.owner == citizen_user
    assert document.content_type == "application/pdf"
    page = _page(logged_in.get(LIST))
    assert "Đã lưu “Căn cước công dân” vào kho giấy tờ của bạn." in page
    assert "Căn cước công dân" in page
    assert _download(document) in page


def test_a_disguised_file_is_refused_on_the_field_in_both_languages(logged_in: Client) -> None:
    response = logged_in.post(
        LIST, {"title": "Hộ chiếu", "file": SimpleUploadedFile("x.pdf", factories.png_bytes())}
    )

    assert response.status_code == 200
    page = _page(response)
    message = "Tệp 'x.pdf' không phải PDF: nội dung là ảnh PNG (File 'x.pdf' is not a PDF: its content is a PNG image)"
    assert f'<a href="#id_file">{message}</a>' in page  # the error summary
    assert 'id="id_file-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Hộ chiếu"' in page  # what was typed stays
    assert not StoredDocument.objects.exists()


def test_no_file_chosen(logged_in: Client) -> None:
    page = _page(logged_in.post(LIST, {"title": "Hộ chiếu"}))

    assert "Hãy chọn tệp để tải lên." in page


def test_a_file_over_the_limit_is_stopped_while_it_uploads(
    logged_in: Client, settings: Any, media: Path
) -> None:
    settings.CONGSO_UPLOAD_MAX_BYTES = 100 * 1024
    big = factories.pdf_bytes() + b"0" * (300 * 1024)

    response = logged_in.post(LIST, {"title": "Bản vẽ", "file": SimpleUploadedFile("ban-ve.pdf", big)})

    assert response.status_code == 200
    page = _page(response)
    assert (
        "Tệp 'ban-ve.pdf' lớn hơn dung lượng tối đa 100 KB (File 'ban-ve.pdf' is larger than the 100 KB limit)"
        in page
    )
    assert 'value="Bản vẽ"' in page
    assert not StoredDocument.objects.exists()
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_the_upload_form_checks_csrf(citizen_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    force_login_mfa(client, citizen_user)

    response = client.post(LIST, {"file": SimpleUploadedFile("a.pdf", factories.pdf_bytes())})

    assert response.status_code == 403
    assert not StoredDocument.objects.exists()


def test_download_is_an_attachment_with_the_sniffed_type(logged_in: Client, citizen_user: User) -> None:
    content = factories.pdf_bytes()
    document = factories.stored(citizen_user, name="Giấy khai sinh.pdf", content=content)

    response = logged_in.get(_download(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Gi%E1%BA%A5y%20khai%20sinh.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]


def test_someone_elses_document_is_not_found_and_the_attempt_audited(
    client: Client, citizen_user: User, neighbour: User
) -> None:
    document = factories.stored(citizen_user)
    force_login_mfa(client, neighbour)

    assert client.get(_download(document)).status_code == 404
    assert client.get(_delete(document)).status_code == 404
    assert client.post(_delete(document)).status_code == 404

    document.refresh_from_db()
    assert document.deleted_at is None
    actions = list(
        AuditEntry.objects.filter(action="documents.access_denied", actor_id=str(neighbour.pk))
        .order_by("seq")
        .values_list("details__action", flat=True)
    )
    assert actions == ["download", "delete", "delete"]
    # An address that names no document at all is only a 404.
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/tai-ve/").status_code == 404
    assert AuditEntry.objects.filter(action="documents.access_denied").count() == 3


def test_delete_asks_first_then_hides_it_and_keeps_the_file(
    logged_in: Client, citizen_user: User, media: Path
) -> None:
    document = factories.stored(citizen_user, title="Bằng lái xe")

    confirm = _page(logged_in.get(_delete(document)))
    assert "<h1>Xoá giấy tờ này?</h1>" in confirm
    assert "Bằng lái xe" in confirm
    assert StoredDocument.objects.alive().count() == 1

    response = logged_in.post(_delete(document))

    assert response.status_code == 302
    page = _page(logged_in.get(LIST))
    assert "Đã xoá “Bằng lái xe” khỏi kho giấy tờ của bạn." in page
    assert _download(document) not in page
    assert logged_in.get(_download(document)).status_code == 404
    assert len(list(media.rglob("*.pdf"))) == 1  # a dossier may still hold it
    # Removing your own removed document is no intrusion.
    assert not AuditEntry.objects.filter(action="documents.access_denied").exists()


def test_the_reuse_count_shows(logged_in: Client, citizen_user: User) -> None:
    from congso.documents import services

    document = factories.stored(citizen_user)
    services.document_mark_reused(document=document, dossier_code="H15-261128-0001")
    services.document_mark_reused(document=document, dossier_code="H15-261128-0002")

    assert "2 lần" in _page(logged_in.get(LIST))

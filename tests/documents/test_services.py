"""Writes to the document store: what is kept, where, who may remove it, how reuse counts."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.utils import timezone

from congso.core.audit import audit_verify
from congso.core.errors import InvalidInput, NotFound
from congso.core.models import AuditEntry
from congso.documents import selectors, services
from congso.documents.models import DocumentKind, DocumentReuse, StoredDocument
from congso.identity.models import User
from congso.registry.models import Agency
from tests.identity.factories import make_agency

from . import factories

pytestmark = pytest.mark.django_db


def _files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def test_an_upload_keeps_the_bytes_their_hash_and_size(citizen_user: User, media: Path) -> None:
    content = factories.pdf_bytes("Giấy chứng nhận quyền sử dụng đất")

    document = factories.stored(citizen_user, name="so-do.pdf", content=content, title="  Sổ đỏ   nhà  ")

    document.refresh_from_db()
    assert document.title == "Sổ đỏ nhà"
    assert document.kind == DocumentKind.UPLOAD
    assert document.original_name == "so-do.pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    now = timezone.localtime()
    assert document.file.name == f"documents/{now:%Y/%m}/{document.public_id}.pdf"
    [path] = _files(media)
    assert path.read_bytes() == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # not world-readable
    entry = AuditEntry.objects.get(action="documents.document.upload")
    assert entry.target_id == str(document.pk)
    assert entry.actor_id == str(citizen_user.pk)
    assert entry.details["sha256"] == document.sha256
    assert "so-do" not in str(entry.details)  # the file name may be personal; it stays out of the log
    assert audit_verify().ok


def test_a_large_upload_streamed_to_disk_is_moved_not_copied(citizen_user: User, media: Path) -> None:
    content = factories.pdf_bytes() + b"0" * (3 * 1024 * 1024)
    uploaded = TemporaryUploadedFile("lon.pdf", "application/pdf", len(content), None)
    uploaded.write(content)
    uploaded.seek(0)
    temporary = Path(uploaded.temporary_file_path())

    document = services.document_upload(owner=citizen_user, uploaded_file=uploaded)
    uploaded.close()  # as Django does at the end of the request

    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert not temporary.exists()
    assert _files(media)[0].read_bytes() == content


def test_a_refused_upload_leaves_nothing_behind(citizen_user: User, media: Path) -> None:
    with pytest.raises(InvalidInput):
        factories.stored(citizen_user, name="anh.pdf", content=factories.png_bytes())

    assert _files(media) == []
    assert not AuditEntry.objects.filter(action__startswith="documents.").exists()


def test_if_the_database_write_fails_the_file_is_removed(
    citizen_user: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(services, "audit_record", broken)

    with pytest.raises(RuntimeError):
        factories.stored(citizen_user)

    assert _files(media) == []
    assert not StoredDocument.objects.exists()


def test_a_title_over_200_characters_is_refused_on_the_title(citizen_user: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        factories.stored(citizen_user, title="T" * 201)

    assert caught.value.field == "title"


def test_the_platform_files_a_result_it_issued(citizen_user: User, media: Path) -> None:
    agency: Agency = make_agency(name="UBND phường Ba Đình")
    content = factories.pdf_bytes("Trích lục khai sinh")

    document = services.document_store_issued(
        owner=citizen_user,
        content=content,
        title="Trích lục khai sinh",
        kind=DocumentKind.RESULT,
        issuer=agency,
        dossier_code="H15.50-261128-0007",
    )

    assert document.kind == DocumentKind.RESULT
    assert document.issuer == agency
    assert document.dossier_code == "H15.50-261128-0007"
    assert document.original_name == "Trích lục khai sinh.pdf"
    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert _files(media)[0].read_bytes() == content
    entry = AuditEntry.objects.get(action="documents.document.issue")
    assert entry.actor_label == "system"
    assert selectors.document_get_for(user=citizen_user, public_id=document.public_id) == document


def test_issuing_content_that_is_not_what_it_claims_is_a_bug(citizen_user: User) -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        services.document_store_issued(
            owner=citizen_user, content=factories.png_bytes(), title="Kết quả", kind=DocumentKind.RESULT
        )
    with pytest.raises(ValueError, match="kind"):
        services.document_store_issued(
            owner=citizen_user, content=factories.pdf_bytes(), title="Kết quả", kind=DocumentKind.UPLOAD
        )


def test_reuse_counts_once_per_dossier(citizen_user: User) -> None:
    document = factories.stored(citizen_user)

    services.document_mark_reused(document=document, dossier_code="H15.50-261128-0001")
    services.document_mark_reused(document=document, dossier_code="H15.50-261128-0001")  # saved again
    services.document_mark_reused(document=document, dossier_code="H15.50-261128-0002")

    assert document.reuse_count == 2
    document.refresh_from_db()
    assert document.reuse_count == 2
    assert AuditEntry.objects.filter(action="documents.document.reuse").count() == 2
    assert set(DocumentReuse.objects.values_list("dossier_code", flat=True)) == {
        "H15.50-261128-0001",
        "H15.50-261128-0002",
    }


def test_reuse_totals_feed_the_indicator(citizen_user: User, neighbour: User) -> None:
    mine, other = factories.stored(citizen_user), factories.stored(neighbour)
    factories.stored(citizen_user, name="khong-dung.pdf")
    services.document_mark_reused(document=mine, dossier_code="H15-261128-0001")
    services.document_mark_reused(document=other, dossier_code="H15-261128-0001")
    services.document_mark_reused(document=mine, dossier_code="H15-261128-0002")

    totals = selectors.reuse_totals()

    assert totals == selectors.ReuseTotals(documents_stored=3, documents_reused=2, reuses=3, dossiers=2)
    assert selectors.reuse_totals(since=timezone.now()).reuses == 0


def test_a_removed_document_cannot_be_reused(citizen_user: User) -> None:
    document = factories.stored(citizen_user)
    services.document_delete(owner=citizen_user, document=document)

    with pytest.raises(NotFound):
        services.document_mark_reused(document=document, dossier_code="H15-261128-0001")

    assert not DocumentReuse.objects.exists()


def test_delete_hides_the_document_but_keeps_the_file(citizen_user: User, media: Path) -> None:
    document = factories.stored(citizen_user)

    services.document_delete(owner=citizen_user, document=document)

    document.refresh_from_db()
    assert document.deleted_at is not None
    assert not selectors.document_list_for(user=citizen_user).exists()
    with pytest.raises(NotFound):
        selectors.document_get_for(user=citizen_user, public_id=document.public_id)
    # A dossier submitted with it still reads it.
    with selectors.document_open(document=document) as file:
        assert file.read() == factories.pdf_bytes()
    assert len(_files(media)) == 1
    assert AuditEntry.objects.filter(
        action="documents.document.delete", actor_id=str(citizen_user.pk)
    ).exists()
    with pytest.raises(NotFound):
        services.document_delete(owner=citizen_user, document=document)


def test_nobody_else_can_delete_it_and_the_attempt_is_audited(citizen_user: User, neighbour: User) -> None:
    document = factories.stored(citizen_user)

    with pytest.raises(NotFound) as caught:
        services.document_delete(owner=neighbour, document=document)

    assert caught.value.message_en == "This document is not in your document store"
    document.refresh_from_db()
    assert document.deleted_at is None
    entry = AuditEntry.objects.get(action="documents.access_denied")
    assert entry.actor_id == str(neighbour.pk)
    assert entry.target_id == str(document.pk)
    assert entry.details == {"action": "delete", "owner": str(citizen_user.pk)}


def test_asking_for_a_missing_document_is_not_an_event(citizen_user: User) -> None:
    document = factories.stored(citizen_user)

    services.document_access_denied_record(user=citizen_user, public_id=document.public_id, action="download")
    services.document_access_denied_record(
        user=citizen_user, public_id="00000000-0000-0000-0000-000000000000", action="download"
    )
    services.document_access_denied_record(user=citizen_user, public_id="not-a-uuid", action="download")

    assert not AuditEntry.objects.filter(action="documents.access_denied").exists()

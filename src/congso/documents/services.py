"""Every change to the personal document store: keyword-only, typed, transactional, audited.

- :func:`document_upload` — a person uploads a file; its content is sniffed, never its name.
- :func:`document_store_issued` — the platform files a result or a receipt it issued.
- :func:`document_mark_reused` — a stored document is used in an application instead of a
  new upload (the Decision 766 "reuse of digitised data" indicator).
- :func:`document_delete` — the owner removes a document from the store (soft delete).
- :func:`document_access_denied_record` — someone asked for a document that is not theirs.

Files are written to storage *before* the database transaction and removed again if it fails:
on SQLite the transaction holds the database's only write lock, which a 10 MB copy must not
hold. If a caller's own outer transaction rolls back later, the file stays behind unreferenced
(harmless: nothing serves it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import structlog
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congso.catalog.choices import FILE_TYPES
from congso.core.audit import audit_record
from congso.core.errors import InvalidInput

from . import errors
from .models import DocumentKind, DocumentReuse, StoredDocument
from .sniffing import FORMAT_BY_EXTENSION, ContentInspector, Format, content_check, file_name_clean

log = structlog.get_logger(__name__)

NAME_MAX_LENGTH = 200
TITLE_MAX_LENGTH = 200
DOSSIER_CODE_MAX_LENGTH = 50


def _accepted(allowed_types: Sequence[str] | None) -> list[str]:
    if allowed_types is None:
        return list(FILE_TYPES)
    accepted = list(dict.fromkeys(type_name.strip().lower() for type_name in allowed_types))
    unknown = [type_name for type_name in accepted if type_name not in FILE_TYPES]
    if unknown or not accepted:
        raise ValueError(f"allowed_types must be some of {FILE_TYPES}, got {list(allowed_types)!r}")
    return accepted


def _expected_format(name: str, accepted: list[str]) -> tuple[Format, str]:
    """The format the name's extension promises, if that format is accepted."""
    _stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    fmt = FORMAT_BY_EXTENSION.get(extension)
    # "jpg" and "jpeg" are one format: accepting either accepts both spellings.
    if fmt is None or not any(FORMAT_BY_EXTENSION[type_name] == fmt for type_name in accepted):
        raise errors.file_type_not_accepted(name=name, accepted=accepted)
    return fmt, extension


def _clean_title(title: str, *, default: str) -> str:
    title = " ".join((title or "").split()) or " ".join(default.split())
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(
            f"Tên giấy tờ dài quá {TITLE_MAX_LENGTH} ký tự",
            f"The document title is longer than {TITLE_MAX_LENGTH} characters",
            code="title_too_long",
            field="title",
        )
    return title


def _inspect(*, uploaded_file: File, name: str, fmt: Format, limit: int) -> ContentInspector:
    """One pass over the chunks: hash, size, magic numbers, the XML check; then the verdict."""
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise errors.file_too_large(name=name, limit=limit, size=declared)
    inspector = ContentInspector(fmt)
    for chunk in uploaded_file.chunks():
        inspector.feed(chunk)
        if inspector.size > limit:
            raise errors.file_too_large(name=name, limit=limit)
    if inspector.size == 0:
        raise errors.file_empty(name=name)
    verdict = inspector.verdict(uploaded_file)
    if verdict.problem == "xml_doctype":
        raise errors.file_refused(name=name, reason_vi=verdict.reason_vi, reason_en=verdict.reason_en)
    if verdict.format is None:
        raise errors.file_content_mismatch(
            name=name,
            expected_vi=fmt.short_vi,
            expected_en=fmt.short_en,
            reason_vi=verdict.reason_vi,
            reason_en=verdict.reason_en,
        )
    return inspector


def _store(
    *,
    document: StoredDocument,
    content: File,
    actor: Any,
    action: str,
) -> StoredDocument:
    """Write the file, then the row and its audit entry in one transaction (see the module doc)."""
    document.file.save(document.original_name, content, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                actor=actor,
                action=action,
                target=document,
                details={
                    "owner": str(document.owner_id),
                    "kind": document.kind,
                    "content_type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "dossier_code": document.dossier_code,
                },
            )
    except BaseException:
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def document_upload(
    *,
    owner: Any,
    uploaded_file: File,
    title: str = "",
    allowed_types: Sequence[str] | None = None,
    max_bytes: int | None = None,
) -> StoredDocument:
    """Keep a file ``owner`` uploads in their store, once its content proves what its name says.

    The content is sniffed (:mod:`congso.documents.sniffing`); the browser's content type is
    ignored. The sniffed format must be one of ``allowed_types`` (names of
    ``congso.catalog.choices.FILE_TYPES``; default: all) and the one the file's extension
    names. The file is read once, in chunks, hashing as it goes; a file over ``max_bytes``
    (default ``settings.CONGSO_UPLOAD_MAX_BYTES``) is refused as soon as it passes the limit.
    ``title`` defaults to the file name without its extension.

    Raises :class:`~congso.core.errors.InvalidInput` on the field ``file`` (see
    :mod:`congso.documents.errors` for the codes), or on ``title`` if it is too long.
    """
    limit = settings.CONGSO_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    accepted = _accepted(allowed_types)
    name = file_name_clean(uploaded_file.name)
    if not name:
        raise errors.file_name_missing()
    if len(name) > NAME_MAX_LENGTH:
        raise errors.file_name_too_long(name=name, limit=NAME_MAX_LENGTH)
    fmt, extension = _expected_format(name, accepted)
    clean_title = _clean_title(title, default=name.rpartition(".")[0] or name)
    try:
        inspector = _inspect(uploaded_file=uploaded_file, name=name, fmt=fmt, limit=limit)
    except InvalidInput as error:
        log.info("documents.upload_refused", code=error.code, extension=extension)
        raise
    uploaded_file.seek(0)
    document = StoredDocument(
        owner=owner,
        title=clean_title,
        kind=DocumentKind.UPLOAD,
        original_name=name,
        content_type=fmt.content_type,
        extension=extension,
        size=inspector.size,
        sha256=inspector.sha256,
    )
    return _store(document=document, content=uploaded_file, actor=owner, action="documents.document.upload")


def document_store_issued(
    *,
    owner: Any,
    content: bytes,
    title: str,
    kind: str,
    content_type: str = "application/pdf",
    extension: str = "pdf",
    issuer: Any = None,
    dossier_code: str = "",
) -> StoredDocument:
    """File a document the platform issued to ``owner`` (a result, a receipt) in their store.

    ``kind`` is a :class:`~congso.documents.models.DocumentKind` other than ``upload``;
    ``issuer`` the :class:`~congso.registry.models.Agency` that issued it; ``dossier_code``
    the dossier it came from. The content is the platform's own, so a mismatch between it and
    ``extension`` (for the accepted formats) is a bug and raises ValueError.
    """
    if kind not in DocumentKind.values or kind == DocumentKind.UPLOAD:
        raise ValueError(f"kind must be one of result, receipt, other; got {kind!r}")
    if not content:
        raise ValueError("an issued document cannot be empty")
    extension = extension.strip().lower().lstrip(".")
    fmt = FORMAT_BY_EXTENSION.get(extension)
    if fmt is not None and not content_check(content=content, fmt=fmt):
        raise ValueError(f"the content is not {fmt.short_en} although the extension is .{extension}")
    title = " ".join(title.split())[:TITLE_MAX_LENGTH]
    if not title:
        raise ValueError("an issued document needs a title")
    document = StoredDocument(
        owner=owner,
        title=title,
        kind=kind,
        original_name=f"{title[: NAME_MAX_LENGTH - len(extension) - 1]}.{extension}",
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        issuer=issuer,
        dossier_code=dossier_code.strip()[:DOSSIER_CODE_MAX_LENGTH],
    )
    return _store(
        document=document, content=ContentFile(content), actor=None, action="documents.document.issue"
    )


def document_mark_reused(*, document: StoredDocument, dossier_code: str) -> None:
    """Count one use of ``document`` in the application ``dossier_code`` instead of an upload.

    Called by the dossiers domain after its own checks. Idempotent per dossier: the same
    document in the same dossier counts once, however often the application is saved (a blank
    ``dossier_code`` counts every call). ``reuse_count`` is incremented in the database
    (F()), so concurrent uses all count; ``document.reuse_count`` is refreshed afterwards.
    Raises :class:`~congso.core.errors.NotFound` if the owner has removed the document.
    """
    code = dossier_code.strip()
    if len(code) > DOSSIER_CODE_MAX_LENGTH:
        raise ValueError(f"dossier_code is limited to {DOSSIER_CODE_MAX_LENGTH} characters")
    with transaction.atomic():
        if not StoredDocument.objects.alive().filter(pk=document.pk).exists():
            raise errors.document_not_found()
        if code:
            _reuse, created = DocumentReuse.objects.get_or_create(document=document, dossier_code=code)
        else:
            DocumentReuse.objects.create(document=document, dossier_code="")
            created = True
        if created:
            StoredDocument.objects.filter(pk=document.pk).update(reuse_count=F("reuse_count") + 1)
            audit_record(
                actor=document.owner,
                action="documents.document.reuse",
                target=document,
                details={"dossier_code": code},
            )
    document.refresh_from_db(fields=["reuse_count"])


def document_delete(*, owner: Any, document: StoredDocument) -> None:
    """Remove ``document`` from ``owner``'s store (soft delete: the file stays).

    Dossiers already submitted with it keep it, so the file and the row remain; the document
    only disappears from the store. Anyone but the owner gets
    :class:`~congso.core.errors.NotFound`, the same answer as for a document that does not
    exist (so as not to tell that it does), and the attempt is audited as
    ``documents.access_denied``. Removing an already removed document is NotFound too.
    """
    if owner is None or document.owner_id != getattr(owner, "pk", None):
        document_access_denied_record(user=owner, public_id=document.public_id, action="delete")
        raise errors.document_not_found()
    with transaction.atomic():
        now = timezone.now()
        updated = StoredDocument.objects.alive().filter(pk=document.pk).update(deleted_at=now)
        if not updated:
            raise errors.document_not_found()
        document.deleted_at = now
        audit_record(actor=owner, action="documents.document.delete", target=document)


def document_access_denied_record(*, user: Any, public_id: UUID | str, action: str) -> None:
    """Audit ``user`` asking for ``action`` ("download", "delete"...) on someone else's document.

    Recorded only when the document exists and belongs to someone else (a mistyped address
    is not an event), in its own transaction: the refusal that follows must not roll it back.
    """
    try:
        public_uuid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        return
    document = StoredDocument.objects.filter(public_id=public_uuid).only("pk", "owner_id").first()
    if document is None or (user is not None and document.owner_id == getattr(user, "pk", None)):
        return
    with transaction.atomic():
        audit_record(
            actor=user,
            action="documents.access_denied",
            target=document,
            details={"action": action, "owner": str(document.owner_id)},
        )
    log.warning("documents.access_denied", action=action, document=str(public_uuid))

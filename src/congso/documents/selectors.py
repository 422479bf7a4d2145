"""Reads of the personal document store.

- :func:`document_list_for` and :func:`document_get_for`: a person's own store, through
  ``StoredDocument.objects.visible_to``.
- :func:`document_type_allowed`: whether a stored document is of a type a procedure accepts.
- :func:`document_open`: the file itself, for another domain that has made its own
  permission check (an officer reading a dossier's documents).
- :func:`reuse_totals`: how much stored data is reused (Decision 766, vietnam.md section 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.files import File
from django.db.models import Count, Q, QuerySet

from . import errors
from .models import DocumentKind, DocumentReuse, StoredDocument
from .sniffing import FORMAT_BY_EXTENSION


def document_list_for(*, user: Any, kinds: Iterable[str] | None = None) -> QuerySet[StoredDocument]:
    """``user``'s store, newest first, with the issuing agency; only ``kinds`` if given."""
    documents = (
        StoredDocument.objects.visible_to(user).select_related("issuer").order_by("-created_at", "-id")
    )
    if kinds is not None:
        wanted = list(kinds)
        unknown = [kind for kind in wanted if kind not in DocumentKind.values]
        if unknown:
            raise ValueError(f"unknown document kinds {unknown!r}; use some of {DocumentKind.values}")
        documents = documents.filter(kind__in=wanted)
    return documents


def document_get_for(*, user: Any, public_id: UUID | str) -> StoredDocument:
    """One document of ``user``'s store.

    Raises :class:`~congso.core.errors.NotFound`, the same for another person's document, a
    removed one and a malformed or unknown id, so the answer tells nothing about others.
    """
    try:
        public_uuid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        raise errors.document_not_found() from None
    document = document_list_for(user=user).filter(public_id=public_uuid).first()
    if document is None:
        raise errors.document_not_found()
    return document


def document_type_allowed(*, document: StoredDocument, allowed_types: Sequence[str] | None) -> bool:
    """Whether ``document`` is of one of ``allowed_types`` (``FILE_TYPES`` names; None or empty:
    any), as :func:`~congso.documents.services.document_upload` would judge it: "jpg" and
    "jpeg" are one format, so a stored "anh.jpeg" suits an item that asks for "jpg"."""
    if not allowed_types:
        return True
    fmt = FORMAT_BY_EXTENSION.get(document.extension.lower())
    return fmt is not None and any(
        FORMAT_BY_EXTENSION.get(type_name.strip().lower()) == fmt for type_name in allowed_types
    )


def document_open(*, document: StoredDocument) -> File:
    """The stored file, open for reading in binary; the caller closes it.

    No permission check here: the owner's pages go through :func:`document_get_for` first,
    and another domain (an officer through a dossier) checks its own rules before calling.
    A removed document still opens: dossiers submitted with it keep it.
    """
    name = document.file.name
    if not name:
        raise errors.document_not_found()
    return document.file.storage.open(name, "rb")


@dataclass(frozen=True)
class ReuseTotals:
    """Counts behind the "reuse of digitised data" indicator."""

    documents_stored: int  # documents in people's stores now (not removed)
    documents_reused: int  # documents used at least once in an application
    reuses: int  # uses in all
    dossiers: int  # distinct dossiers that reused at least one stored document


def reuse_totals(*, since: datetime | None = None, until: datetime | None = None) -> ReuseTotals:
    """Reuse counts, over the uses made in ``[since, until)`` when given (all time otherwise).

    ``documents_stored`` is the store's size now, whatever the period.
    """
    uses = DocumentReuse.objects.all()
    if since is not None:
        uses = uses.filter(at__gte=since)
    if until is not None:
        uses = uses.filter(at__lt=until)
    counts = uses.aggregate(
        reuses=Count("id"),
        documents=Count("document", distinct=True),
        dossiers=Count("dossier_code", distinct=True, filter=~Q(dossier_code="")),
    )
    return ReuseTotals(
        documents_stored=StoredDocument.objects.alive().count(),
        documents_reused=counts["documents"],
        reuses=counts["reuses"],
        dossiers=counts["dossiers"],
    )

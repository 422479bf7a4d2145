"""Reads the JSON API needs beside :mod:`congso.dossiers.selectors`: pages, references, actions.

Small lookups that turn what a client sends (a personal ID, an agency code, a page number)
into the objects the services take, each refusing with a 422 on the field it came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from congso.core.errors import InvalidInput
from congso.registry.models import Agency

from . import selectors
from .models import Dossier

PAGE_SIZE = 20
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class Page:
    count: int
    page: int
    page_size: int
    pages: int
    results: list[Any]


def page_of(queryset: QuerySet[Any], *, page: int, page_size: int) -> Page:
    """One page of ``queryset`` with the total; a page past the end is empty, not an error."""
    count = queryset.count()
    start = (page - 1) * page_size
    results = list(queryset[start : start + page_size]) if start < count else []
    return Page(
        count=count,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(count / page_size)),
        results=results,
    )


def account_get(*, pk: int) -> Any:
    """The whole account behind a bearer token (the token check loads only a few columns)."""
    return get_user_model().objects.select_related("citizen").get(pk=pk)


def assignee_for(*, dossier: Dossier, personal_id: str | None) -> Any:
    """The officer of the dossier's agency with this personal ID, or 422 on ``assignee``."""
    personal_id = (personal_id or "").strip()
    if not personal_id:
        raise InvalidInput(
            "Hãy chọn cán bộ nhận xử lý (số định danh).",
            "Choose the officer who takes the dossier (personal ID).",
            field="assignee",
        )
    for user, _roles in selectors.officers_of(agency=dossier.agency):
        if user.get_username() == personal_id:
            return user
    raise InvalidInput(
        f"Không có cán bộ xử lý hồ sơ có số định danh {personal_id} tại {dossier.agency.name}.",
        f"No officer with personal ID {personal_id} processes dossiers at {dossier.agency.name}.",
        field="assignee",
    )


def unit_for(*, code: str | None) -> Agency | None:
    """The processing unit named by its agency code (None when not given), or 422 on ``unit``.

    Whether the unit belongs to the dossier's agency is checked by the service.
    """
    code = (code or "").strip()
    if not code:
        return None
    unit = Agency.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(f"Không có đơn vị mã {code}.", f"No unit has the code {code}.", field="unit")
    return unit

"""Reads of the procedure catalog: public search, one procedure, its form.

The dossiers domain uses :func:`procedure_get`, :func:`procedure_form_fields` and
:func:`procedure_form_validate`; the public pages and the API use :func:`procedure_search_page`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from congso.core.errors import InvalidInput, NotFound
from congso.registry.choices import AgencyKind

from .choices import OnlineLevel, ProcedureLevel
from .formschema import PREFILL_SOURCES, FieldError, PrefillSource, form_errors
from .interchange import file_build
from .models import FeeItem, Procedure, ProcedureField, RequiredDocument
from .text import search_words

PAGE_SIZE = 20
PAGE_SIZE_MAX = 100
QUERY_MAX_LENGTH = 200
# More words than this add nothing but cost: every word is one more LIKE over the catalog.
QUERY_MAX_WORDS = 12


def _choice(value: str, allowed: Iterable[str], *, field: str, name_vi: str, name_en: str) -> str:
    value = (value or "").strip()
    allowed = list(allowed)
    if value and value not in allowed:
        raise InvalidInput(
            f"{name_vi} '{value}' không hợp lệ; dùng một trong: {', '.join(allowed)}",
            f"Invalid {name_en} '{value}'; use one of: {', '.join(allowed)}",
            code="invalid_filter",
            field=field,
        )
    return value


def _positive(value: int | str | None, *, field: str, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= maximum:
        raise InvalidInput(
            f"'{field}' phải là số nguyên từ 1 đến {maximum}",
            f"'{field}' must be a whole number from 1 to {maximum}",
            code="invalid_filter",
            field=field,
        )
    return number


def _base(*, published_only: bool) -> QuerySet[Procedure]:
    procedures = Procedure.objects.all()
    return procedures.published() if published_only else procedures


def procedure_get(*, code: str, published_only: bool = True) -> Procedure:
    """One procedure with its field, agencies, documents and fees; NotFound if there is none."""
    procedure = (
        _base(published_only=published_only)
        .select_related("field")
        .prefetch_related(
            "agencies",
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("order", "id")),
            Prefetch("fees", queryset=FeeItem.objects.order_by("order", "id")),
        )
        .filter(code=(code or "").strip())
        .first()
    )
    if procedure is None:
        raise NotFound(
            f"Không có thủ tục mã {code}",
            f"No procedure with code {code}",
            code="procedure_not_found",
            field="code",
        )
    return procedure


def procedure_search(
    *,
    query: str = "",
    level: str = "",
    field: str = "",
    online_level: str = "",
    agency_kind: str = "",
    agency: str = "",
    published_only: bool = True,
) -> QuerySet[Procedure]:
    """Procedures matching every word of ``query``, without regard to diacritics or case.

    "dang ky khai sinh", "ĐĂNG KÝ" and "khai sinh đăng ký" all find "Đăng ký khai sinh".
    Procedures whose *name* has every word come first. Filters are exact values (raise
    InvalidInput for unknown ones): ``level`` and ``online_level`` choice values, ``field`` a
    field's code, ``agency_kind`` an agency kind, ``agency`` an implementing agency's code.
    """
    if len(query or "") > QUERY_MAX_LENGTH:
        raise InvalidInput(
            f"Từ khóa tìm kiếm dài quá {QUERY_MAX_LENGTH} ký tự",
            f"The search text is longer than {QUERY_MAX_LENGTH} characters",
            code="invalid_filter",
            field="q",
        )
    level = _choice(level, ProcedureLevel.values, field="level", name_vi="Cấp thực hiện", name_en="level")
    online_level = _choice(
        online_level,
        OnlineLevel.values,
        field="online_level",
        name_vi="Mức độ trực tuyến",
        name_en="online level",
    )
    agency_kind = _choice(
        agency_kind, AgencyKind.values, field="agency_kind", name_vi="Loại cơ quan", name_en="agency kind"
    )
    field = (field or "").strip()
    if field and not ProcedureField.objects.filter(code=field).exists():
        raise InvalidInput(
            f"Không có lĩnh vực mã '{field}'; xem danh sách lĩnh vực",
            f"No field with code '{field}'; see the list of fields",
            code="invalid_filter",
            field="field",
        )

    procedures = _base(published_only=published_only)
    filters = {"level": level, "field__code": field, "online_level": online_level, "agency_kind": agency_kind}
    procedures = procedures.filter(**{key: value for key, value in filters.items() if value})
    if agency.strip():
        procedures = procedures.filter(agencies__code=agency.strip())
    words = search_words(query)[:QUERY_MAX_WORDS]
    for word in words:
        # The columns are normalised and space-padded: " word" matches the start of a word,
        # so "sinh" finds "khai sinh" but "an" does not find "toàn". icontains rather than
        # contains only so that both databases compare the same way.
        procedures = procedures.filter(search_text__icontains=f" {word}")
    if words:
        in_name = Q()
        for word in words:
            in_name &= Q(search_name__icontains=f" {word}")
        procedures = procedures.annotate(rank=Case(When(in_name, then=Value(0)), default=Value(1)))
        order: list[Any] = ["rank", Lower("name"), "code"]
    else:
        order = [Lower("name"), "code"]
    return (
        procedures.select_related("field")
        .annotate(has_fees=Exists(FeeItem.objects.filter(procedure=OuterRef("pk"))))
        .order_by(*order)
    )


@dataclass(frozen=True)
class ProcedurePage:
    """One page of search results."""

    results: list[Procedure]
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def procedure_search_page(
    *,
    page: int | str | None = 1,
    page_size: int | str | None = PAGE_SIZE,
    **filters: Any,
) -> ProcedurePage:
    """A page of :func:`procedure_search` (keyword filters as there); a page past the end is empty."""
    number = _positive(page, field="page", default=1, maximum=100_000)
    size = _positive(page_size, field="page_size", default=PAGE_SIZE, maximum=PAGE_SIZE_MAX)
    procedures = procedure_search(**filters)
    count = procedures.count()
    start = (number - 1) * size
    results = list(procedures[start : start + size]) if start < count else []
    return ProcedurePage(results=results, count=count, page=number, page_size=size)


def field_list(*, published_only: bool = True) -> QuerySet[ProcedureField]:
    """Fields that have (published) procedures, for search filters."""
    fields = ProcedureField.objects.all()
    if published_only:
        fields = fields.filter(procedures__published=True).distinct()
    return fields.order_by("name")


# --- The application form ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FormField:
    """One question of a procedure's form, in the order of its UI hints."""

    name: str
    title: str
    title_en: str
    required: bool
    widget: str
    prefill: PrefillSource | None
    readonly: bool
    schema: dict[str, Any]


def procedure_form_fields(*, procedure: Procedure) -> list[FormField]:
    """The form's questions in display order (UI ``order`` first, then the schema's order)."""
    schema = procedure.form_schema or {}
    ui = procedure.form_ui or {}
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    hints: dict[str, Any] = ui.get("fields", {})
    order = [name for name in ui.get("order", []) if name in properties]
    order += [name for name in properties if name not in order]
    fields = []
    for name in order:
        prop = properties[name] if isinstance(properties[name], dict) else {}
        hint = hints.get(name, {})
        title = str(prop.get("title") or name)
        fields.append(
            FormField(
                name=name,
                title=title,
                title_en=str(hint.get("label_en") or title),
                required=name in required,
                widget=str(hint.get("widget") or "text"),
                prefill=PREFILL_SOURCES.get(hint.get("prefill", "")),
                readonly=bool(hint.get("readonly", False)),
                schema=prop,
            )
        )
    return fields


def procedure_form_validate(*, procedure: Procedure, data: Any) -> dict[str, FieldError]:
    """Why the answers ``data`` do not fit the procedure's form, one message per field.

    Empty when the answers are acceptable. Keys are field names (dotted when nested) and
    ``"__all__"`` for the form as a whole; each message is in Vietnamese and English.
    """
    return form_errors(procedure.form_schema, procedure.form_ui or {}, data)


# --- Export --------------------------------------------------------------------------------------------
def procedure_export(*, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The interchange file (interchange.py) of the given procedures, or all, published or not."""
    procedures = (
        Procedure.objects.select_related("field")
        .prefetch_related(
            "agencies",
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("order", "id")),
            Prefetch("fees", queryset=FeeItem.objects.order_by("order", "id")),
        )
        .order_by("code")
    )
    if codes is not None:
        procedures = procedures.filter(code__in=list(codes))
    return file_build(procedures, exported_at=timezone.now().isoformat())

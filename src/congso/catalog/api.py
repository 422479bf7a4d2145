"""JSON API of the procedure catalog, mounted at /api/v1/catalog/ (public, read-only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from congso.core.errors import DomainError
from congso.registry.choices import AgencyKind

from .choices import OnlineLevel, ProcedureLevel
from .schemas import ErrorOut, ProcedureOut, ProcedurePageOut
from .selectors import PAGE_SIZE, PAGE_SIZE_MAX, QUERY_MAX_LENGTH, procedure_get, procedure_search_page

router = Router(tags=["catalog"])


def _documented(param: Any, **schema: Any) -> Any:
    """A query parameter whose OpenAPI schema says more than its type (ninja's Query has no hook).

    The values stay plain strings so that a wrong one reaches the selector, which refuses it
    with the same bilingual 422 as every other refusal.
    """
    param.json_schema_extra = {**(param.json_schema_extra or {}), **schema}
    return param


@router.get(
    "/procedures",
    response={200: ProcedurePageOut, 422: ErrorOut},
    url_name="procedure_list",
    summary="Tìm thủ tục hành chính (search administrative procedures)",
)
def procedure_list(
    request: HttpRequest,
    q: str = Query(
        "",
        description="Từ khóa, không phân biệt dấu và hoa thường; mọi từ phải khớp "
        f"(words to find, diacritics and case ignored; all must match; at most {QUERY_MAX_LENGTH} characters)",
    ),
    level: str = _documented(Query("", description="Cấp thực hiện (level)"), enum=ProcedureLevel.values),
    field: str = Query("", description="Mã lĩnh vực, ví dụ ho-tich (the field's code)"),
    online_level: str = _documented(
        Query("", description="Mức độ trực tuyến (online level)"), enum=OnlineLevel.values
    ),
    agency_kind: str = _documented(
        Query("", description="Ngành của cơ quan thực hiện"), enum=AgencyKind.values
    ),
    agency: str = Query("", description="Mã cơ quan thực hiện cụ thể (an implementing agency's code)"),
    page: str = _documented(Query("1", description="Trang (page, from 1)"), type="integer", minimum=1),
    page_size: str = _documented(
        Query(str(PAGE_SIZE), description=f"Số kết quả mỗi trang (results per page, 1-{PAGE_SIZE_MAX})"),
        type="integer",
        minimum=1,
        maximum=PAGE_SIZE_MAX,
    ),
) -> Status[object]:
    """Published procedures matching every word of ``q``, name matches first.

    422 with the offending parameter in ``field`` when a filter has an unknown value.
    """
    try:
        result = procedure_search_page(
            query=q,
            level=level,
            field=field,
            online_level=online_level,
            agency_kind=agency_kind,
            agency=agency,
            page=page,
            page_size=page_size,
        )
    except DomainError as error:
        return Status(error.status, error.as_dict())
    return Status(
        200,
        {
            "count": result.count,
            "page": result.page,
            "page_size": result.page_size,
            "pages": result.pages,
            "results": result.results,
        },
    )


@router.get(
    "/procedures/{code}",
    response={200: ProcedureOut, 404: ErrorOut},
    url_name="procedure_detail",
    summary="Một thủ tục hành chính (one administrative procedure)",
)
def procedure_detail(request: HttpRequest, code: str) -> Status[object]:
    """Everything needed to apply: documents (``state_holds`` when a base registry supplies
    one), fees in đồng, time in working days, the form as JSON Schema with UI hints."""
    try:
        return Status(200, procedure_get(code=code))
    except DomainError as error:
        return Status(error.status, error.as_dict())

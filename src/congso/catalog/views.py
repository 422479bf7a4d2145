"""Public pages of the catalog: search (/thu-tuc/) and one procedure (/thu-tuc/<code>/).

Both work without JavaScript: the search is a GET form, filters are plain selects.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, get_script_prefix, resolve
from django.views.decorators.http import require_GET

from congso.core.errors import InvalidInput, NotFound

from .choices import OnlineLevel, ProcedureLevel
from .selectors import field_list, procedure_form_fields, procedure_get, procedure_search_page

# Query-string names of the search form: /thu-tuc/?q=khai+sinh&cap=commune&linh_vuc=ho-tich
PARAMETERS = {"query": "q", "level": "cap", "field": "linh_vuc", "online_level": "muc_do", "page": "trang"}
# Owned by the dossiers domain; the page links to it once a view answers there.
APPLY_PATH = "/thu-tuc/{code}/nop-ho-so/"


@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    values = {key: request.GET.get(name, "")[:200] for key, name in PARAMETERS.items()}
    context: dict[str, object] = {
        "values": values,
        "parameters": PARAMETERS,
        "fields": field_list(),
        "levels": ProcedureLevel.choices,
        "online_levels": OnlineLevel.choices,
        "searched": any(values[key] for key in ("query", "level", "field", "online_level")),
    }
    status = 200
    try:
        context["result"] = procedure_search_page(
            query=values["query"],
            level=values["level"],
            field=values["field"],
            online_level=values["online_level"],
            page=values["page"] or 1,
        )
    except InvalidInput as error:
        context["error"] = error
        # The id of the input at fault, for the error summary's link ("q" is the query box).
        context["error_input"] = {"q": "query"}.get(error.field or "", error.field or "")
        status = error.status
    return render(request, "catalog/procedure_list.html", context, status=status)


def _routed(path: str) -> str | None:
    try:
        resolve(path)
    except Resolver404:
        return None
    return get_script_prefix() + path.lstrip("/")


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = procedure_get(code=code)
    except NotFound:
        raise Http404(code) from None
    fees = list(procedure.fees.all())
    context = {
        "procedure": procedure,
        "documents": list(procedure.documents.all()),
        "fees": fees,
        "form_fields": procedure_form_fields(procedure=procedure),
        "apply_url": _routed(APPLY_PATH.format(code=procedure.code)),
    }
    return render(request, "catalog/procedure_detail.html", context)

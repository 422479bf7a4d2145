"""HTML pages of the registry (thin: parse, call a selector, render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congso.core.errors import DomainError

from .selectors import organisation_public_get

# The form field's name, in the query string: /tra-cuu/doanh-nghiep/?ma_so=0101234567
CODE_PARAMETER = "ma_so"


@require_GET
def organisation_lookup(request: HttpRequest) -> HttpResponse:
    """Public lookup of an enterprise by its code; works without JavaScript (a GET form)."""
    code = request.GET.get(CODE_PARAMETER, "")[:100]
    context: dict[str, object] = {"code": code, "parameter": CODE_PARAMETER}
    status = 200
    if code.strip():
        try:
            context["organisation"] = organisation_public_get(code=code)
        except DomainError as error:
            context["error"] = error
            status = error.status
    return render(request, "registry/organisation_lookup.html", context, status=status)

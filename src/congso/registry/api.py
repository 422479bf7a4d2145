"""JSON API of the registry, mounted at /api/v1/registry/."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from congso.core.errors import DomainError

from .schemas import ErrorOut, OrganisationPublicOut
from .selectors import organisation_public_get

router = Router(tags=["registry"])


@router.get(
    "/organisations/{code}",
    response={200: OrganisationPublicOut, 404: ErrorOut, 422: ErrorOut},
    url_name="organisation_public",
    summary="Tra cứu doanh nghiệp theo mã số (public enterprise lookup)",
)
def organisation_public(request: HttpRequest, code: str) -> Status[object]:
    """The public record of the enterprise with this code (10 digits, or 10-3 for a branch).

    422 when the code is malformed, 404 when no enterprise has it.
    """
    try:
        return Status(200, organisation_public_get(code=code))
    except DomainError as error:
        return Status(error.status, error.as_dict())

"""The JSON API, version 1, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Each domain contributes a router from its own ``api.py``.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from congso.core.errors import DomainError
from congso.identity.oidc.api import bearer_error_response
from congso.identity.oidc.errors import BearerTokenError

api = NinjaAPI(
    title="Cổng Số API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="API của Cổng Số — the Cổng Số digital-government platform API.",
)
api.add_router("/registry/", "congso.registry.api.router")
api.add_router("/catalog/", "congso.catalog.api.router")
api.add_router("/me", "congso.identity.oidc.api.router")
api.add_router("", "congso.dossiers.api.router")


def _field_message(value: Any) -> dict[str, Any]:
    if hasattr(value, "message_vi"):
        return {"message": value.message, "message_vi": value.message_vi, "message_en": value.message_en}
    return {"message": str(value)}


def domain_error_response(request: HttpRequest, error: DomainError | type[DomainError]) -> HttpResponse:
    """Every refusal as ``{code, message, message_vi, message_en, field}`` with its status;
    ``errors`` (one message per field) and ``services`` when the refusal carries them."""
    if isinstance(error, type):  # raised as a class, without its messages
        error = error("Yêu cầu bị từ chối.", "The request was refused.")
    body: dict[str, Any] = error.as_dict()
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        body["errors"] = {str(name): _field_message(value) for name, value in errors.items()}
    services = getattr(error, "services", None)
    if isinstance(services, list):
        body["services"] = services
    return api.create_response(request, body, status=error.status)


def validation_error_response(
    request: HttpRequest, error: ValidationError | type[ValidationError]
) -> HttpResponse:
    """A request that does not fit its schema: 422 in the same shape, one message per field.

    ``detail`` keeps django-ninja's own list for clients that read it.
    """
    items = error.errors if isinstance(error, ValidationError) else []
    fields: dict[str, dict[str, Any]] = {}
    for item in items:
        location = [str(part) for part in item.get("loc", ())]
        # ("body", "payload", "score") -> "score"; ("query", "page") -> "page"
        path = location[2:] if location[:1] == ["body"] and len(location) > 2 else location[1:]
        name = ".".join(path) or "__all__"
        fields.setdefault(
            name,
            {
                "message": f"Giá trị không hợp lệ ({item.get('msg', 'invalid')})",
                "message_vi": "Thiếu hoặc sai giá trị" if item.get("type") != "missing" else "Thiếu giá trị",
                "message_en": str(item.get("msg", "Invalid value")),
            },
        )
    body = {
        "code": "invalid_request",
        "message": "Yêu cầu không hợp lệ: xem từng trường (the request is not valid: see each field).",
        "message_vi": "Yêu cầu không hợp lệ: xem từng trường.",
        "message_en": "The request is not valid: see each field.",
        "field": next(iter(fields), None),
        "errors": fields,
        "detail": items,
    }
    return api.create_response(request, body, status=422)


api.add_exception_handler(DomainError, domain_error_response)
api.add_exception_handler(ValidationError, validation_error_response)
# Bearer-token failures: 401/403 with a clear message and a WWW-Authenticate challenge.
api.add_exception_handler(BearerTokenError, bearer_error_response)

"""The JSON API, version 1, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Each domain contributes a router from its own ``api.py``.
"""

from ninja import NinjaAPI

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
# Bearer-token failures of /me: 401/403 with a clear message and a WWW-Authenticate challenge.
api.add_exception_handler(BearerTokenError, bearer_error_response)

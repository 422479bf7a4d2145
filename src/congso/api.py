"""The JSON API, version 1, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Each domain contributes a router from its own ``api.py``.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Cổng Số API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="API của Cổng Số — the Cổng Số digital-government platform API.",
)
api.add_router("/registry/", "congso.registry.api.router")

"""The lean entry point for gateway nodes: /r1/ without the site's middleware, the rest as usual."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.urls import Resolver404, get_resolver

from congso.exchange.models import MessageLogEntry
from congso.exchange.wsgi import Dispatcher, GatewayHandler

from .conftest import World


class _LeanClientHandler(ClientHandler):
    load_middleware = GatewayHandler.load_middleware
    resolve_request = GatewayHandler.resolve_request


def test_the_gateway_works_without_middleware(world: World, consumer_token: str) -> None:
    lean = Client()
    lean.handler = _LeanClientHandler()

    response = lean.get(
        world.service_path(rest="/status/200"),
        HTTP_AUTHORIZATION=f"Bearer {consumer_token}",
        HTTP_X_ROAD_CLIENT=world.consumer.client_id,
    )

    assert response.status_code == 200
    assert MessageLogEntry.objects.filter(message_id=response["X-Road-Id"]).exists()
    assert "X-Frame-Options" not in response  # no middleware ran
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_the_dispatcher_sends_only_r1_to_the_lean_handler() -> None:
    calls: list[str] = []
    dispatcher = Dispatcher.__new__(Dispatcher)
    dispatcher.site = lambda environ, start: calls.append("site") or []  # type: ignore[method-assign]
    dispatcher.gateway = lambda environ, start: calls.append("gateway") or []  # type: ignore[method-assign]

    for path in ("/r1/VN/GOV/X/Y/z", "/tai-khoan/", "/r1", "/listClients"):
        dispatcher({"PATH_INFO": path}, lambda *args: None)

    assert calls == ["gateway", "site", "site", "site"]


def test_the_site_keeps_its_middleware(client: Client, world: World) -> None:
    response: Any = client.get("/listClients")

    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/r1/VN/GOV/000.00.00.G10/THUE/tax-status",
        "/r1/VN/GOV/000.00.00.G10/THUE/tax-status/status/200",
        "/r1/VN/GOV/000.00.00.G10/THUE/listMethods",
    ],
)
def test_the_lean_handler_resolves_the_gateway_as_the_site_does(path: str) -> None:
    lean = GatewayHandler().resolve_request(RequestFactory().get(path))
    site = get_resolver().resolve(path)

    assert lean.view_name == site.view_name == "exchange:gateway"
    assert (lean.func, lean.args, lean.kwargs) == (site.func, site.args, site.kwargs)


def test_the_lean_handler_leaves_other_paths_to_the_site() -> None:
    handler = GatewayHandler()

    assert handler.resolve_request(RequestFactory().get("/listClients")).view_name == "exchange:list_clients"
    with pytest.raises(Resolver404):
        handler.resolve_request(RequestFactory().get("/r1/VN/GOV"))

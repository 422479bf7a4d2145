# ruff: noqa: S310 - every URL here is the loopback test server
"""End to end over real sockets: an agency system gets a token and calls another agency's
system through the gateway of a running server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from congso.exchange.messagelog import log_verify
from congso.exchange.models import MessageLogEntry

from .conftest import World
from .support import FakeProvider, assertion, token_form


def _open(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_token_then_gateway_then_provider(live_server: Any, world: World, provider: FakeProvider) -> None:
    token_url = f"{live_server.url}/exchange/oauth/token"
    form = token_form(
        assertion(client_id=world.consumer.client_id, key=world.consumer_key, audience=token_url)
    )
    status, _, body = _open(
        urllib.request.Request(token_url, data=urllib.parse.urlencode(form).encode(), method="POST")
    )
    assert status == 200, body
    token = json.loads(body)["access_token"]

    call = urllib.request.Request(
        f"{live_server.url}/r1/{world.service.service_id}/echo",
        data=b'{"nam": 2026}',
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "X-Road-Client": world.consumer.client_id,
            "Content-Type": "application/json",
        },
    )
    status, headers, body = _open(call)

    assert status == 200
    assert json.loads(body)["body"] == '{"nam": 2026}'
    assert provider.requests[0].headers["X-Road-Id"] == headers["X-Road-Id"]
    entry = MessageLogEntry.objects.get(message_id=headers["X-Road-Id"])
    assert (entry.transport, entry.status) == ("http", 200)
    assert log_verify().ok

    refused = urllib.request.Request(
        f"{live_server.url}/r1/{world.service.service_id}/echo",
        headers={"Authorization": f"Bearer {token}", "X-Road-Client": world.outsider.client_id},
    )
    status, headers, body = _open(refused)
    assert status == 403
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "client_mismatch"
    assert len(provider.requests) == 1

"""Fixtures of the notify tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from .support import DEV_PHONE, HTTP_GATEWAY, IMMEDIATE_TASKS, FakeGateway, GatewayHandler, GatewayServer


@pytest.fixture
def dev_phone(settings: Any) -> Any:
    """SMS go to the development phone, and its pages are on (demo mode)."""
    settings.CONGSO_SMS_BACKEND = DEV_PHONE
    settings.DEMO_MODE = True
    return settings


@pytest.fixture
def immediate_tasks(settings: Any) -> Any:
    """Tasks run as soon as they are enqueued (the worker function, synchronously)."""
    settings.TASKS = IMMEDIATE_TASKS
    return settings


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeGateway]:
    """A real HTTP SMS gateway on 127.0.0.1, configured as the SMS backend."""
    fake = FakeGateway()
    server = GatewayServer(("127.0.0.1", 0), GatewayHandler)
    server.gateway = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CONGSO_SMS_BACKEND = HTTP_GATEWAY
    settings.CONGSO_SMS_GATEWAY_URL = fake.url
    settings.CONGSO_SMS_GATEWAY_TOKEN = "bi-mat-cua-cong"
    settings.CONGSO_SMS_GATEWAY_TIMEOUT = 0.5
    settings.CONGSO_SMS_SENDER = "CONGSO"
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

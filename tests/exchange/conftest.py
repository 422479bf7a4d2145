"""Fixtures of the exchange tests."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.cache import cache
from django.test import Client
from jwcrypto import jwk

from congso.exchange import metrics, services
from congso.exchange.gateway import exchange_cache_clear
from congso.exchange.models import Purpose, Service, Subsystem

from . import factories
from .support import FakeProvider, assertion, client_key, start_provider, token_form

# One fixed gateway key for the whole run: the test processes share a data directory.
_GATEWAY_KEY = base64.b64encode(
    Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
).decode()


@pytest.fixture(autouse=True)
def _exchange_settings(settings: Any) -> Iterator[None]:
    settings.CONGSO_EXCHANGE_SIGNING_KEY = _GATEWAY_KEY
    settings.CONGSO_EXCHANGE_INSTANCE = "VN"
    # Primary keys come back after a rollback: forget what the last test cached.
    exchange_cache_clear()
    cache.clear()
    metrics.metrics_reset()
    yield
    exchange_cache_clear()
    metrics.metrics_reset()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake, server, thread = start_provider()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class World:
    consumer: Subsystem
    consumer_key: jwk.JWK
    outsider: Subsystem
    outsider_key: jwk.JWK
    provider_system: Subsystem
    service: Service
    personal_service: Service
    purpose: Purpose

    def service_path(self, service: Service | None = None, rest: str = "") -> str:
        return f"/r1/{(service or self.service).service_id}{rest}"


@pytest.fixture
def world(db: None, provider: FakeProvider) -> World:
    """A commune's one-stop-shop system with a right to a tax department's two services."""
    consumer_key, outsider_key = client_key("EC"), client_key("RSA")
    commune = factories.member(code="000.00.21.H15", name="UBND phường Hoàn Kiếm")
    tax = factories.member(code="000.00.00.G10", name="Cục Thuế")
    consumer = factories.subsystem(
        owner=commune, code="HOSO", name="Hệ thống một cửa điện tử", key=consumer_key
    )
    outsider = factories.subsystem(owner=commune, code="KHAC", name="Hệ thống khác", key=outsider_key)
    provider_system = factories.subsystem(owner=tax, code="THUE", name="Hệ thống quản lý thuế")
    purpose = factories.purpose()
    service = factories.external_service(provider=provider_system, base_url=provider.url, read_timeout=2.0)
    personal_service = factories.external_service(
        provider=provider_system,
        base_url=provider.url,
        code="income",
        personal_data=True,
        purposes=(purpose,),
    )
    services.access_right_grant(client=consumer, service=service)
    services.access_right_grant(client=consumer, service=personal_service)
    return World(
        consumer=consumer,
        consumer_key=consumer_key,
        outsider=outsider,
        outsider_key=outsider_key,
        provider_system=provider_system,
        service=service,
        personal_service=personal_service,
        purpose=purpose,
    )


def get_token(client: Client, *, client_id: str, key: jwk.JWK) -> str:
    response = client.post("/exchange/oauth/token", token_form(assertion(client_id=client_id, key=key)))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


@pytest.fixture
def consumer_token(client: Client, world: World) -> str:
    return get_token(client, client_id=world.consumer.client_id, key=world.consumer_key)


@pytest.fixture
def call(client: Client, world: World, consumer_token: str) -> Any:
    """GET/POST through the gateway as the consumer, with its token and client header."""

    def do(
        path: str,
        *,
        method: str = "get",
        token: str | None = None,
        client_header: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token or consumer_token}"}
        extra["HTTP_X_ROAD_CLIENT"] = world.consumer.client_id if client_header is None else client_header
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        return getattr(client, method)(path, **kwargs, **extra)

    return do


@dataclass
class Registries:
    data: dict[str, Any]
    portal: Subsystem
    officer_system: Subsystem

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def registries(db: None) -> Registries:
    """The base registries published by exchange_demo_setup, and a ward's one-stop system."""
    from congso.exchange.demo import exchange_demo_setup
    from congso.exchange.models import Member

    data = factories.registries()
    exchange_demo_setup()
    ward_member = Member.objects.get(code="H15.50")
    officer_system = factories.subsystem(
        owner=ward_member, code="MOTCUA", name="Hệ thống một cửa điện tử phường"
    )
    portal = Subsystem.objects.get(code="PORTAL")
    return Registries(data=data, portal=portal, officer_system=officer_system)

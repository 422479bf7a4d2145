"""How the gateway reaches a provider: an in-project adapter, or an external system over HTTP.

Adapters are functions registered by name (``registry.citizen`` ...) that take a
:class:`ProviderRequest` and return a :class:`ProviderResponse`; the registry's adapters live
in :mod:`congso.exchange.registry_adapters`, the only module of the exchange allowed to read
the base registries. External providers are called with ``http.client`` on keep-alive
connections kept per thread, with separate connect and read timeouts.
"""

from __future__ import annotations

import http.client
import importlib
import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Modules whose import registers adapters; imported on first lookup.
ADAPTER_MODULES: tuple[str, ...] = ("congso.exchange.registry_adapters",)


@dataclass
class ProviderRequest:
    method: str
    path: str
    query: str
    body: bytes
    content_type: str
    data_subject: str
    purpose: str
    client_id: str
    service_id: str
    message_id: str
    correlation_id: str
    headers: dict[str, str] = field(default_factory=dict)

    def query_params(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.query))


@dataclass
class ProviderResponse:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class ProviderUnavailable(Exception):
    """The provider could not be reached (refused, reset, name unknown, connect timeout)."""


class ProviderTimeout(Exception):
    """The provider did not answer within the read timeout."""


class ProviderTooLarge(Exception):
    """The provider's answer is larger than ``CONGSO_EXCHANGE_MAX_RESPONSE_BYTES``."""


Adapter = Callable[[ProviderRequest], ProviderResponse]
ADAPTERS: dict[str, Adapter] = {}
_adapters_loaded = False


def adapter(name: str) -> Callable[[Adapter], Adapter]:
    def register(function: Adapter) -> Adapter:
        ADAPTERS[name] = function
        return function

    return register


def adapter_get(name: str) -> Adapter | None:
    global _adapters_loaded
    if not _adapters_loaded:
        for module in ADAPTER_MODULES:
            importlib.import_module(module)
        _adapters_loaded = True
    return ADAPTERS.get(name)


def json_response(data: Any, status: int = 200) -> ProviderResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return ProviderResponse(status=status, body=body, content_type="application/json; charset=utf-8")


# --- HTTP ---------------------------------------------------------------------------------------
_FORWARDED_RESPONSE_HEADERS = (
    "Content-Disposition",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_local = threading.local()


def _pool() -> dict[tuple[str, str, int], http.client.HTTPConnection]:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    return pool


def _new_connection(scheme: str, host: str, port: int, connect_timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=connect_timeout)
    return http.client.HTTPConnection(host, port, timeout=connect_timeout)


def http_forward(
    *,
    base_url: str,
    request: ProviderRequest,
    connect_timeout: float,
    read_timeout: float,
    max_response_bytes: int,
) -> ProviderResponse:
    """Send the request to ``base_url`` + its path; raise one of the Provider* errors on failure."""
    url = urllib.parse.urlsplit(base_url)
    scheme = url.scheme or "http"
    host = url.hostname or ""
    port = url.port or (443 if scheme == "https" else 80)
    # The path arrives percent-decoded (PATH_INFO): encode it again for the wire.
    target = url.path.rstrip("/") + urllib.parse.quote(request.path or "/", safe="/:@!$&'()*+,;=-._~")
    if request.query:
        target += "?" + request.query
    headers = dict(request.headers)
    if request.body or request.method not in {"GET", "HEAD"}:
        headers["Content-Length"] = str(len(request.body))
    key = (scheme, host, port)
    pool = _pool()
    reused = pool.pop(key, None)
    # A pooled connection the provider closed while idle fails on first use: that is safe to
    # retry once on a fresh connection, but only for idempotent methods.
    attempts: list[http.client.HTTPConnection | None] = (
        [reused] if reused is not None and request.method in _IDEMPOTENT else []
    )
    if reused is not None and not attempts:
        reused.close()
    attempts.append(None)
    last_error: Exception | None = None
    for connection in attempts:
        fresh = connection is None
        conn = connection or _new_connection(scheme, host, port, connect_timeout)
        try:
            if conn.sock is None:
                conn.timeout = connect_timeout
                conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(read_timeout)
        except (TimeoutError, OSError) as exc:
            conn.close()
            raise ProviderUnavailable(str(exc) or type(exc).__name__) from exc
        try:
            conn.request(request.method, target, body=request.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read(max_response_bytes + 1)
        except TimeoutError as exc:
            conn.close()
            raise ProviderTimeout(str(exc) or "read timeout") from exc
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
            conn.close()
            last_error = exc
            if fresh:
                raise ProviderUnavailable(str(exc) or type(exc).__name__) from exc
            continue
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise ProviderUnavailable(str(exc) or type(exc).__name__) from exc
        if len(body) > max_response_bytes:
            conn.close()
            raise ProviderTooLarge(f"more than {max_response_bytes} bytes")
        if response.will_close:
            conn.close()
        else:
            pool[key] = conn
        forwarded = {
            name: value for name in _FORWARDED_RESPONSE_HEADERS if (value := response.getheader(name))
        }
        return ProviderResponse(
            status=response.status,
            body=body,
            content_type=response.getheader("Content-Type", "application/octet-stream"),
            headers=forwarded,
        )
    raise ProviderUnavailable(str(last_error) if last_error else "no connection")

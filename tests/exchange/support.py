"""Helpers of the exchange tests: a real provider on a loopback port, client keys, assertions."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jwcrypto import jwk, jwt

TOKEN_URL = "http://testserver/exchange/oauth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer_port: int = 0  # the gateway's end of the TCP connection: equal ports, one connection


@dataclass
class FakeProvider:
    """An agency's system on 127.0.0.1 that records every request it gets.

    Paths: ``/slow`` answers after ``slow_seconds`` (or when released), ``/big`` answers
    ``big_bytes`` bytes, ``/status/NNN`` answers that status; anything else echoes JSON.
    """

    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    slow_seconds: float = 5.0
    big_bytes: int = 2048
    flaky_failures: int = 0  # /flaky answers 503 this many times, then 200


class ProviderHandler(BaseHTTPRequestHandler):
    server: ProviderServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        provider = self.server.provider
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with provider.lock:
            provider.requests.append(
                RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers=dict(self.headers.items()),
                    body=body,
                    peer_port=int(self.client_address[1]),
                )
            )
        if self.path.startswith("/slow"):
            provider.release.wait(provider.slow_seconds)
        if self.path.startswith("/big"):
            self._send(200, b"x" * provider.big_bytes, "application/octet-stream")
            return
        status = 200
        if self.path.startswith("/flaky"):
            with provider.lock:
                status = 503 if provider.flaky_failures > 0 else 200
                provider.flaky_failures -= 1
        if self.path.startswith("/status/"):
            status = int(self.path.split("?")[0].split("/")[2])
        answer = {
            "method": self.command,
            "path": self.path,
            "client": self.headers.get("X-Road-Client"),
            "subject": self.headers.get("Information-Mediator-Data-Subject"),
            "purpose": self.headers.get("Information-Mediator-Purpose"),
            "body": body.decode("utf-8", "replace"),
        }
        self._send(status, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    provider: FakeProvider


def start_provider() -> tuple[FakeProvider, ProviderServer, threading.Thread]:
    provider = FakeProvider()
    server = ProviderServer(("127.0.0.1", 0), ProviderHandler)
    server.provider = provider
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return provider, server, thread


def client_key(kind: str = "EC") -> jwk.JWK:
    if kind == "RSA":
        return jwk.JWK.generate(kty="RSA", size=2048)
    if kind == "OKP":
        return jwk.JWK.generate(kty="OKP", crv="Ed25519")
    return jwk.JWK.generate(kty="EC", crv="P-256")


def assertion(
    *,
    client_id: str,
    key: jwk.JWK,
    audience: str = TOKEN_URL,
    expires_in: int = 60,
    jti: str | None = None,
    subject: str | None = None,
    algorithm: str | None = None,
) -> str:
    """A client assertion as RFC 7523 describes it, signed with ``key``."""
    now = int(time.time())
    algorithm = algorithm or {"EC": "ES256", "RSA": "RS256", "OKP": "EdDSA"}[key["kty"]]
    token = jwt.JWT(
        header={"alg": algorithm, "kid": key.thumbprint()},
        claims={
            "iss": client_id,
            "sub": subject or client_id,
            "aud": audience,
            "iat": now,
            "exp": now + expires_in,
            "jti": jti or str(uuid.uuid4()),
        },
    )
    token.make_signed_token(key)
    return str(token.serialize())


def token_form(client_assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
    }

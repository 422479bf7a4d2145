"""Helpers of the notify tests: people, a real HTTP SMS gateway on loopback, a task worker."""

from __future__ import annotations

import itertools
import json
import signal
import smtplib
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from congso.identity.models import User

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DEV_PHONE = "congso.notify.backends.sms.DevPhoneBackend"
HTTP_GATEWAY = "congso.notify.backends.sms.HttpGatewayBackend"

_ids = itertools.count(1)


def make_user(**fields: Any) -> User:
    """A person with a fresh 12-digit personal ID number as username."""
    number = next(_ids)
    fields.setdefault("email", f"nguoi{number}@example.vn")
    fields.setdefault("full_name", f"Nguyễn Văn {number}")
    return User.objects.create_user(username=f"{number:012d}", password=None, **fields)


def run_worker() -> None:
    """One pass of the real database worker: run every task that is due, then stop."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


class FakeGateway:
    """An SMS gateway on a loopback port that records requests and answers as scripted.

    Script steps: ``("reply", status, json_body)``, ``("slow", seconds, status, json_body)``
    or ``("hang", seconds)`` (no answer at all). Without a script it answers 200 with an id.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: deque[tuple[Any, ...]] = deque()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    def answer(self, *steps: tuple[Any, ...]) -> None:
        self.script.extend(steps)


class GatewayHandler(BaseHTTPRequestHandler):
    server: GatewayServer

    def do_POST(self) -> None:
        gateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with gateway.lock:
            gateway.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
            )
            count = len(gateway.requests)
            step = gateway.script.popleft() if gateway.script else ("reply", 200, {"id": f"gw-{count}"})
        if step[0] == "hang":
            gateway.release.wait(step[1])
            return
        if step[0] == "slow":
            gateway.release.wait(step[1])
            step = ("reply", *step[2:])
        data = json.dumps(step[2]).encode()
        self.send_response(step[1])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    gateway: FakeGateway


class RefusingEmailBackend(BaseEmailBackend):
    """An SMTP server that says the mailbox does not exist."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"khong-ton-tai@example.vn": (550, b"5.1.1 User unknown")})


class DisconnectingEmailBackend(BaseEmailBackend):
    """An SMTP server that hangs up."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

"""SMS backends, chosen by ``CONGSO_SMS_BACKEND`` (a dotted path).

A backend either returns a :class:`SendResult` (the provider accepted the message), or raises
:class:`PermanentSendError` (do not try again: the number or the text was refused) or
:class:`RetryableSendError` (try again later: the provider is down, slow or overloaded). Any
other exception is treated as retryable.
"""

from __future__ import annotations

import abc
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import DevPhoneMessage

_MAX_RESPONSE = 64 * 1024
# Asked to slow down or timed out on their side: worth another try, although 4xx.
_RETRYABLE_4XX = {408, 425, 429}


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class SendError(Exception):
    """The provider did not accept the message."""


class PermanentSendError(SendError):
    """Refused for good (bad number, rejected text, bad credentials): never retried."""


class RetryableSendError(SendError):
    """Not accepted this time (provider down, timeout): retried with backoff."""


class SmsBackend(abc.ABC):
    @abc.abstractmethod
    def send(self, *, to: str, text: str, reference: str) -> SendResult:
        """Hand one SMS to the provider. ``reference`` is unique per message: a provider that
        deduplicates on it never delivers the same message twice, even across retries."""


class DevPhoneBackend(SmsBackend):
    """Keeps every SMS in the database, shown at /dev/phone in demo and debug mode."""

    def send(self, *, to: str, text: str, reference: str) -> SendResult:
        stored = DevPhoneMessage.objects.create(to=to, text=text, reference=reference)
        return SendResult(provider_message_id=f"dev-{stored.pk}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET without its body; a gateway that
    # redirects is misconfigured, so the 3xx surfaces as an error instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpGatewayBackend(SmsBackend):
    """POSTs ``{"to", "text", "sender", "reference"}`` as JSON to an SMS gateway.

    ``CONGSO_SMS_GATEWAY_URL`` (http or https), bearer token ``CONGSO_SMS_GATEWAY_TOKEN``,
    timeout ``CONGSO_SMS_GATEWAY_TIMEOUT`` seconds, brandname ``CONGSO_SMS_SENDER``. A 2xx
    answer means accepted (its JSON ``id``/``message_id``/``messageId`` is kept); 3xx and 4xx
    mean refused for good, except 408/425/429; 5xx, network errors and timeouts are retried.
    The message reference also goes in an ``Idempotency-Key`` header.
    """

    def __init__(self) -> None:
        self.url: str = settings.CONGSO_SMS_GATEWAY_URL
        self.token: str = settings.CONGSO_SMS_GATEWAY_TOKEN
        self.timeout: float = settings.CONGSO_SMS_GATEWAY_TIMEOUT
        self.sender: str = settings.CONGSO_SMS_SENDER

    def send(self, *, to: str, text: str, reference: str) -> SendResult:
        if urllib.parse.urlsplit(self.url).scheme not in {"http", "https"}:
            # Configuration can be fixed while the message waits, so this is worth a retry.
            raise RetryableSendError("CONGSO_SMS_GATEWAY_URL is not set to an http(s) URL")
        payload = {"to": to, "text": text, "sender": self.sender, "reference": reference}
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Idempotency-Key": reference,
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read(_MAX_RESPONSE)
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}: {_snippet(exc.read(_MAX_RESPONSE))}".rstrip(": ")
            exc.close()
            if exc.code >= 500 or exc.code in _RETRYABLE_4XX:
                raise RetryableSendError(detail) from exc
            raise PermanentSendError(detail) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise RetryableSendError(f"gateway unreachable: {reason}") from exc
        return SendResult(provider_message_id=_provider_id(body))


def _snippet(body: bytes) -> str:
    """The gateway's reason, readable by an operator (JSON ``\\u`` escapes decoded)."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        pass
    else:
        reason = next(
            (
                data[k]
                for k in ("error", "message", "description")
                if isinstance(data, dict) and isinstance(data.get(k), str)
            ),
            None,
        )
        text = reason if reason is not None else json.dumps(data, ensure_ascii=False)
    return " ".join(text.split())[:300]


def _provider_id(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for name in ("id", "message_id", "messageId"):
        if data.get(name) not in (None, ""):
            return str(data[name])[:200]
    return ""


def sms_backend() -> SmsBackend:
    """The configured backend (read on every call, so settings overrides take effect)."""
    backend: SmsBackend = import_string(settings.CONGSO_SMS_BACKEND)()
    return backend

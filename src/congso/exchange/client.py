"""The exchange client other domains use to ask another agency for data, in process.

It takes the same path as an agency system calling ``/r1/...`` over HTTP: the same checks
(right, rate limit, consent or legal basis), the same message log and monitoring, the same
adapter or HTTP provider (:func:`congso.exchange.gateway.exchange_call`); only the transport
differs, and the caller names its own subsystem instead of presenting a token.

Example, prefilling a form from the population registry::

    from congso.exchange import client as exchange_client

    person = exchange_client.call_json(
        client_subsystem=exchange_client.portal_client_id(),
        service="registry.citizen",            # or "VN/GOV/000.00.00.H15/DANCU/citizen-basic"
        data_subject="079203001234",
        purpose="administrative-procedure",
        dossier_ref="H15.50-261128-0001",
        user=request.user,
    )

A refusal raises :class:`~congso.exchange.errors.ExchangeError` (a DomainError with the
gateway's stable ``code``, e.g. ``consent_required``); an answer of the provider that is not
2xx raises :class:`ProviderError` from :func:`call_json`, and is returned as is by :func:`call`.

Call it outside your own transaction, as you would any other system: inside one, the log
entry of the call would share your transaction's fate (and hold the log's lock until it ends).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from congso.core.errors import DomainError

from .conf import setting
from .errors import ExchangeError
from .gateway import GatewayCall, client_by_id, exchange_call, service_id_for_alias


@dataclass(frozen=True)
class ExchangeResult:
    status: int
    body: bytes
    content_type: str
    message_id: str
    correlation_id: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class ProviderError(DomainError):
    """The provider answered, but not with success (e.g. 404: no such person)."""

    code = "provider_error"

    def __init__(self, result: ExchangeResult) -> None:
        vi, en = "Hệ thống cung cấp dữ liệu trả lời lỗi.", "The data provider answered with an error."
        code = None
        try:
            data = result.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            vi = str(data.get("message_vi") or vi)
            en = str(data.get("message_en") or en)
            code = str(data["code"]) if data.get("code") else None
        super().__init__(vi, en, code=code)
        self.status = result.status
        self.result = result


def portal_client_id() -> str:
    """The portal's own subsystem (``CONGSO_EXCHANGE_PORTAL_CLIENT``), as set up by the demo."""
    return str(setting("CONGSO_EXCHANGE_PORTAL_CLIENT"))


def eid_client_id() -> str:
    """The electronic-identity system's subsystem (``CONGSO_EXCHANGE_EID_CLIENT``)."""
    return str(setting("CONGSO_EXCHANGE_EID_CLIENT"))


def call(
    *,
    client_subsystem: str,
    service: str,
    path: str = "/",
    method: str = "GET",
    query: dict[str, str] | str | None = None,
    body: bytes | dict[str, Any] | list[Any] | None = None,
    data_subject: str = "",
    purpose: str = "",
    dossier_ref: str = "",
    user: Any = None,
    correlation_id: str = "",
) -> ExchangeResult:
    """Call ``service`` for ``client_subsystem`` through the gateway; raise ExchangeError if refused."""
    client = client_by_id(client_subsystem)
    if client is None:
        raise ExchangeError("unauthorized", detail=f"({client_subsystem!r} is not a registered subsystem)")
    service_id = service_id_for_alias(service)
    content_type = ""
    if isinstance(body, dict | list):
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    else:
        payload = body or b""
        if payload:
            content_type = "application/octet-stream"
    query_text = urllib.parse.urlencode(query) if isinstance(query, dict) else (query or "")
    user_id = ""
    if user is not None and getattr(user, "is_authenticated", False):
        user_id = str(user.get_username())
    result = exchange_call(
        GatewayCall(
            transport="local",
            client=client,
            claimed_client=client.client_id,
            service=service_id,
            requested_service=service,
            method=method.upper(),
            path=path if path.startswith("/") else f"/{path}",
            query=query_text,
            content_type=content_type,
            accept="application/json",
            content_length=len(payload),
            read_body=lambda limit: payload[:limit],
            data_subject=data_subject,
            purpose=purpose,
            dossier_ref=dossier_ref,
            user_id=user_id,
            correlation_id=correlation_id,
        )
    )
    if result.error_code:
        raise ExchangeError(result.error_code, message_id=result.message_id)
    return ExchangeResult(
        status=result.status,
        body=result.body,
        content_type=result.content_type,
        message_id=result.message_id,
        correlation_id=result.correlation_id,
    )


def call_json(**kwargs: Any) -> Any:
    """:func:`call`, then the provider's JSON answer; a non-2xx answer raises ProviderError."""
    result = call(**kwargs)
    if not result.ok:
        raise ProviderError(result)
    return result.json()

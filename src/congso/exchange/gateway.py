"""The gateway: the one function every call through the exchange goes through.

:func:`exchange_call` checks, in order: the caller named in the client header is the
authenticated one and is active; the service exists; the body fits; the service is enabled;
the caller holds a right to it; the caller's rate limit; and, for personal data, the data
subject, the purpose, and a consent in force or a legal basis. Only then is the body read and
the provider called. Every call of an authenticated client, refused or not, is appended to
the message log and counted in monitoring.

The HTTP view (``views.gateway``) and the in-process client (``client.call``) are two thin
transports over it: they authenticate the caller and describe the request, nothing more.

Lookups of clients, services and rights are cached per process for
``CONGSO_EXCHANGE_CACHE_SECONDS``: a change made in this process clears the cache at once,
one made in another process is seen within that time. Consents are never cached: a revoked
consent stops the next call.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import structlog
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone

from . import metrics
from .conf import setting
from .errors import PROBLEM_CONTENT_TYPE, problem_document
from .ids import ClientId, ServiceId
from .messagelog import LogRecord, log_append
from .models import AccessRight, Consent, ProviderKind, Purpose, Service, Subsystem
from .providers import (
    ProviderRequest,
    ProviderResponse,
    ProviderTimeout,
    ProviderTooLarge,
    ProviderUnavailable,
    adapter_get,
    http_forward,
)

log = structlog.get_logger(__name__)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_PERSONAL_ID = re.compile(r"\d{12}", re.ASCII)
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{7,127}", re.ASCII)
_PURPOSE = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}", re.ASCII)


# --- Cached lookups -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClientInfo:
    pk: int
    client_id: str
    active: bool
    rate_limit_per_minute: int | None


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    pk: int
    service_id: str
    version: str
    enabled: bool
    personal_data: bool
    purposes: frozenset[str]
    provider_kind: str
    adapter: str
    base_url: str
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True, slots=True)
class RightInfo:
    pk: int
    legal_basis: str
    legal_purposes: frozenset[str]


T = TypeVar("T")


class _TTLCache:
    def __init__(self) -> None:
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, loader: Callable[[], T]) -> T:
        now = time.monotonic()
        found = self._items.get(key)
        if found is not None and found[0] > now:
            value: T = found[1]
            return value
        value = loader()
        with self._lock:
            self._items[key] = (now + float(setting("CONGSO_EXCHANGE_CACHE_SECONDS")), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_clients = _TTLCache()
_services = _TTLCache()
_rights = _TTLCache()
_aliases = _TTLCache()


def exchange_cache_clear() -> None:
    """Forget cached clients, services and rights (called by every service that changes them)."""
    for store in (_clients, _services, _rights, _aliases):
        store.clear()


def _client_info(subsystem: Subsystem) -> ClientInfo:
    return ClientInfo(
        pk=subsystem.pk,
        client_id=subsystem.client_id,
        active=subsystem.is_active,
        rate_limit_per_minute=subsystem.rate_limit_per_minute,
    )


def client_by_pk(pk: int) -> ClientInfo | None:
    def load() -> ClientInfo | None:
        subsystem = Subsystem.objects.select_related("member").filter(pk=pk).first()
        return _client_info(subsystem) if subsystem else None

    return _clients.get(("pk", pk), load)


def client_by_id(client_id: str) -> ClientInfo | None:
    def load() -> ClientInfo | None:
        parsed = ClientId.parse(client_id)
        if parsed is None:
            return None
        subsystem = (
            Subsystem.objects.select_related("member")
            .filter(
                member__instance=parsed.instance,
                member__member_class=parsed.member_class,
                member__code=parsed.member_code,
                code=parsed.subsystem_code,
            )
            .first()
        )
        return _client_info(subsystem) if subsystem else None

    return _clients.get(("id", client_id), load)


def service_lookup(service_id: ServiceId) -> ServiceInfo | None:
    def load() -> ServiceInfo | None:
        service = (
            Service.objects.select_related("provider__member")
            .prefetch_related("purposes")
            .filter(
                provider__member__instance=service_id.instance,
                provider__member__member_class=service_id.member_class,
                provider__member__code=service_id.member_code,
                provider__code=service_id.subsystem_code,
                code=service_id.service_code,
            )
            .first()
        )
        if service is None:
            return None
        return ServiceInfo(
            pk=service.pk,
            service_id=str(service_id),
            version=service.version,
            # A suspended provider subsystem provides nothing.
            enabled=service.is_enabled and service.provider.is_active,
            personal_data=service.personal_data,
            purposes=frozenset(purpose.code for purpose in service.purposes.all()),
            provider_kind=service.provider_kind,
            adapter=service.adapter,
            base_url=service.base_url,
            connect_timeout=service.connect_timeout,
            read_timeout=service.read_timeout,
        )

    return _services.get(service_id, load)


def service_id_for_alias(alias: str) -> ServiceId | None:
    """The address of a built-in service by its alias (``registry.citizen``), or of a full id."""
    if "/" in alias:
        return ServiceId.parse(alias)

    def load() -> ServiceId | None:
        service = Service.objects.select_related("provider__member").filter(builtin=alias).first()
        return ServiceId.parse(service.service_id) if service else None

    return _aliases.get(alias, load)


def _right_lookup(client_pk: int, service_pk: int) -> RightInfo | None:
    def load() -> RightInfo | None:
        right = (
            AccessRight.objects.active()
            .filter(client_id=client_pk, service_id=service_pk)
            .prefetch_related("legal_basis_purposes")
            .first()
        )
        if right is None:
            return None
        purposes = (
            frozenset(p.code for p in right.legal_basis_purposes.all()) if right.legal_basis else frozenset()
        )
        return RightInfo(pk=right.pk, legal_basis=right.legal_basis, legal_purposes=purposes)

    return _rights.get((client_pk, service_pk), load)


# --- The call ---------------------------------------------------------------------------------------
@dataclass
class GatewayCall:
    """One request, as a transport hands it to :func:`exchange_call`."""

    transport: str
    client: ClientInfo
    claimed_client: str
    service: ServiceId | None
    requested_service: str
    method: str
    path: str
    query: str
    content_type: str
    accept: str
    content_length: int
    read_body: Callable[[int], bytes]
    data_subject: str = ""
    purpose: str = ""
    dossier_ref: str = ""
    user_id: str = ""
    correlation_id: str = ""


@dataclass
class GatewayResult:
    status: int
    body: bytes
    content_type: str
    message_id: str
    correlation_id: str
    error_code: str = ""
    request_hash: str = EMPTY_SHA256
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return bool(self.error_code)


class _Refusal(Exception):
    def __init__(self, code: str, *, headers: dict[str, str] | None = None, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.headers = headers or {}
        self.detail = detail


def correlation_id_clean(value: str) -> str:
    return value if _SANE_ID.fullmatch(value) else str(uuid.uuid4())


_clock = time.time  # the rate limiter's clock; tests move it


def _rate_limit(client: ClientInfo) -> None:
    limit = client.rate_limit_per_minute or int(setting("CONGSO_EXCHANGE_RATE_LIMIT_PER_MINUTE"))
    if limit <= 0:
        return
    now = _clock()
    window = int(now // 60)
    key = f"congso:exchange:rate:{client.client_id}:{window}"
    count = _window_count(key)
    if count > limit:
        retry_after = max(1, int(60 - now % 60) + 1)
        raise _Refusal("rate_limited", headers={"Retry-After": str(retry_after)})


def _window_count(key: str) -> int:
    """Count one call in a fixed one-minute window of the shared cache (Redis across nodes).

    Incrementing first costs one cache operation for every call but a window's first; adding
    first (as ``add`` then ``incr``) costs two for every call but the first.
    """
    try:
        return int(cache.incr(key))
    except ValueError:
        if cache.add(key, 1, timeout=90):
            return 1
        return int(cache.incr(key))  # another thread or process opened the window meanwhile


def _basis(call: GatewayCall, service: ServiceInfo, right: RightInfo) -> str:
    """The ground on which personal data may go to this client, or a refusal."""
    subject = call.data_subject
    if not _PERSONAL_ID.fullmatch(subject):
        raise _Refusal("data_subject_required")
    purpose = call.purpose
    if not purpose:
        raise _Refusal("purpose_required")
    if not _PURPOSE.fullmatch(purpose) or (service.purposes and purpose not in service.purposes):
        raise _Refusal("purpose_not_allowed")
    basis = personal_data_basis(
        client_pk=call.client.pk, service=service, right=right, subject=subject, purpose=purpose
    )
    if basis is None:
        raise _Refusal("consent_required")
    return basis


def personal_data_basis(
    *, client_pk: int, service: ServiceInfo, right: RightInfo, subject: str, purpose: str
) -> str | None:
    """The right's legal basis for this purpose, else the subject's consent in force, else None."""
    if purpose in right.legal_purposes:
        return f"law: {right.legal_basis}"
    receipt = consent_receipt_in_force(
        subject=subject, consumer_pk=client_pk, purpose=purpose, service_pk=service.pk
    )
    return None if receipt is None else f"consent: {receipt}"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    assert field.column
    return connection.ops.quote_name(field.column)


@functools.cache
def _consent_sql() -> str:
    """The query of ``Consent.objects.in_force()`` as the gateway asks it, written out once.

    It runs on every personal-data call and is never cached (a withdrawn consent stops the next
    call), so it skips the ORM's query building, about half a millisecond of CPU per call here.
    Names come from the models' meta.
    """
    quote = connection.ops.quote_name
    through = Consent.services.through

    def consent(name: str) -> str:
        return f"c.{_column(Consent, name)}"

    return (
        f"SELECT {consent('receipt_id')} FROM {quote(Consent._meta.db_table)} c "  # noqa: S608 - names from model meta
        f"JOIN {quote(Purpose._meta.db_table)} p ON p.{_column(Purpose, 'id')} = {consent('purpose')} "
        f"JOIN {quote(through._meta.db_table)} cs ON cs.{_column(through, 'consent')} = {consent('id')} "
        f"WHERE {consent('subject_personal_id')} = %s AND {consent('consumer')} = %s "
        f"AND p.{_column(Purpose, 'code')} = %s AND cs.{_column(through, 'service')} = %s "
        f"AND {consent('revoked_at')} IS NULL AND {consent('valid_from')} <= %s AND {consent('valid_until')} > %s "
        f"ORDER BY {consent('granted_at')} DESC LIMIT 1"
    )


def consent_receipt_in_force(*, subject: str, consumer_pk: int, purpose: str, service_pk: int) -> str | None:
    """The receipt of the newest consent in force of ``subject`` to this client, purpose and service."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_consent_sql(), [subject, consumer_pk, purpose, service_pk, now, now])
        row = cursor.fetchone()
    # PostgreSQL returns a UUID, SQLite its 32 hex digits: one text form for the log.
    return None if row is None else str(uuid.UUID(str(row[0])))


def right_lookup(client_pk: int, service_pk: int) -> RightInfo | None:
    """The client's active right to the service (cached like the gateway's), or None."""
    return _right_lookup(client_pk, service_pk)


def _provider_headers(
    call: GatewayCall, message_id: str, correlation_id: str, service: ServiceInfo
) -> dict[str, str]:
    headers = {
        "X-Road-Client": call.client.client_id,
        "Information-Mediator-Client": call.client.client_id,
        "X-Road-Service": service.service_id,
        "X-Road-Id": message_id,
        "X-Correlation-ID": correlation_id,
        "X-Request-ID": correlation_id,
    }
    if call.content_type:
        headers["Content-Type"] = call.content_type
    if call.accept:
        headers["Accept"] = call.accept
    if call.data_subject:
        headers["Information-Mediator-Data-Subject"] = call.data_subject
    if call.purpose:
        headers["Information-Mediator-Purpose"] = call.purpose
    if call.dossier_ref:
        headers["Information-Mediator-Dossier"] = call.dossier_ref
    if call.user_id:
        headers["X-Road-UserId"] = call.user_id
    return headers


def _provide(service: ServiceInfo, request: ProviderRequest) -> ProviderResponse:
    max_response = int(setting("CONGSO_EXCHANGE_MAX_RESPONSE_BYTES"))
    if service.provider_kind == ProviderKind.ADAPTER:
        function = adapter_get(service.adapter)
        if function is None:
            raise ProviderUnavailable(f"no adapter {service.adapter!r}")
        response = function(request)
        if len(response.body) > max_response:
            raise ProviderTooLarge(f"more than {max_response} bytes")
        return response
    if not service.base_url:
        raise ProviderUnavailable("the service has no address")
    return http_forward(
        base_url=service.base_url,
        request=request,
        connect_timeout=service.connect_timeout,
        read_timeout=service.read_timeout,
        max_response_bytes=max_response,
    )


def exchange_call(call: GatewayCall) -> GatewayResult:
    """Check, forward, log and count one call of an authenticated client; never raises for a refusal."""
    message_id = str(uuid.uuid4())
    correlation_id = correlation_id_clean(call.correlation_id)
    requested_at = timezone.now()
    started = time.perf_counter()
    service: ServiceInfo | None = None
    basis = ""
    request_hash = EMPTY_SHA256
    request_size = 0
    try:
        parsed_claim = ClientId.parse(call.claimed_client) if call.claimed_client else None
        if parsed_claim is None:
            raise _Refusal("client_header_invalid")
        if str(parsed_claim) != call.client.client_id:
            raise _Refusal("client_mismatch")
        if not call.client.active:
            raise _Refusal("client_disabled")
        service = service_lookup(call.service) if call.service is not None else None
        if service is None:
            raise _Refusal("unknown_service")
        max_body = int(setting("CONGSO_EXCHANGE_MAX_BODY_BYTES"))
        if call.content_length > max_body:
            raise _Refusal("body_too_large")
        if not service.enabled:
            raise _Refusal("service_disabled")
        right = _right_lookup(call.client.pk, service.pk)
        if right is None:
            raise _Refusal("access_denied")
        _rate_limit(call.client)
        if service.personal_data:
            basis = _basis(call, service, right)
        elif call.purpose and service.purposes and call.purpose not in service.purposes:
            raise _Refusal("purpose_not_allowed")
        # Every check has passed: only now is the body read and the provider reached.
        body = call.read_body(max_body + 1) if call.content_length else b""
        if len(body) > max_body:
            raise _Refusal("body_too_large")
        request_size = len(body)
        request_hash = hashlib.sha256(body).hexdigest()
        request = ProviderRequest(
            method=call.method,
            path=call.path,
            query=call.query,
            body=body,
            content_type=call.content_type,
            data_subject=call.data_subject,
            purpose=call.purpose,
            client_id=call.client.client_id,
            service_id=service.service_id,
            message_id=message_id,
            correlation_id=correlation_id,
            headers=_provider_headers(call, message_id, correlation_id, service),
        )
        try:
            response = _provide(service, request)
        except ProviderTimeout as exc:
            raise _Refusal("provider_timeout") from exc
        except ProviderTooLarge as exc:
            raise _Refusal("provider_response_too_large") from exc
        except ProviderUnavailable as exc:
            log.warning("exchange.provider_unavailable", service=service.service_id, error=str(exc)[:300])
            raise _Refusal("provider_unavailable") from exc
        except Exception as exc:
            # A failing in-project adapter is the provider's fault, not the caller's: a 502,
            # logged like any other call, with the traceback in the server log.
            log.exception("exchange.provider_failed", service=service.service_id)
            raise _Refusal("provider_error") from exc
        result = GatewayResult(
            status=response.status,
            body=response.body,
            content_type=response.content_type,
            message_id=message_id,
            correlation_id=correlation_id,
            request_hash=request_hash,
            headers=dict(response.headers),
        )
    except _Refusal as refusal:
        document = problem_document(refusal.code, message_id=message_id, correlation_id=correlation_id)
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        result = GatewayResult(
            status=int(document["status"]),  # type: ignore[call-overload]
            body=body,
            content_type=PROBLEM_CONTENT_TYPE,
            message_id=message_id,
            correlation_id=correlation_id,
            error_code=refusal.code,
            request_hash=request_hash,
            headers=refusal.headers,
        )
    responded_at = timezone.now()
    _record(call, result, service, basis, requested_at, responded_at, request_size)
    metrics.metrics_observe(
        client=call.client.client_id,
        service=service.service_id if service else "unknown",
        seconds=time.perf_counter() - started,
        error=bool(result.error_code) or result.status >= 500,
    )
    result.headers.update(
        {
            "X-Road-Id": message_id,
            "X-Correlation-ID": correlation_id,
            "X-Road-Request-Hash": result.request_hash,
        }
    )
    return result


def _record(
    call: GatewayCall,
    result: GatewayResult,
    service: ServiceInfo | None,
    basis: str,
    requested_at: datetime,
    responded_at: datetime,
    request_size: int,
) -> None:
    path = call.path or "/"
    if call.query:
        path = f"{path}?{call.query}"
    log_append(
        LogRecord(
            message_id=result.message_id,
            correlation_id=result.correlation_id,
            client=call.client.client_id,
            service=service.service_id if service else call.requested_service[:255],
            service_version=service.version if service else "",
            transport=call.transport,
            method=call.method,
            path=path,
            data_subject=call.data_subject if _PERSONAL_ID.fullmatch(call.data_subject) else "",
            purpose=call.purpose[:64],
            dossier_ref=call.dossier_ref[:64],
            user_id=call.user_id,
            basis=basis,
            requested_at=requested_at,
            responded_at=responded_at,
            status=result.status,
            error_code=result.error_code,
            request_size=request_size,
            response_size=len(result.body),
            request_hash=result.request_hash,
            response_hash=hashlib.sha256(result.body).hexdigest(),
        )
    )

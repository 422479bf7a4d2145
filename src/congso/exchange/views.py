"""The exchange's edges: the gateway (/r1/...), the token endpoint, the directory, /metrics,
and the citizen's consent and data-tracker pages. All thin: parse, authenticate, call one
function, render.
"""

from __future__ import annotations

import csv
import hmac
import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import structlog
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from congso.core.audit import audit_record
from congso.core.errors import NotFound, PermissionDenied

from . import metrics, selectors, services
from .conf import setting
from .errors import PROBLEM_CONTENT_TYPE, problem_document
from .gateway import ClientInfo, GatewayCall, client_by_pk, exchange_call
from .ids import META_SERVICES, ClientId, ServiceId, part_valid
from .tokens import (
    TokenError,
    access_token_verify,
    client_credentials_grant,
    presented_certificate_thumbprint,
)

log = structlog.get_logger(__name__)

_CLIENT_HEADERS = ("HTTP_X_ROAD_CLIENT", "HTTP_INFORMATION_MEDIATOR_CLIENT", "HTTP_X_GOVSTACK_CLIENT")
_SUBJECT_HEADERS = ("HTTP_INFORMATION_MEDIATOR_DATA_SUBJECT", "HTTP_X_ROAD_DATA_SUBJECT")
_PURPOSE_HEADERS = ("HTTP_INFORMATION_MEDIATOR_PURPOSE", "HTTP_X_ROAD_PURPOSE")
_DOSSIER_HEADERS = ("HTTP_INFORMATION_MEDIATOR_DOSSIER", "HTTP_X_ROAD_DOSSIER")
_USER_HEADERS = ("HTTP_X_ROAD_USERID", "HTTP_INFORMATION_MEDIATOR_USER_ID")
_CORRELATION_HEADERS = ("HTTP_X_CORRELATION_ID", "HTTP_X_REQUEST_ID")


def _meta(request: HttpRequest, names: tuple[str, ...]) -> str:
    for name in names:
        value = request.META.get(name)
        if value:
            return str(value).strip()
    return ""


def _problem(code: str, *, headers: dict[str, str] | None = None, message_id: str = "") -> HttpResponse:
    document = problem_document(code, message_id=message_id)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=int(str(document["status"])),
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _authenticate(request: HttpRequest) -> ClientInfo | HttpResponse:
    """The client the bearer token names, or the 401 answer. No query unless the cache is cold."""
    scheme, _sep, token = str(request.META.get("HTTP_AUTHORIZATION", "")).partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="congso-exchange"'}
    if scheme.lower() != "bearer" or not token.strip():
        return _problem("unauthorized", headers=challenge)
    claims = access_token_verify(token.strip())
    client = client_by_pk(claims.subsystem_id) if claims is not None else None
    if claims is None or client is None or client.client_id != claims.client_id:
        return _problem(
            "unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="congso-exchange", error="invalid_token"'},
        )
    if (
        claims.certificate_thumbprint
        and presented_certificate_thumbprint(request.headers) != claims.certificate_thumbprint
    ):
        # A certificate-bound token (RFC 8705 section 3) is useless without its certificate.
        return _problem(
            "unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="congso-exchange", error="invalid_token"'},
        )
    return client


@csrf_exempt
def gateway(
    request: HttpRequest,
    instance: str,
    member_class: str,
    member_code: str,
    subsystem_code: str,
    service_code: str,
    rest: str = "",
) -> HttpResponse:
    """``/r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}[/...]``."""
    if service_code in META_SERVICES and not rest:
        return _directory(
            request, ClientId(instance, member_class, member_code, subsystem_code), service_code
        )
    client = _authenticate(request)
    if isinstance(client, HttpResponse):
        metrics.metrics_observe(client="unauthenticated", service="unknown", seconds=0.0, error=True)
        return client
    requested = f"{instance}/{member_class}/{member_code}/{subsystem_code}/{service_code}"
    try:
        content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        content_length = 0
    result = exchange_call(
        GatewayCall(
            transport="http",
            client=client,
            claimed_client=_meta(request, _CLIENT_HEADERS),
            service=ServiceId.parse(requested),
            requested_service=requested,
            method=request.method or "GET",
            path=rest or "/",
            query=str(request.META.get("QUERY_STRING", "")),
            content_type=str(request.META.get("CONTENT_TYPE", "")),
            accept=str(request.META.get("HTTP_ACCEPT", "")),
            content_length=max(content_length, 0),
            read_body=request.read,
            data_subject=_meta(request, _SUBJECT_HEADERS),
            purpose=_meta(request, _PURPOSE_HEADERS),
            dossier_ref=_meta(request, _DOSSIER_HEADERS),
            user_id=_meta(request, _USER_HEADERS),
            correlation_id=_meta(request, _CORRELATION_HEADERS),
        )
    )
    response = HttpResponse(result.body, status=result.status, content_type=result.content_type)
    for name, value in result.headers.items():
        response[name] = value
    # Set here, not only by middleware: gateway nodes may run without it (exchange/wsgi.py).
    response["X-Content-Type-Options"] = "nosniff"
    if "Cache-Control" not in response:
        response["Cache-Control"] = "no-store"
    return response


# --- Directory (GovStack Information Mediator) -----------------------------------------------------
def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def list_clients(request: HttpRequest) -> JsonResponse:
    """``GET /listClients[?instanceId=VN]``: the instance's members and applications."""
    instance = request.GET.get("instanceId", "").strip()
    if instance and not part_valid(instance):
        return _json({"error": "instanceId is invalid"}, status=400)
    return _json(selectors.directory_clients(instance=instance or None))


def _directory(request: HttpRequest, provider: ClientId, method: str) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        return _json({"error": "GET only"}, status=405)
    client = _authenticate(request)
    if isinstance(client, HttpResponse):
        return client
    claimed = ClientId.parse(_meta(request, _CLIENT_HEADERS))
    if claimed is None:
        return _problem("client_header_invalid")
    if str(claimed) != client.client_id:
        return _problem("client_mismatch")
    if not all(
        part_valid(part)
        for part in (provider.instance, provider.member_class, provider.member_code, provider.subsystem_code)
    ):
        return _problem("unknown_service")
    if method == "getOpenAPI":
        service_code = request.GET.get("serviceCode", "").strip()
        if not service_code:
            return _problem("invalid_request")
        document = selectors.service_openapi(provider=provider, service_code=service_code)
        if document is None:
            return _problem("unknown_service")
        return _json(document)
    allowed_for = client.pk if method == "allowedMethods" else None
    service_code = request.GET.get("serviceId", "").strip()
    return _json(
        selectors.directory_methods(provider=provider, service_code=service_code, allowed_for=allowed_for)
    )


# --- Token endpoint -----------------------------------------------------------------------------
def _token_audiences(request: HttpRequest) -> set[str]:
    audiences = {request.build_absolute_uri(request.path)}
    configured = setting("CONGSO_EXCHANGE_TOKEN_URL")
    if configured:
        audiences.add(configured)
    return audiences


@csrf_exempt
@never_cache
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """OAuth2 client credentials (RFC 6749 section 4.4) with private_key_jwt or tls_client_auth."""
    try:
        issued = client_credentials_grant(
            form=request.POST,
            audiences=_token_audiences(request),
            certificate_thumbprint=presented_certificate_thumbprint(request.headers),
        )
    except TokenError as error:
        log.warning("exchange.token_refused", error=error.error, description=error.description)
        if error.subsystem is not None:
            # Refusals of a known client are security events; unknown ones are only logged
            # (auditing them would let anyone write to the audit chain at will).
            with transaction.atomic():
                audit_record(
                    action="exchange.token.refused",
                    target=error.subsystem,
                    details={"error": error.error, "description": error.description},
                )
        response = _json({"error": error.error, "error_description": error.description}, status=error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="congso-exchange", error="invalid_client"'
        return response
    with transaction.atomic():
        audit_record(
            action="exchange.token.issue",
            target=issued.subsystem,
            details={
                "client_id": issued.subsystem.client_id,
                "method": issued.method,
                "expires_in": issued.expires_in,
            },
        )
    return _json(
        {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in}
    )


# --- Monitoring ----------------------------------------------------------------------------------
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; metadata only. A bearer token, else loopback or listed addresses only."""
    expected = str(setting("CONGSO_EXCHANGE_METRICS_TOKEN") or "")
    if expected:
        scheme, _sep, given = str(request.META.get("HTTP_AUTHORIZATION", "")).partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
            return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    elif request.META.get("REMOTE_ADDR", "") not in setting("CONGSO_EXCHANGE_METRICS_ALLOWED_IPS"):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.prometheus_text(), content_type="text/plain; version=0.0.4; charset=utf-8")


# --- The citizen's pages --------------------------------------------------------------------------
@login_required
@require_GET
def consent_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.consent_list(user=request.user, language=get_language() or "vi")
    return render(
        request,
        "exchange/consent_list.html",
        {"rows": rows, "has_personal_id": bool(selectors.personal_id_of(request.user))},
    )


def _consent_or_404(request: HttpRequest, receipt_id: UUID) -> Any:
    try:
        return selectors.consent_get(user=request.user, receipt_id=receipt_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
def consent_revoke(request: HttpRequest, receipt_id: UUID) -> HttpResponse:
    consent = _consent_or_404(request, receipt_id)
    try:
        services.consent_revoke(citizen_user=request.user, consent=consent)
    except PermissionDenied as exc:
        raise Http404(exc.message) from exc
    messages.success(
        request, _("You have withdrawn your consent. Systems can no longer receive your data under it.")
    )
    return redirect("exchange:consents")


@login_required
@require_GET
def consent_receipt(request: HttpRequest, receipt_id: UUID) -> HttpResponse:
    consent = _consent_or_404(request, receipt_id)
    receipt = selectors.consent_receipt(consent=consent)
    return render(
        request,
        "exchange/consent_receipt.html",
        {"consent": consent, "receipt": receipt, "language": get_language() or "vi"},
    )


@login_required
@require_GET
def consent_receipt_json(request: HttpRequest, receipt_id: UUID) -> JsonResponse:
    consent = _consent_or_404(request, receipt_id)
    response = _json(selectors.consent_receipt(consent=consent))
    response["Content-Disposition"] = f'attachment; filename="bien-nhan-dong-y-{consent.receipt_id}.json"'
    return response


@login_required
@require_GET
def data_tracker(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.data_access_queryset(user=request.user), 50).get_page(request.GET.get("page"))
    rows = selectors.data_access_rows(list(page.object_list), language=get_language() or "vi")
    return render(
        request,
        "exchange/data_tracker.html",
        {"page": page, "rows": rows, "has_personal_id": bool(selectors.personal_id_of(request.user))},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def data_tracker_csv(request: HttpRequest) -> StreamingHttpResponse:
    language = get_language() or "vi"
    queryset = selectors.data_access_queryset(user=request.user)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow(
            [
                _("Time"),
                _("Agency"),
                _("System"),
                _("Data (service)"),
                _("Purpose"),
                _("Dossier"),
                _("Result"),
                _("Legal ground"),
                _("Message ID"),
            ]
        )
        last_seq: int | None = None
        while True:
            page = queryset if last_seq is None else queryset.filter(seq__lt=last_seq)
            entries = list(page[:500])
            if not entries:
                return
            last_seq = entries[-1].seq
            for row in selectors.data_access_rows(entries, language=language):
                entry = row.entry
                yield writer.writerow(
                    [
                        timezone.localtime(entry.requested_at).strftime("%Y-%m-%d %H:%M:%S"),
                        row.member,
                        row.system,
                        row.service,
                        row.purpose,
                        entry.dossier_ref,
                        _("Provided") if row.delivered else _("Refused"),
                        entry.basis,
                        entry.message_id,
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.csv"'
    return response

"""Reads of the exchange: a person's consents and data tracker, receipts, the directory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from congso.core.errors import NotFound

from .conf import setting
from .evidence import document_sign, timestamp
from .ids import ClientId, ServiceId

if TYPE_CHECKING:
    from .models import Consent, MessageLogEntry, Service, Subsystem

_PERSONAL_ID = re.compile(r"\d{12}", re.ASCII)


def personal_id_of(user: Any) -> str | None:
    """The 12-digit personal ID number of a person's account, or None (anonymous, organisation).

    The account's link to the population registry (``User.citizen``) when set, else the
    username, which for a person is that number (Decree 69/2024 art. 2).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "kind", "person") != "person":
        return None
    if getattr(user, "citizen_id", None):
        citizen = user.citizen
        return str(citizen.personal_id)
    username = str(user.get_username())
    return username if _PERSONAL_ID.fullmatch(username) else None


# --- Names for display -------------------------------------------------------------------------
@dataclass(frozen=True)
class SystemName:
    member: str
    system: str


def system_names(client_ids: Iterable[str]) -> dict[str, SystemName]:
    """Member and subsystem names for client ids (``VN/GOV/CODE/SUB``); unknown ids are left out."""
    from .models import Subsystem

    query = Q()
    wanted = set()
    for client_id in set(client_ids):
        parsed = ClientId.parse(client_id)
        if parsed is None:
            continue
        wanted.add(client_id)
        query |= Q(
            member__instance=parsed.instance,
            member__member_class=parsed.member_class,
            member__code=parsed.member_code,
            code=parsed.subsystem_code,
        )
    if not wanted:
        return {}
    return {
        subsystem.client_id: SystemName(member=subsystem.member.name, system=subsystem.name)
        for subsystem in Subsystem.objects.select_related("member").filter(query)
    }


def service_titles(service_ids: Iterable[str], language: str) -> dict[str, str]:
    from .models import Service

    query = Q()
    wanted = False
    for service_id in set(service_ids):
        parsed = ServiceId.parse(service_id)
        if parsed is None:
            continue
        wanted = True
        query |= Q(
            provider__member__instance=parsed.instance,
            provider__member__member_class=parsed.member_class,
            provider__member__code=parsed.member_code,
            provider__code=parsed.subsystem_code,
            code=parsed.service_code,
        )
    if not wanted:
        return {}
    return {
        service.service_id: service.title_in(language)
        for service in Service.objects.select_related("provider__member").filter(query)
    }


def purpose_names(language: str) -> dict[str, str]:
    from .models import Purpose

    return {purpose.code: purpose.name(language) for purpose in Purpose.objects.all()}


# --- Consents ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str  # in_force, expired, revoked, scheduled
    consumer: SystemName
    purpose: str
    services: list[str]


def _consent_status(consent: Consent, now: datetime) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    if consent.valid_until <= now:
        return "expired"
    if consent.valid_from > now:
        return "scheduled"
    return "in_force"


def consent_list(*, user: Any, language: str = "vi") -> list[ConsentRow]:
    """The consents the person gave, newest first, with what a person needs to read them."""
    from .models import Consent

    consents = list(
        Consent.objects.visible_to(user)
        .filter(subject_personal_id=personal_id_of(user) or "")
        .select_related("consumer__member", "purpose")
        .prefetch_related("services__provider__member")
        .order_by("-granted_at")
    )
    now = timezone.now()
    return [
        ConsentRow(
            consent=consent,
            status=_consent_status(consent, now),
            consumer=SystemName(member=consent.consumer.member.name, system=consent.consumer.name),
            purpose=consent.purpose.name(language),
            services=[service.title_in(language) for service in consent.services.all()],
        )
        for consent in consents
    ]


def consent_get(*, user: Any, receipt_id: UUID | str) -> Consent:
    """One of the person's consents by its receipt number, or NotFound."""
    from .models import Consent

    consent = (
        Consent.objects.visible_to(user)
        .select_related("consumer__member", "purpose")
        .prefetch_related("services__provider__member")
        .filter(receipt_id=receipt_id)
        .first()
    )
    if consent is None:
        raise NotFound("Không tìm thấy sự đồng ý này.", "This consent was not found.")
    return consent


def consent_receipt(*, consent: Consent) -> dict[str, Any]:
    """The consent's receipt, signed by the gateway so that the person can prove it."""
    now = timezone.now()
    document = {
        "receipt_format": "congso-consent-receipt/1",
        "receipt_id": str(consent.receipt_id),
        "legal_reference": "Nghị định 13/2023/NĐ-CP, Điều 11 (Decree 13/2023 art. 11)",
        "issued_at": timestamp(consent.granted_at),
        "data_subject": consent.subject_personal_id,
        "recipient": {
            "client_id": consent.consumer.client_id,
            "member": consent.consumer.member.name,
            "system": consent.consumer.name,
        },
        "purpose": {
            "code": consent.purpose.code,
            "name_vi": consent.purpose.name_vi,
            "name_en": consent.purpose.name_en,
        },
        "services": [
            {"service_id": service.service_id, "title": service.title, "title_en": service.title_en}
            for service in consent.services.all()
        ],
        "dossier_ref": consent.dossier_ref,
        "valid_from": timestamp(consent.valid_from),
        "valid_until": timestamp(consent.valid_until),
        "revoked_at": timestamp(consent.revoked_at) if consent.revoked_at else None,
        "status": _consent_status(consent, now),
        "instance": setting("CONGSO_EXCHANGE_INSTANCE"),
    }
    from .keys import gateway_signing_key

    return document_sign(document, gateway_signing_key().private)


# --- The data tracker -------------------------------------------------------------------------
@dataclass(frozen=True)
class DataAccessRow:
    entry: MessageLogEntry
    member: str
    system: str
    service: str
    purpose: str
    delivered: bool


def data_access_queryset(*, user: Any) -> QuerySet[MessageLogEntry]:
    """Every call through the exchange about the person, newest first."""
    from .models import MessageLogEntry

    personal_id = personal_id_of(user)
    if not personal_id:
        return MessageLogEntry.objects.none()
    return MessageLogEntry.objects.visible_to(user).filter(data_subject=personal_id).order_by("-seq")


def data_access_rows(entries: Sequence[MessageLogEntry], *, language: str = "vi") -> list[DataAccessRow]:
    """The entries with the names a person can read: agency, system, service, purpose."""
    systems = system_names(entry.client for entry in entries)
    services = service_titles((entry.service for entry in entries), language)
    purposes = purpose_names(language) if entries else {}
    rows = []
    for entry in entries:
        system = systems.get(entry.client)
        rows.append(
            DataAccessRow(
                entry=entry,
                member=system.member
                if system
                else entry.client.split("/")[2]
                if entry.client.count("/") == 3
                else entry.client,
                system=system.system if system else entry.client,
                service=services.get(entry.service, entry.service),
                purpose=purposes.get(entry.purpose, entry.purpose),
                delivered=entry.ok,
            )
        )
    return rows


# --- The directory (GovStack Information Mediator) ------------------------------------------
def directory_clients(*, instance: str | None = None) -> dict[str, Any]:
    """``listClients``: every member and its subsystems (applications)."""
    from .models import Member

    members = Member.objects.prefetch_related("subsystems").order_by("member_class", "code")
    if instance:
        members = members.filter(instance=instance)
    listed: list[dict[str, Any]] = []
    for member in members:
        identity = {
            "instanceId": member.instance,
            "memberClass": member.member_class,
            "memberCode": member.code,
        }
        listed.append({"name": member.name, "id": {"objectType": "MEMBER", **identity}})
        listed.extend(
            {
                "name": subsystem.name,
                "id": {"objectType": "APPLICATION", **identity, "applicationCode": subsystem.code},
            }
            for subsystem in member.subsystems.all()
            if subsystem.is_active
        )
    return {"member": listed}


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _endpoints(openapi: dict[str, Any]) -> list[dict[str, str]]:
    paths = openapi.get("paths") if isinstance(openapi, dict) else None
    if not isinstance(paths, dict):
        return []
    endpoints: list[dict[str, str]] = []
    for path, operations in paths.items():
        if not isinstance(operations, dict):
            continue
        endpoints.extend(
            {"method": method.upper(), "path": str(path)} for method in _HTTP_METHODS if method in operations
        )
    # PostgreSQL's jsonb keeps no key order: list the endpoints in a stable one.
    return sorted(
        endpoints, key=lambda endpoint: (endpoint["path"], _HTTP_METHODS.index(endpoint["method"].lower()))
    )


def provider_services(*, provider: ClientId) -> QuerySet[Service]:
    from .models import Service

    return (
        Service.objects.select_related("provider__member")
        .filter(
            provider__member__instance=provider.instance,
            provider__member__member_class=provider.member_class,
            provider__member__code=provider.member_code,
            provider__code=provider.subsystem_code,
            provider__is_active=True,
            is_enabled=True,
        )
        .order_by("code")
    )


def directory_methods(
    *, provider: ClientId, service_code: str = "", allowed_for: Subsystem | int | None = None
) -> dict[str, Any]:
    """``listMethods`` (every service of the provider) or ``allowedMethods`` (those the caller may call)."""
    services = provider_services(provider=provider)
    if service_code:
        services = services.filter(code=service_code)
    if allowed_for is not None:
        services = services.filter(rights__client=allowed_for, rights__revoked_at__isnull=True).distinct()
    listed = [
        {
            "objectType": "SERVICE",
            "serviceType": "OPENAPI" if service.openapi else "REST",
            "instanceId": provider.instance,
            "memberClass": provider.member_class,
            "memberCode": provider.member_code,
            "applicationCode": provider.subsystem_code,
            "serviceCode": service.code,
            "serviceVersion": service.version,
            "endpointList": {"member": _endpoints(service.openapi)},
        }
        for service in services
    ]
    return {"member": listed}


def service_openapi(*, provider: ClientId, service_code: str) -> dict[str, Any] | None:
    """``getOpenAPI``: the service's OpenAPI document, or None."""
    service = provider_services(provider=provider).filter(code=service_code).first()
    if service is None or not service.openapi:
        return None
    return dict(service.openapi)


def subsystem_get(*, client_id: str) -> Subsystem | None:
    from .models import Subsystem

    parsed = ClientId.parse(client_id)
    if parsed is None:
        return None
    return (
        Subsystem.objects.select_related("member")
        .filter(
            member__instance=parsed.instance,
            member__member_class=parsed.member_class,
            member__code=parsed.member_code,
            code=parsed.subsystem_code,
        )
        .first()
    )


def service_get(*, service: str) -> Service | None:
    """A service by its alias (``registry.citizen``) or full id."""
    from .models import Service

    if "/" not in service:
        return Service.objects.select_related("provider__member").filter(builtin=service).first()
    parsed = ServiceId.parse(service)
    if parsed is None:
        return None
    return (
        Service.objects.select_related("provider__member")
        .filter(
            provider__member__instance=parsed.instance,
            provider__member__member_class=parsed.member_class,
            provider__member__code=parsed.member_code,
            provider__code=parsed.subsystem_code,
            code=parsed.service_code,
        )
        .first()
    )


def event_type_declared(*, provider: Subsystem, code: str) -> bool:
    """Whether ``provider`` has declared the event type ``code`` (so publishing it is possible)."""
    from .models import EventType

    return EventType.objects.filter(provider=provider, code=code).exists()

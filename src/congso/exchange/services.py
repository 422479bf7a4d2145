"""Every change to the exchange's registry and to consents; each is audited.

Rights to a service are granted and revoked by the administrators of the member that
provides it (``Member.administrators``), or by an operator (superuser), or by the system
(``actor=None``: demo setup, commands). A refused attempt is audited before the refusal is
raised, in its own transaction, so it survives the rollback of the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied

from .conf import setting
from .gateway import exchange_cache_clear
from .ids import META_SERVICES, part_valid
from .models import (
    AccessRight,
    ClientKey,
    ClientKeyKind,
    Consent,
    Member,
    MemberClass,
    ProviderKind,
    Purpose,
    Service,
    Subsystem,
)
from .providers import adapter_get
from .selectors import personal_id_of
from .tokens import certificate_der_from, certificate_thumbprint, public_jwk_from


def _cache_changed() -> None:
    # Now for this process, and again once committed (a reader may have cached the old state
    # between the two).
    exchange_cache_clear()
    transaction.on_commit(exchange_cache_clear)


def _refuse(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    target_type: str = "",
    details: Mapping[str, Any],
    error: DomainError,
) -> NoReturn:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            target=target,
            target_type=target_type,
            details={**details, "refused": error.code},
        )
    raise error


def _is_operator(actor: Any) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False))


def member_administers(actor: Any, member: Member) -> bool:
    """May ``actor`` manage this member's subsystems, keys, services and the rights to them?"""
    if _is_operator(actor):
        return True
    return (
        bool(getattr(actor, "is_authenticated", False)) and member.administrators.filter(pk=actor.pk).exists()
    )


def _require_admin(
    actor: Any, member: Member, *, action: str, target: Any = None, target_type: str = ""
) -> None:
    if not member_administers(actor, member):
        _refuse(
            actor=actor,
            action=action,
            target=target,
            target_type=target_type or "exchange.member",
            details={"member": str(member)},
            error=PermissionDenied(
                f"Bạn không phải quản trị viên của thành viên {member.name}.",
                f"You are not an administrator of member {member.name}.",
            ),
        )


def _code(value: str, *, field: str) -> str:
    value = value.strip()
    if not part_valid(value):
        raise InvalidInput(
            f"Mã '{value[:64]}' không hợp lệ: chỉ gồm chữ, số và . _ - : (không có dấu /), tối đa 64 ký tự.",
            f"Code '{value[:64]}' is invalid: letters, digits and . _ - : only (no slash), at most 64 characters.",
            field=field,
        )
    return value


# --- Members and subsystems ------------------------------------------------------------------
def member_register(
    *,
    actor: Any = None,
    member_class: str,
    code: str,
    name: str,
    instance: str | None = None,
    agency: Any = None,
    organisation: Any = None,
) -> Member:
    """Admit an agency or organisation to the exchange."""
    instance = _code(instance or setting("CONGSO_EXCHANGE_INSTANCE"), field="instance")
    code = _code(code, field="code")
    if member_class not in MemberClass.values:
        raise InvalidInput(
            f"Loại thành viên '{member_class}' không hợp lệ.",
            f"Unknown member class '{member_class}'.",
            field="member_class",
        )
    if not _is_operator(actor):
        _refuse(
            actor=actor,
            action="exchange.member.register",
            target_type="exchange.member",
            details={"code": code},
            error=PermissionDenied(
                "Chỉ người vận hành được kết nạp thành viên.", "Only operators admit members."
            ),
        )
    if not name.strip():
        raise InvalidInput("Thiếu tên thành viên.", "The member's name is missing.", field="name")
    with transaction.atomic():
        if Member.objects.filter(instance=instance, member_class=member_class, code=code).exists():
            raise Conflict(
                f"Đã có thành viên {instance}/{member_class}/{code}.",
                f"Member {instance}/{member_class}/{code} exists.",
                field="code",
            )
        member = Member.objects.create(
            instance=instance,
            member_class=member_class,
            code=code,
            name=name.strip(),
            agency=agency,
            organisation=organisation,
        )
        audit_record(
            actor=actor,
            action="exchange.member.register",
            target=member,
            details={"id": f"{instance}/{member_class}/{code}"},
        )
    return member


def subsystem_register(
    *, actor: Any = None, member: Member, code: str, name: str, rate_limit_per_minute: int | None = None
) -> Subsystem:
    """Add one of the member's information systems."""
    code = _code(code, field="code")
    _require_admin(actor, member, action="exchange.subsystem.register", target=member)
    with transaction.atomic():
        if Subsystem.objects.filter(member=member, code=code).exists():
            raise Conflict(
                f"Thành viên đã có hệ thống {code}.",
                f"The member already has subsystem {code}.",
                field="code",
            )
        subsystem = Subsystem.objects.create(
            member=member, code=code, name=name.strip() or code, rate_limit_per_minute=rate_limit_per_minute
        )
        audit_record(
            actor=actor,
            action="exchange.subsystem.register",
            target=subsystem,
            details={"client_id": subsystem.client_id},
        )
        _cache_changed()
    return subsystem


def subsystem_set_active(*, actor: Any = None, subsystem: Subsystem, active: bool) -> Subsystem:
    """Suspend (or resume) a subsystem: it can neither call nor provide while suspended."""
    _require_admin(actor, subsystem.member, action="exchange.subsystem.set_active", target=subsystem)
    with transaction.atomic():
        subsystem.is_active = active
        subsystem.save(update_fields=["is_active"])
        audit_record(
            actor=actor, action="exchange.subsystem.set_active", target=subsystem, details={"active": active}
        )
        _cache_changed()
    return subsystem


def client_key_add(
    *,
    actor: Any = None,
    subsystem: Subsystem,
    jwk: dict[str, Any] | None = None,
    pem: str = "",
    certificate_pem: str = "",
) -> ClientKey:
    """Register a public key (JWK or PEM) for signed assertions, or a TLS client certificate."""
    _require_admin(actor, subsystem.member, action="exchange.client_key.add", target=subsystem)
    if certificate_pem:
        try:
            der = certificate_der_from(certificate_pem)
        except ValueError as exc:
            raise InvalidInput(
                "Chứng thư số không đọc được.",
                f"The certificate cannot be read: {exc}",
                field="certificate_pem",
            ) from None
        thumbprint = certificate_thumbprint(der)
        fields: dict[str, Any] = {
            "kind": ClientKeyKind.CERTIFICATE,
            "kid": f"x5t#S256:{thumbprint}",
            "certificate_pem": certificate_pem.strip(),
            "thumbprint": thumbprint,
        }
    else:
        try:
            public, kid = public_jwk_from(jwk_data=jwk, pem=pem) if jwk is not None or pem else ({}, "")
        except ValueError as exc:
            raise InvalidInput("Khoá công khai không dùng được.", str(exc), field="public_key") from None
        if not public:
            raise InvalidInput("Thiếu khoá công khai.", "A public key is missing.", field="public_key")
        fields = {"kind": ClientKeyKind.JWK, "kid": kid, "public_jwk": public}
    with transaction.atomic():
        if ClientKey.objects.filter(subsystem=subsystem, kid=fields["kid"]).exists():
            raise Conflict("Khoá này đã được đăng ký.", "This key is already registered.", field="kid")
        key = ClientKey.objects.create(subsystem=subsystem, **fields)
        audit_record(
            actor=actor,
            action="exchange.client_key.add",
            target=key,
            details={"kind": key.kind, "kid": key.kid, "client_id": subsystem.client_id},
        )
    return key


def client_key_revoke(*, actor: Any = None, key: ClientKey) -> ClientKey:
    _require_admin(actor, key.subsystem.member, action="exchange.client_key.revoke", target=key)
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor, action="exchange.client_key.revoke", target=key, details={"kid": key.kid}
            )
    return key


# --- Purposes and services ----------------------------------------------------------------------
def purpose_define(
    *, actor: Any = None, code: str, name_vi: str, name_en: str, description: str = ""
) -> Purpose:
    """Add or rename a purpose (codes are lower-case slugs, e.g. ``administrative-procedure``)."""
    if not _is_operator(actor):
        _refuse(
            actor=actor,
            action="exchange.purpose.define",
            target_type="exchange.purpose",
            details={"code": code},
            error=PermissionDenied(
                "Chỉ người vận hành được khai báo mục đích.", "Only operators define purposes."
            ),
        )
    with transaction.atomic():
        purpose, created = Purpose.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "description": description}
        )
        audit_record(
            actor=actor,
            action="exchange.purpose.define",
            target=purpose,
            details={"code": code, "created": created},
        )
        _cache_changed()
    return purpose


_SERVICE_EDITABLE = frozenset(
    {
        "version",
        "title",
        "title_en",
        "description",
        "openapi",
        "provider_kind",
        "adapter",
        "base_url",
        "connect_timeout",
        "read_timeout",
        "personal_data",
        "builtin",
    }
)


def _service_check(service: Service) -> None:
    if service.code in META_SERVICES:
        raise InvalidInput(
            f"Mã dịch vụ '{service.code}' dành cho dịch vụ danh bạ.",
            f"Service code '{service.code}' is reserved for the directory.",
            field="code",
        )
    if service.provider_kind == ProviderKind.ADAPTER:
        if adapter_get(service.adapter) is None:
            raise InvalidInput(
                f"Không có bộ chuyển đổi '{service.adapter}'.",
                f"There is no adapter '{service.adapter}'.",
                field="adapter",
            )
    elif service.provider_kind == ProviderKind.HTTP:
        if not service.base_url.startswith(("http://", "https://")):
            raise InvalidInput(
                "Dịch vụ bên ngoài cần địa chỉ http:// hoặc https://.",
                "An external service needs an http:// or https:// address.",
                field="base_url",
            )
    else:
        raise InvalidInput("Loại cung cấp không hợp lệ.", "Unknown provider kind.", field="provider_kind")
    if not (0 < service.connect_timeout <= 60 and 0 < service.read_timeout <= 300):
        raise InvalidInput(
            "Thời gian chờ phải trong khoảng (0, 60] giây khi kết nối và (0, 300] giây khi đọc.",
            "Timeouts must be within (0, 60] seconds to connect and (0, 300] seconds to read.",
            field="read_timeout",
        )
    if not isinstance(service.openapi, dict):
        raise InvalidInput(
            "Tài liệu OpenAPI phải là một đối tượng JSON.",
            "The OpenAPI document must be a JSON object.",
            field="openapi",
        )


def service_register(
    *,
    actor: Any = None,
    provider: Subsystem,
    code: str,
    title: str,
    provider_kind: str = ProviderKind.HTTP,
    adapter: str = "",
    base_url: str = "",
    title_en: str = "",
    description: str = "",
    version: str = "v1",
    openapi: dict[str, Any] | None = None,
    personal_data: bool = False,
    purposes: Iterable[Purpose] = (),
    builtin: str = "",
    connect_timeout: float = 3.0,
    read_timeout: float = 10.0,
) -> Service:
    """Publish a service of ``provider`` on the exchange."""
    code = _code(code, field="code")
    _require_admin(actor, provider.member, action="exchange.service.register", target=provider)
    service = Service(
        provider=provider,
        code=code,
        title=title.strip() or code,
        title_en=title_en.strip(),
        description=description,
        version=version,
        openapi=openapi or {},
        provider_kind=provider_kind,
        adapter=adapter,
        base_url=base_url.strip(),
        personal_data=personal_data,
        builtin=builtin,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    _service_check(service)
    with transaction.atomic():
        if Service.objects.filter(provider=provider, code=code).exists():
            raise Conflict(
                f"Hệ thống đã có dịch vụ {code}.", f"The subsystem already provides {code}.", field="code"
            )
        service.save()
        service.purposes.set(list(purposes))
        audit_record(
            actor=actor,
            action="exchange.service.register",
            target=service,
            details={
                "service_id": service.service_id,
                "personal_data": personal_data,
                "purposes": sorted(p.code for p in service.purposes.all()),
            },
        )
        _cache_changed()
    return service


def service_update(
    *, actor: Any = None, service: Service, data: Mapping[str, Any], purposes: Iterable[Purpose] | None = None
) -> Service:
    """Change a service's description, address, timeouts, OpenAPI document or purposes."""
    _require_admin(actor, service.provider.member, action="exchange.service.update", target=service)
    unknown = sorted(set(data) - _SERVICE_EDITABLE)
    if unknown:
        raise InvalidInput(
            f"Không sửa được trường: {', '.join(unknown)}.",
            f"These fields cannot be changed: {', '.join(unknown)}.",
        )
    for name, value in data.items():
        setattr(service, name, value)
    _service_check(service)
    with transaction.atomic():
        service.save()
        if purposes is not None:
            service.purposes.set(list(purposes))
        audit_record(
            actor=actor,
            action="exchange.service.update",
            target=service,
            details={"changed": sorted(data), "purposes_changed": purposes is not None},
        )
        _cache_changed()
    return service


def service_set_enabled(*, actor: Any = None, service: Service, enabled: bool) -> Service:
    _require_admin(actor, service.provider.member, action="exchange.service.set_enabled", target=service)
    with transaction.atomic():
        service.is_enabled = enabled
        service.save(update_fields=["is_enabled", "updated_at"])
        audit_record(
            actor=actor, action="exchange.service.set_enabled", target=service, details={"enabled": enabled}
        )
        _cache_changed()
    return service


# --- Access rights -----------------------------------------------------------------------------
def access_right_grant(
    *,
    actor: Any = None,
    client: Subsystem,
    service: Service,
    legal_basis: str = "",
    legal_basis_purposes: Iterable[Purpose] = (),
) -> AccessRight:
    """Let ``client`` call ``service``; with a legal basis, personal data for its purposes without consent."""
    _require_admin(actor, service.provider.member, action="exchange.access_right.grant", target=service)
    purposes = list(legal_basis_purposes)
    if purposes and not legal_basis.strip():
        raise InvalidInput(
            "Mục đích không cần sự đồng ý phải đi kèm căn cứ pháp lý.",
            "Purposes exempt from consent need the legal basis that exempts them.",
            field="legal_basis",
        )
    with transaction.atomic():
        if AccessRight.objects.active().filter(client=client, service=service).exists():
            raise Conflict(
                f"{client.client_id} đã có quyền dùng {service.service_id}.",
                f"{client.client_id} already holds a right to {service.service_id}.",
            )
        right = AccessRight.objects.create(
            client=client,
            service=service,
            legal_basis=legal_basis.strip(),
            granted_by=actor if _user(actor) else None,
        )
        right.legal_basis_purposes.set(purposes)
        audit_record(
            actor=actor,
            action="exchange.access_right.grant",
            target=right,
            details={
                "client": client.client_id,
                "service": service.service_id,
                "legal_basis": right.legal_basis,
                "legal_basis_purposes": sorted(p.code for p in purposes),
            },
        )
        _cache_changed()
    return right


def access_right_revoke(*, actor: Any = None, right: AccessRight) -> AccessRight:
    """End a right; the next call is refused (at once here, within the cache time elsewhere)."""
    _require_admin(actor, right.service.provider.member, action="exchange.access_right.revoke", target=right)
    with transaction.atomic():
        if right.revoked_at is None:
            right.revoked_at = timezone.now()
            right.revoked_by = actor if _user(actor) else None
            right.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor,
                action="exchange.access_right.revoke",
                target=right,
                details={"client": right.client.client_id, "service": right.service.service_id},
            )
        _cache_changed()
    return right


def _user(actor: Any) -> bool:
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None)
    )


# --- Consent --------------------------------------------------------------------------------------
def consent_grant(
    *,
    citizen_user: Any,
    consumer_subsystem: Subsystem,
    services: Sequence[Service],
    purpose: Purpose | str,
    valid_until: datetime,
    dossier_ref: str = "",
) -> Consent:
    """Record a person's consent that ``consumer_subsystem`` receive ``services`` for ``purpose``.

    Decree 13/2023 art. 11: the consent names the purpose, the data and the recipient, and
    lasts until ``valid_until`` (at most ``CONGSO_EXCHANGE_CONSENT_MAX_DAYS``) or until
    withdrawn.
    """
    personal_id = personal_id_of(citizen_user)
    if not personal_id:
        raise InvalidInput(
            "Tài khoản không gắn với số định danh cá nhân nên không thể đồng ý chia sẻ dữ liệu cá nhân.",
            "The account has no personal ID number, so it cannot consent to sharing personal data.",
        )
    if isinstance(purpose, str):
        found = Purpose.objects.filter(code=purpose).first()
        if found is None:
            raise InvalidInput(
                f"Không có mục đích '{purpose}'.", f"There is no purpose '{purpose}'.", field="purpose"
            )
        purpose = found
    services = list(services)
    if not services:
        raise InvalidInput(
            "Cần chọn ít nhất một loại dữ liệu.", "Choose at least one kind of data.", field="services"
        )
    now = timezone.now()
    if valid_until <= now:
        raise InvalidInput(
            "Thời hạn đồng ý phải ở tương lai.", "The consent must end in the future.", field="valid_until"
        )
    if valid_until > now + timedelta(days=int(setting("CONGSO_EXCHANGE_CONSENT_MAX_DAYS"))):
        raise InvalidInput(
            f"Thời hạn đồng ý tối đa {setting('CONGSO_EXCHANGE_CONSENT_MAX_DAYS')} ngày.",
            f"A consent lasts at most {setting('CONGSO_EXCHANGE_CONSENT_MAX_DAYS')} days.",
            field="valid_until",
        )
    for service in services:
        service_purposes = {p.code for p in service.purposes.all()}
        if not service.personal_data:
            raise InvalidInput(
                f"Dịch vụ {service.title} không chứa dữ liệu cá nhân nên không cần đồng ý.",
                f"Service {service.title} holds no personal data and needs no consent.",
                field="services",
            )
        if service_purposes and purpose.code not in service_purposes:
            raise InvalidInput(
                f"Dịch vụ {service.title} không phục vụ mục đích '{purpose.name_vi}'.",
                f"Service {service.title} does not serve the purpose '{purpose.name_en}'.",
                field="purpose",
            )
        if not AccessRight.objects.active().filter(client=consumer_subsystem, service=service).exists():
            raise InvalidInput(
                f"Hệ thống {consumer_subsystem.name} không có quyền dùng dịch vụ {service.title}.",
                f"System {consumer_subsystem.name} holds no right to service {service.title}.",
                field="services",
            )
    with transaction.atomic():
        consent = Consent.objects.create(
            subject_personal_id=personal_id,
            subject_user=citizen_user,
            consumer=consumer_subsystem,
            purpose=purpose,
            dossier_ref=dossier_ref[:64],
            granted_at=now,
            valid_from=now,
            valid_until=valid_until,
        )
        consent.services.set(services)
        audit_record(
            actor=citizen_user,
            action="exchange.consent.grant",
            target=consent,
            details={
                "receipt_id": str(consent.receipt_id),
                "consumer": consumer_subsystem.client_id,
                "purpose": purpose.code,
                "services": [service.service_id for service in services],
                "valid_until": valid_until,
                "dossier_ref": consent.dossier_ref,
            },
        )
    return consent


def consent_revoke(*, citizen_user: Any, consent: Consent) -> Consent:
    """Withdraw a consent (Decree 13/2023 art. 12): the next call relying on it is refused."""
    if consent.subject_personal_id != personal_id_of(citizen_user):
        _refuse(
            actor=citizen_user,
            action="exchange.consent.revoke",
            target=consent,
            details={"receipt_id": str(consent.receipt_id)},
            error=PermissionDenied(
                "Bạn chỉ rút lại được sự đồng ý của chính mình.", "You can only withdraw your own consents."
            ),
        )
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=citizen_user,
                action="exchange.consent.revoke",
                target=locked,
                details={"receipt_id": str(locked.receipt_id)},
            )
        consent.revoked_at = locked.revoked_at
    return consent

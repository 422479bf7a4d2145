"""The built-in registry services and :func:`exchange_demo_setup`, which publishes them.

Each base registry is published by the agency that owns it (``registry.Registry``), under a
subsystem of that agency's member, with an OpenAPI document. The portal's subsystem gets a
right to each service it prefills forms from; their personal data needs the person's consent
(there is no legal basis configured for the portal), which the application wizard asks for.
The electronic-identity system gets one right, with a legal basis: which enterprises a person
represents, to bind organisation accounts to their legal representative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from congso.core.errors import NotFound

from .conf import setting
from .events import event_type_define
from .ids import ClientId
from .models import AccessRight, EventType, Member, MemberClass, ProviderKind, Purpose, Service, Subsystem
from .services import (
    access_right_grant,
    member_register,
    purpose_define,
    service_register,
    service_update,
    subsystem_register,
)

PURPOSES: tuple[tuple[str, str, str], ...] = (
    ("administrative-procedure", "Giải quyết thủ tục hành chính", "Handling an administrative procedure"),
    ("identity-verification", "Xác minh nhân thân", "Verifying a person's identity"),
    ("health-care", "Khám bệnh, chữa bệnh bảo hiểm y tế", "Health care covered by health insurance"),
    (
        "organisation-representation",
        "Xác định người đại diện theo pháp luật của tổ chức",
        "Establishing who legally represents an organisation",
    ),
)
_PERSONAL_PURPOSES = ("administrative-procedure", "identity-verification")
# Organisations' electronic-identification accounts are bound to their legal representative
# (Decree 69/2024/NĐ-CP); processing personal data that a law requires needs no consent
# (Decree 13/2023/NĐ-CP art. 17).
EID_LEGAL_BASIS = (
    "Nghị định 69/2024/NĐ-CP về định danh và xác thực điện tử (tài khoản định danh điện tử của "
    "tổ chức); Nghị định 13/2023/NĐ-CP, Điều 17"
)

_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
_PLACE = {
    "type": "object",
    "nullable": True,
    "properties": dict.fromkeys(
        ("address", "address_line", "commune_code", "commune", "province_code", "province"), _STRING
    ),
}


@dataclass(frozen=True)
class BuiltinService:
    alias: str
    registry_kind: str
    subsystem_code: str
    code: str
    title: str
    title_en: str
    description: str
    personal_data: bool
    path: str
    schema: dict[str, Any]
    purposes: tuple[str, ...] = _PERSONAL_PURPOSES
    parameters: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    # Which of the platform's own subsystems get a right to it ("portal", "eid"), and the law
    # under which they receive personal data without consent (empty: consent is needed).
    clients: tuple[str, ...] = ("portal",)
    legal_basis: str = ""
    # Events the registry publishes about the service's data: (code, title).
    events: tuple[tuple[str, str], ...] = ()


BUILTIN_SERVICES: tuple[BuiltinService, ...] = (
    BuiltinService(
        alias="registry.citizen",
        registry_kind="population",
        subsystem_code="DANCU",
        code="citizen-basic",
        title="Thông tin cơ bản của công dân",
        title_en="Citizen's basic data",
        description="Họ tên, ngày sinh, giới tính, dân tộc, quốc tịch, quê quán và nơi thường trú.",
        personal_data=True,
        path="/",
        schema={
            "type": "object",
            "properties": {
                "personal_id": _STRING,
                "full_name": _STRING,
                "date_of_birth": _DATE,
                "sex": {"type": "string", "enum": ["M", "F"]},
                "sex_label": _STRING,
                "ethnicity": _STRING,
                "ethnicity_label": _STRING,
                "nationality": _STRING,
                "place_of_origin": _STRING,
                "permanent_residence": _PLACE,
            },
        },
    ),
    BuiltinService(
        alias="registry.household",
        registry_kind="population",
        subsystem_code="DANCU",
        code="household",
        title="Thông tin hộ gia đình",
        title_en="Household",
        description="Số hộ, nơi cư trú của hộ, chủ hộ và các thành viên.",
        personal_data=True,
        path="/",
        schema={
            "type": "object",
            "properties": {
                "code": _STRING,
                "residence": _PLACE,
                "head": {
                    "type": "object",
                    "nullable": True,
                    "properties": {"personal_id": _STRING, "full_name": _STRING},
                },
                "members": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "personal_id": _STRING,
                            "full_name": _STRING,
                            "date_of_birth": _DATE,
                            "relationship": _STRING,
                            "relationship_label": _STRING,
                        },
                    },
                },
            },
        },
    ),
    BuiltinService(
        alias="registry.residence",
        registry_kind="population",
        subsystem_code="DANCU",
        code="residence",
        title="Thông tin cư trú",
        title_en="Residence",
        description="Nơi thường trú và nơi tạm trú.",
        personal_data=True,
        path="/",
        events=(("residence.changed", "Nơi thường trú hoặc tạm trú của công dân thay đổi"),),
        schema={
            "type": "object",
            "properties": {"personal_id": _STRING, "permanent": _PLACE, "temporary": _PLACE},
        },
    ),
    BuiltinService(
        alias="registry.enterprise",
        registry_kind="organisations",
        subsystem_code="DKKD",
        code="enterprise",
        title="Thông tin đăng ký doanh nghiệp",
        title_en="Enterprise registration",
        description="Toàn bộ thông tin đăng ký của doanh nghiệp theo mã số doanh nghiệp.",
        personal_data=False,
        path="/{code}",
        purposes=(),
        parameters=(
            {
                "name": "code",
                "in": "path",
                "required": True,
                "schema": _STRING,
                "description": "Mã số doanh nghiệp",
            },
        ),
        schema={
            "type": "object",
            "properties": {
                "code": _STRING,
                "name": _STRING,
                "english_name": _STRING,
                "legal_form": _STRING,
                "status": _STRING,
                "status_label": _STRING,
                "founded_date": _DATE,
                "head_office": _PLACE,
                "business_lines": {"type": "array", "items": _STRING},
                "representative": {"type": "object", "nullable": True, "properties": {"full_name": _STRING}},
                "phone": _STRING,
                "email": _STRING,
            },
        },
    ),
    BuiltinService(
        alias="registry.represented-enterprises",
        registry_kind="organisations",
        subsystem_code="DKKD",
        code="represented-enterprises",
        title="Doanh nghiệp do công dân làm người đại diện theo pháp luật",
        title_en="Enterprises the person legally represents",
        description="Mã số, tên, loại hình và tình trạng của các doanh nghiệp còn tồn tại mà "
        "công dân là người đại diện theo pháp luật.",
        personal_data=True,
        path="/",
        purposes=("organisation-representation",),
        clients=("eid",),
        legal_basis=EID_LEGAL_BASIS,
        schema={
            "type": "object",
            "properties": {
                "personal_id": _STRING,
                "enterprises": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": dict.fromkeys(
                            ("code", "name", "legal_form", "status", "status_label"), _STRING
                        ),
                    },
                },
            },
        },
    ),
    BuiltinService(
        alias="registry.driver-licence",
        registry_kind="driver_licences",
        subsystem_code="GPLX",
        code="driver-licences",
        title="Giấy phép lái xe",
        title_en="Driving licences",
        description="Các giấy phép lái xe của công dân.",
        personal_data=True,
        path="/",
        schema={
            "type": "object",
            "properties": {
                "personal_id": _STRING,
                "licences": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "number": _STRING,
                            "classes": {"type": "array", "items": _STRING},
                            "issue_date": _DATE,
                            "expiry_date": _NULLABLE_DATE,
                            "status": _STRING,
                            "issuing_agency": _STRING,
                        },
                    },
                },
            },
        },
    ),
    BuiltinService(
        alias="registry.vehicle",
        registry_kind="vehicles",
        subsystem_code="DKX",
        code="vehicles",
        title="Phương tiện đã đăng ký",
        title_en="Registered vehicles",
        description="Các xe đăng ký thuộc sở hữu của công dân.",
        personal_data=True,
        path="/",
        schema={
            "type": "object",
            "properties": {
                "owner_id": _STRING,
                "vehicles": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": dict.fromkeys(
                            (
                                "plate",
                                "vehicle_type",
                                "brand",
                                "model",
                                "colour",
                                "chassis_number",
                                "engine_number",
                                "registration_date",
                                "status",
                            ),
                            _STRING,
                        ),
                    },
                },
            },
        },
    ),
    BuiltinService(
        alias="registry.health-insurance",
        registry_kind="health_insurance",
        subsystem_code="BHYT",
        code="health-insurance-card",
        title="Thẻ bảo hiểm y tế",
        title_en="Health-insurance card",
        description="Thẻ bảo hiểm y tế của công dân (còn hạn vào ngày 'on' nếu có).",
        personal_data=True,
        path="/",
        purposes=(*_PERSONAL_PURPOSES, "health-care"),
        parameters=(
            {
                "name": "on",
                "in": "query",
                "required": False,
                "schema": _DATE,
                "description": "Ngày cần thẻ còn hạn",
            },
        ),
        schema={
            "type": "object",
            "properties": {
                "personal_id": _STRING,
                "number": _STRING,
                "benefit_level": {"type": "integer"},
                "benefit_level_label": _STRING,
                "primary_care_facility_code": _STRING,
                "primary_care_facility_name": _STRING,
                "valid_from": _DATE,
                "valid_to": _NULLABLE_DATE,
            },
        },
    ),
)

_SUBSYSTEM_NAMES = {
    "DANCU": "Cơ sở dữ liệu quốc gia về dân cư",
    "DKKD": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
    "GPLX": "Cơ sở dữ liệu giấy phép lái xe",
    "DKX": "Cơ sở dữ liệu đăng ký phương tiện",
    "BHYT": "Cơ sở dữ liệu bảo hiểm y tế",
}

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"code": _STRING, "message": _STRING, "message_vi": _STRING, "message_en": _STRING},
}


def builtin_openapi(spec: BuiltinService) -> dict[str, Any]:
    """The OpenAPI 3 document published with a built-in service."""
    headers: list[dict[str, Any]] = [
        {
            "name": "X-Road-Client",
            "in": "header",
            "required": True,
            "schema": _STRING,
            "description": "INSTANCE/CLASS/MEMBER/SUBSYSTEM của hệ thống gọi (or Information-Mediator-Client)",
        },
        {
            "name": "Information-Mediator-Purpose",
            "in": "header",
            "required": spec.personal_data,
            "schema": {"type": "string", "enum": list(spec.purposes)} if spec.purposes else _STRING,
            "description": "Mục đích sử dụng dữ liệu",
        },
        {
            "name": "Information-Mediator-Dossier",
            "in": "header",
            "required": False,
            "schema": _STRING,
            "description": "Mã hồ sơ đang giải quyết",
        },
    ]
    if spec.personal_data:
        headers.insert(
            1,
            {
                "name": "Information-Mediator-Data-Subject",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]{12}$"},
                "description": "Số định danh cá nhân của chủ thể dữ liệu",
            },
        )
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": spec.title,
            "version": "v1",
            "description": f"{spec.description} ({spec.title_en})",
        },
        "paths": {
            spec.path: {
                "get": {
                    "operationId": spec.code,
                    "summary": spec.title,
                    "parameters": [*spec.parameters, *headers],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": spec.schema}},
                        },
                        "404": {"description": "Không có dữ liệu (not found)", **error},
                        "422": {"description": "Khoá tra cứu không hợp lệ (invalid key)", **error},
                    },
                }
            }
        },
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }


@dataclass
class DemoSetupReport:
    members: int = 0
    services: list[str] = field(default_factory=list)
    skipped_registries: list[str] = field(default_factory=list)
    portal: str = ""


def _member_for_agency(agency: Any, instance: str) -> Member:
    member = Member.objects.filter(instance=instance, member_class=MemberClass.GOV, code=agency.code).first()
    if member is None:
        member = member_register(
            member_class=MemberClass.GOV, code=agency.code, name=agency.name, instance=instance, agency=agency
        )
    return member


def _subsystem(member: Member, code: str, name: str) -> Subsystem:
    subsystem = Subsystem.objects.filter(member=member, code=code).first()
    return subsystem or subsystem_register(member=member, code=code, name=name)


def _own_subsystem(setting_name: str, name: str, agencies: dict[str, Any]) -> Subsystem:
    """One of the platform's own systems, registered under the member its setting names."""
    client_id = ClientId.parse(setting(setting_name))
    if client_id is None:
        raise ValueError(f"{setting_name} must be INSTANCE/CLASS/MEMBER/SUBSYSTEM")
    member = Member.objects.filter(
        instance=client_id.instance, member_class=client_id.member_class, code=client_id.member_code
    ).first() or member_register(
        member_class=client_id.member_class,
        code=client_id.member_code,
        name=f"{settings.CONGSO_SITE_NAME} — đơn vị vận hành cổng",
        instance=client_id.instance,
        agency=agencies.get(client_id.member_code),
    )
    return _subsystem(member, client_id.subsystem_code, name)


@transaction.atomic
def exchange_demo_setup() -> DemoSetupReport:
    """Register the instance's members, the built-in registry services and the portal (idempotent)."""
    from congso.registry import selectors as registry_selectors
    from congso.registry.models import Agency  # the agency tree is public reference data

    from .gateway import exchange_cache_clear

    report = DemoSetupReport()
    instance = setting("CONGSO_EXCHANGE_INSTANCE")
    purposes = {
        purpose.code: purpose
        for purpose in Purpose.objects.filter(code__in=[code for code, _, _ in PURPOSES])
    }
    for code, vi, en in PURPOSES:
        existing_purpose = purposes.get(code)
        if existing_purpose is None or (existing_purpose.name_vi, existing_purpose.name_en) != (vi, en):
            purposes[code] = purpose_define(code=code, name_vi=vi, name_en=en)
    agencies = {agency.code: agency for agency in Agency.objects.order_by("code")}
    for agency in agencies.values():
        _member_for_agency(agency, instance)
    report.members = len(agencies)

    own = {
        "portal": _own_subsystem(
            "CONGSO_EXCHANGE_PORTAL_CLIENT", f"Cổng dịch vụ công {settings.CONGSO_SITE_NAME}", agencies
        ),
        "eid": _own_subsystem("CONGSO_EXCHANGE_EID_CLIENT", "Hệ thống định danh điện tử", agencies),
    }
    report.portal = own["portal"].client_id

    for spec in BUILTIN_SERVICES:
        try:
            owner = registry_selectors.registry_owner_get(kind=spec.registry_kind)
        except NotFound:  # no owner configured for this registry in this deployment
            report.skipped_registries.append(spec.registry_kind)
            continue
        provider = _subsystem(
            _member_for_agency(owner, instance), spec.subsystem_code, _SUBSYSTEM_NAMES[spec.subsystem_code]
        )
        service_purposes = [purposes[code] for code in spec.purposes]
        existing = (
            Service.objects.filter(builtin=spec.alias).first()
            or Service.objects.filter(provider=provider, code=spec.code).first()
        )
        data: dict[str, Any] = {
            "title": spec.title,
            "title_en": spec.title_en,
            "description": spec.description,
            "openapi": builtin_openapi(spec),
            "provider_kind": ProviderKind.ADAPTER,
            "adapter": spec.alias,
            "personal_data": spec.personal_data,
            "builtin": spec.alias,
        }
        if existing is None:
            service = service_register(provider=provider, code=spec.code, purposes=service_purposes, **data)
        else:
            service = existing
            changed = {name: value for name, value in data.items() if getattr(existing, name) != value}
            current_purposes = {p.code for p in existing.purposes.all()}
            if changed or current_purposes != set(spec.purposes):
                service = service_update(service=existing, data=changed, purposes=service_purposes)
        for event_code, event_title in spec.events:
            if not EventType.objects.filter(provider=provider, code=event_code).exists():
                event_type_define(provider=provider, code=event_code, title=event_title, service=service)
        for client_key in spec.clients:
            client = own[client_key]
            if not AccessRight.objects.active().filter(client=client, service=service).exists():
                access_right_grant(
                    client=client,
                    service=service,
                    legal_basis=spec.legal_basis,
                    legal_basis_purposes=service_purposes if spec.legal_basis else (),
                )
        report.services.append(service.service_id)
    transaction.on_commit(exchange_cache_clear)
    return report

"""The base registries published as exchange services (the built-in providers).

This module and the registry itself are the only code that reads another agency's registry
(``tests/exchange/test_boundaries.py`` enforces it): every other domain asks through the
exchange, which checks the right and the consent and logs the call first.

Personal-data services answer about the data subject the gateway vetted (the
``Information-Mediator-Data-Subject`` header), never about an ID taken from the path: a client
cannot name one person in the header, for whom it has consent, and ask about another.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from congso.core.errors import DomainError
from congso.registry import selectors as registry_selectors
from congso.registry.models import AdministrativeUnit, Citizen

from .providers import ProviderRequest, ProviderResponse, adapter, json_response


def _error(error: DomainError) -> ProviderResponse:
    return json_response(error.as_dict(), status=error.status)


def _method_not_allowed() -> ProviderResponse:
    return json_response(
        {
            "code": "method_not_allowed",
            "message": "Dịch vụ chỉ nhận GET (the service accepts GET only)",
            "message_vi": "Dịch vụ chỉ nhận GET",
            "message_en": "The service accepts GET only",
        },
        status=405,
    )


def _not_found(path: str) -> ProviderResponse:
    return json_response(
        {
            "code": "not_found",
            "message": f"Không có tài nguyên {path} (no resource {path})",
            "message_vi": f"Không có tài nguyên {path}",
            "message_en": f"No resource {path}",
        },
        status=404,
    )


def _place(address: str, commune: AdministrativeUnit | None) -> dict[str, Any] | None:
    if commune is None:
        return None
    province = commune.parent
    parts = [address, commune.name, province.name if province else ""]
    return {
        "address": ", ".join(part for part in parts if part),
        "address_line": address,
        "commune_code": commune.code,
        "commune": commune.name,
        "province_code": province.code if province else "",
        "province": province.name if province else "",
    }


def _citizen(request: ProviderRequest) -> Citizen:
    return registry_selectors.citizen_get_by_personal_id(personal_id=request.data_subject)


def _personal(request: ProviderRequest) -> bool:
    return request.method == "GET" and request.path in {"", "/"}


@adapter("registry.citizen")
def citizen_basic(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        citizen = _citizen(request)
    except DomainError as error:
        return _error(error)
    return json_response(
        {
            "personal_id": citizen.personal_id,
            "full_name": citizen.full_name,
            "date_of_birth": citizen.date_of_birth.isoformat(),
            "sex": citizen.sex,
            "sex_label": citizen.get_sex_display(),
            "ethnicity": citizen.ethnicity,
            "ethnicity_label": citizen.get_ethnicity_display(),
            "nationality": citizen.nationality,
            "place_of_origin": citizen.place_of_origin,
            "permanent_residence": _place(citizen.permanent_address, citizen.permanent_commune),
        }
    )


@adapter("registry.residence")
def residence(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        citizen = _citizen(request)
    except DomainError as error:
        return _error(error)
    return json_response(
        {
            "personal_id": citizen.personal_id,
            "permanent": _place(citizen.permanent_address, citizen.permanent_commune),
            "temporary": _place(citizen.temporary_address, citizen.temporary_commune)
            if citizen.temporary_address
            else None,
        }
    )


@adapter("registry.household")
def household(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        citizen = _citizen(request)
    except DomainError as error:
        return _error(error)
    view = registry_selectors.household_get_for_citizen(citizen=citizen)
    if view is None:
        return json_response(
            {
                "code": "not_found",
                "message": "Công dân chưa thuộc hộ gia đình nào (the person is in no household)",
                "message_vi": "Công dân chưa thuộc hộ gia đình nào",
                "message_en": "The person is in no household",
            },
            status=404,
        )
    return json_response(
        {
            "code": view.household.code,
            "residence": _place(view.household.address_line, view.household.commune),
            "head": {"personal_id": view.head.personal_id, "full_name": view.head.full_name}
            if view.head
            else None,
            "members": [
                {
                    "personal_id": member.citizen.personal_id,
                    "full_name": member.citizen.full_name,
                    "date_of_birth": member.citizen.date_of_birth.isoformat(),
                    "relationship": member.relationship,
                    "relationship_label": member.get_relationship_display(),
                }
                for member in view.members
            ],
        }
    )


@adapter("registry.enterprise")
def enterprise(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    code = request.path.strip("/")
    if not code or "/" in code:
        return _not_found(request.path)
    try:
        organisation = registry_selectors.organisation_get_by_code(code=code)
    except DomainError as error:
        return _error(error)
    representative = organisation.representative
    return json_response(
        {
            "code": organisation.code,
            "name": organisation.name,
            "english_name": organisation.english_name,
            "legal_form": organisation.legal_form,
            "status": organisation.status,
            "status_label": organisation.get_status_display(),
            "founded_date": organisation.founded_date.isoformat(),
            "head_office": _place(organisation.address_line, organisation.commune),
            "business_lines": [
                line.strip() for line in organisation.business_lines.split(",") if line.strip()
            ],
            "representative": {"full_name": representative.full_name} if representative else None,
            "phone": organisation.phone,
            "email": organisation.email,
        }
    )


@adapter("registry.represented-enterprises")
def represented_enterprises(request: ProviderRequest) -> ProviderResponse:
    """The enterprises the data subject is the legal representative of (none is an answer too)."""
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        organisations = registry_selectors.organisations_represented_by(personal_id=request.data_subject)
    except DomainError as error:
        return _error(error)
    return json_response(
        {
            "personal_id": request.data_subject,
            "enterprises": [
                {
                    "code": organisation.code,
                    "name": organisation.name,
                    "legal_form": organisation.legal_form,
                    "status": organisation.status,
                    "status_label": organisation.get_status_display(),
                }
                for organisation in organisations
            ],
        }
    )


@adapter("registry.driver-licence")
def driver_licences(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        licences = list(registry_selectors.driver_licences_for(personal_id=request.data_subject))
    except DomainError as error:
        return _error(error)
    return json_response(
        {
            "personal_id": request.data_subject,
            "licences": [
                {
                    "number": licence.number,
                    "classes": [item for item in licence.classes.split(",") if item],
                    "issue_date": licence.issue_date.isoformat(),
                    "expiry_date": licence.expiry_date.isoformat() if licence.expiry_date else None,
                    "status": licence.status,
                    "issuing_agency": licence.issuing_agency.name if licence.issuing_agency else "",
                }
                for licence in licences
            ],
        }
    )


@adapter("registry.vehicle")
def vehicles(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    try:
        registrations = list(registry_selectors.vehicles_for(owner_id=request.data_subject))
    except DomainError as error:
        return _error(error)
    return json_response(
        {
            "owner_id": request.data_subject,
            "vehicles": [
                {
                    "plate": vehicle.plate,
                    "vehicle_type": vehicle.vehicle_type,
                    "brand": vehicle.brand,
                    "model": vehicle.model,
                    "colour": vehicle.colour,
                    "chassis_number": vehicle.chassis_number,
                    "engine_number": vehicle.engine_number,
                    "registration_date": vehicle.registration_date.isoformat(),
                    "status": vehicle.status,
                }
                for vehicle in registrations
            ],
        }
    )


@adapter("registry.health-insurance")
def health_insurance_card(request: ProviderRequest) -> ProviderResponse:
    if request.method != "GET":
        return _method_not_allowed()
    if not _personal(request):
        return _not_found(request.path)
    on_text = request.query_params().get("on", "")
    try:
        on = date.fromisoformat(on_text) if on_text else None
    except ValueError:
        return json_response(
            {
                "code": "invalid_input",
                "field": "on",
                "message": "Ngày 'on' phải có dạng YYYY-MM-DD (the 'on' date must be YYYY-MM-DD)",
                "message_vi": "Ngày 'on' phải có dạng YYYY-MM-DD",
                "message_en": "The 'on' date must be YYYY-MM-DD",
            },
            status=422,
        )
    try:
        card = registry_selectors.health_insurance_card_for(personal_id=request.data_subject, on=on)
    except DomainError as error:
        return _error(error)
    if card is None:
        return json_response(
            {
                "code": "not_found",
                "message": "Không có thẻ bảo hiểm y tế (no health-insurance card)",
                "message_vi": "Không có thẻ bảo hiểm y tế",
                "message_en": "No health-insurance card",
            },
            status=404,
        )
    return json_response(
        {
            "personal_id": request.data_subject,
            "number": card.number,
            "benefit_level": card.benefit_level,
            "benefit_level_label": card.get_benefit_level_display(),
            "primary_care_facility_code": card.primary_care_facility_code,
            "primary_care_facility_name": card.primary_care_facility_name,
            "valid_from": card.valid_from.isoformat(),
            "valid_to": card.valid_to.isoformat() if card.valid_to else None,
        }
    )

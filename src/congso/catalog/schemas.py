"""API schemas of the catalog: the public description of procedures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from congso.core.money import format_vnd
from congso.registry.choices import AgencyKind, RegistryKind

from .models import FeeItem, Procedure, RequiredDocument


class ErrorOut(Schema):
    """A refusal, in Vietnamese first and English second."""

    code: str
    message: str
    message_vi: str
    message_en: str
    field: str | None = None


class FieldOut(Schema):
    code: str
    name: str


class AgencyOut(Schema):
    code: str
    name: str


class DocumentOut(Schema):
    name: str
    description: str
    copies: int
    mandatory: bool
    registry_source: str
    registry_source_label: str
    state_holds: bool
    online_form: bool
    file_types: list[str]

    @staticmethod
    def resolve_registry_source_label(obj: RequiredDocument) -> str:
        return str(RegistryKind(obj.registry_source).label) if obj.registry_source else ""

    @staticmethod
    def resolve_state_holds(obj: RequiredDocument) -> bool:
        return bool(obj.registry_source)

    @staticmethod
    def resolve_file_types(obj: RequiredDocument) -> list[str]:
        return obj.file_types_list


class FeeOut(Schema):
    name: str
    amount: int
    amount_display: str
    condition: str

    @staticmethod
    def resolve_amount_display(obj: FeeItem) -> str:
        return format_vnd(obj.amount)


class ProcedureSummaryOut(Schema):
    """A search result."""

    code: str
    name: str
    url: str
    field: FieldOut
    level: str
    level_label: str
    agency_kind: str
    online_level: str
    online_level_label: str
    processing_days: int
    assurance_level: int
    fee_free: bool

    @staticmethod
    def resolve_url(obj: Procedure) -> str:
        return reverse("catalog:procedure_detail", kwargs={"code": obj.code})

    @staticmethod
    def resolve_level_label(obj: Procedure) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_online_level_label(obj: Procedure) -> str:
        return str(obj.get_online_level_display())

    @staticmethod
    def resolve_fee_free(obj: Procedure) -> bool:
        has_fees = getattr(obj, "has_fees", None)
        return not (obj.fees.exists() if has_fees is None else has_fees)


class ProcedurePageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[ProcedureSummaryOut]


class ProcedureOut(Schema):
    """Everything needed to apply."""

    code: str
    name: str
    url: str
    field: FieldOut
    level: str
    level_label: str
    agency_kind: str
    agency_kind_label: str
    agencies: list[AgencyOut]
    description: str
    steps: list[str]
    legal_basis: list[str]
    processing_days: int
    processing_note: str
    result_type: str
    result_type_label: str
    result_name: str
    online_level: str
    online_level_label: str
    assurance_level: int
    for_organisations: bool = Field(
        ..., description="Tổ chức, doanh nghiệp cũng được thực hiện (organisations may apply too)"
    )
    documents: list[DocumentOut]
    fees: list[FeeOut]
    fee_free: bool
    form_schema: dict[str, Any]
    form_ui: dict[str, Any]
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_url(obj: Procedure) -> str:
        return reverse("catalog:procedure_detail", kwargs={"code": obj.code})

    @staticmethod
    def resolve_level_label(obj: Procedure) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_agency_kind_label(obj: Procedure) -> str:
        return str(AgencyKind(obj.agency_kind).label) if obj.agency_kind else ""

    @staticmethod
    def resolve_agencies(obj: Procedure) -> list[Any]:
        return list(obj.agencies.all())

    @staticmethod
    def resolve_steps(obj: Procedure) -> list[str]:
        return obj.steps_list

    @staticmethod
    def resolve_legal_basis(obj: Procedure) -> list[str]:
        return obj.legal_basis_list

    @staticmethod
    def resolve_result_type_label(obj: Procedure) -> str:
        return str(obj.get_result_type_display())

    @staticmethod
    def resolve_online_level_label(obj: Procedure) -> str:
        return str(obj.get_online_level_display())

    @staticmethod
    def resolve_documents(obj: Procedure) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_fees(obj: Procedure) -> list[Any]:
        return list(obj.fees.all())

    @staticmethod
    def resolve_fee_free(obj: Procedure) -> bool:
        return not list(obj.fees.all())

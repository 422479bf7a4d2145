"""Writes of the procedure catalog: import (the operators' bulk path) and the demo catalog.

Single procedures are edited in the admin, which audits every save like these functions do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput
from congso.registry.models import Agency

from .interchange import ImportProblem, file_parse, interchange_check, procedure_as_dict
from .models import FeeItem, Procedure, ProcedureField, RequiredDocument

DEMO_CATALOG = Path(__file__).resolve().parent / "demo" / "procedures.json"
_INFORMATION_ONLY = ("version", "updated_at")


class ImportRejected(InvalidInput):
    """The file was refused whole; ``problems`` says what is wrong with each procedure."""

    code = "catalog_import_rejected"

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(
            f"Không nhập tệp: {len(problems)} lỗi, chưa ghi thủ tục nào",
            f"The file was not imported: {len(problems)} problem(s), nothing was written",
        )
        self.problems = problems


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return (
            f"Đã nhập: {len(self.created)} thủ tục mới, {len(self.updated)} cập nhật, "
            f"{len(self.unchanged)} không đổi (imported: {len(self.created)} new, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged)"
        )


def _agency_codes_named(data: Any) -> set[str]:
    """Agency codes anywhere in a file that may still be malformed."""
    procedures = data.get("procedures") if isinstance(data, dict) else None
    if not isinstance(procedures, list):
        return set()
    codes: set[str] = set()
    for raw in procedures:
        agencies = raw.get("agencies") if isinstance(raw, dict) else None
        if isinstance(agencies, list):
            codes.update(code for code in agencies if isinstance(code, str))
    return codes


def _agencies(codes: set[str]) -> dict[str, Agency]:
    # Agencies are public reference data keyed by their national code; the registry has no
    # selector for a list of codes yet, hence the direct read.
    return {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}


def _field_upsert(*, actor: Any, code: str, name: str) -> ProcedureField:
    existing = ProcedureField.objects.filter(code=code).first()
    if existing is None:
        created = ProcedureField.objects.create(code=code, name=name)
        audit_record(actor=actor, action="catalog.field.create", target=created, details={"name": name})
        return created
    if existing.name != name:
        previous = existing.name
        existing.name = name
        existing.save()
        audit_record(
            actor=actor,
            action="catalog.field.update",
            target=existing,
            details={"name": name, "previous": previous},
        )
    return existing


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in _INFORMATION_ONLY}


def _write(
    *, actor: Any, data: dict[str, Any], agencies: dict[str, Agency], source: str
) -> tuple[Procedure, bool]:
    procedure = Procedure.objects.filter(code=data["code"]).first()
    created = procedure is None
    if procedure is None:
        procedure = Procedure(code=data["code"])
    else:
        procedure.version += 1
    procedure.field = _field_upsert(actor=actor, code=data["field"]["code"], name=data["field"]["name"])
    for name in (
        "name",
        "level",
        "agency_kind",
        "description",
        "keywords",
        "processing_days",
        "processing_note",
        "result_type",
        "result_name",
        "online_level",
        "assurance_level",
        "for_organisations",
        "published",
    ):
        setattr(procedure, name, data[name])
    procedure.steps = "\n".join(data["steps"])
    procedure.legal_basis = "\n".join(data["legal_basis"])
    procedure.form_schema = data["form"]["schema"]
    procedure.form_ui = data["form"]["ui"]
    try:
        procedure.full_clean(validate_unique=False)
    except ValidationError as error:
        # interchange_check covers these rules; this is the last guard before writing.
        raise ImportRejected(
            [
                ImportProblem(data["code"], key, "; ".join(messages), "; ".join(messages))
                for key, messages in error.message_dict.items()
            ]
        ) from None
    procedure.save()
    procedure.documents.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            procedure=procedure,
            order=position,
            name=document["name"],
            description=document["description"],
            copies=document["copies"],
            mandatory=document["mandatory"],
            registry_source=document["registry_source"],
            online_form=document["online_form"],
            file_types=",".join(document["file_types"]),
        )
        for position, document in enumerate(data["documents"], start=1)
    )
    procedure.fees.all().delete()
    FeeItem.objects.bulk_create(
        FeeItem(
            procedure=procedure,
            order=position,
            name=fee["name"],
            amount=fee["amount"],
            condition=fee["condition"],
        )
        for position, fee in enumerate(data["fees"], start=1)
    )
    procedure.agencies.set([agencies[code] for code in data["agencies"]])
    audit_record(
        actor=actor,
        action="catalog.procedure.create" if created else "catalog.procedure.update",
        target=procedure,
        details={"version": procedure.version, "via": "import", "source": source},
    )
    return procedure, created


@transaction.atomic
def procedure_import(*, data: Any, actor: Any = None, source: str = "") -> ImportReport:
    """Create or update procedures by code from an interchange file (interchange.py), all or none.

    Everything is checked before anything is written: if any procedure is wrong the whole file
    is refused with :class:`ImportRejected`, listing every problem. Importing the same file
    again changes nothing (procedures equal to what is stored keep their version).
    """
    agencies = _agencies(_agency_codes_named(data))
    procedures, problems = interchange_check(data, known_agencies=set(agencies))
    if problems:
        raise ImportRejected(problems)
    report = ImportReport()
    stored = {
        procedure.code: procedure
        for procedure in Procedure.objects.select_related("field")
        .prefetch_related("agencies", "documents", "fees")
        .filter(code__in=[item["code"] for item in procedures])
    }
    for data_item in procedures:
        existing = stored.get(data_item["code"])
        if existing is not None and _comparable(procedure_as_dict(existing)) == data_item:
            report.unchanged.append(data_item["code"])
            continue
        procedure, created = _write(actor=actor, data=data_item, agencies=agencies, source=source)
        (report.created if created else report.updated).append(procedure.code)
    if report.created or report.updated:
        audit_record(
            actor=actor,
            action="catalog.procedure.import",
            target_type="catalog.import",
            target_id=source[:100] or "file",
            details={
                "created": report.created,
                "updated": report.updated,
                "unchanged": len(report.unchanged),
            },
        )
    return report


def procedure_import_file(*, content: bytes | str, actor: Any = None, source: str = "") -> ImportReport:
    """:func:`procedure_import` of a file's bytes; a file that is not JSON is refused the same way."""
    data, problems = file_parse(content)
    if problems:
        raise ImportRejected(problems)
    return procedure_import(data=data, actor=actor, source=source)


def catalog_demo_load(*, actor: Any = None) -> ImportReport:
    """Load the demo catalog (demo/procedures.json); running it again changes nothing."""
    return procedure_import_file(
        content=DEMO_CATALOG.read_bytes(), actor=actor, source="demo/procedures.json"
    )


@transaction.atomic
def procedure_agencies_assign(
    *, procedure: Procedure, agencies: Sequence[Agency], actor: Any = None
) -> Procedure:
    """Say which agencies carry out ``procedure`` (where applicants may file it); audited."""
    codes = sorted(agency.code for agency in agencies)
    procedure.agencies.set(agencies)
    audit_record(
        actor=actor, action="catalog.procedure.agencies", target=procedure, details={"agencies": codes}
    )
    return procedure

"""The catalog's JSON interchange format: what ``catalog_export`` writes and ``catalog_import`` reads.

One file holds a list of procedures, each complete (field, documents, fees, form), keyed by
its national code. ``version`` and ``updated_at`` are written for information and ignored on
import: the server counts versions itself.

Checking is done whole before anything is written (:func:`interchange_check`): the file's
shape against :data:`FILE_SCHEMA`, then the rules a schema cannot say (known agencies, unique
codes, a valid application form).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from congso.registry.choices import AgencyKind, RegistryKind

from .choices import FILE_TYPES, AssuranceLevel, OnlineLevel, ProcedureLevel, ResultType
from .formschema import error_message, form_problems
from .models import CODE_PATTERN, Procedure

FILE_FORMAT = "congso.catalog/1"
DEFAULT_FILE_TYPES = ["pdf", "jpg", "jpeg", "png"]

_TEXT = {"type": "string"}
_LINES = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1000}}

_DOCUMENT = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 500},
        "description": _TEXT,
        "copies": {"type": "integer", "minimum": 1, "maximum": 100},
        "mandatory": {"type": "boolean"},
        "registry_source": {"enum": ["", *RegistryKind.values]},
        "online_form": {"type": "boolean"},
        "file_types": {"type": "array", "items": {"enum": list(FILE_TYPES)}, "uniqueItems": True},
    },
}
_FEE = {
    "type": "object",
    "required": ["name", "amount"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 300},
        # Money is a whole number of đồng.
        "amount": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "condition": {"type": "string", "maxLength": 500},
    },
}
_PROCEDURE = {
    "type": "object",
    "required": [
        "code",
        "name",
        "field",
        "level",
        "agency_kind",
        "legal_basis",
        "processing_days",
        "result_type",
        "result_name",
        "online_level",
        "form",
    ],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 40},
        "name": {"type": "string", "minLength": 1, "maxLength": 500},
        "field": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 50},
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
            },
        },
        "level": {"enum": ProcedureLevel.values},
        "agency_kind": {"enum": AgencyKind.values},
        "agencies": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
        "description": _TEXT,
        "steps": _LINES,
        "legal_basis": {**_LINES, "minItems": 1},
        "keywords": {"type": "string", "maxLength": 500},
        "processing_days": {"type": "integer", "minimum": 0, "maximum": 32767},
        "processing_note": {"type": "string", "maxLength": 500},
        "result_type": {"enum": ResultType.values},
        "result_name": {"type": "string", "minLength": 1, "maxLength": 300},
        "online_level": {"enum": OnlineLevel.values},
        "assurance_level": {"enum": AssuranceLevel.values},
        "for_organisations": {"type": "boolean"},
        "published": {"type": "boolean"},
        "documents": {"type": "array", "items": _DOCUMENT},
        "fees": {"type": "array", "items": _FEE},
        "form": {
            "type": "object",
            "required": ["schema"],
            "additionalProperties": False,
            "properties": {"schema": {"type": "object"}, "ui": {"type": "object"}},
        },
        "version": {"type": "integer"},
        "updated_at": {"type": "string"},
    },
}
FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["procedures"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FILE_FORMAT},
        "exported_at": _TEXT,
        "note": _TEXT,
        "procedures": {"type": "array", "items": _PROCEDURE},
    },
}
_FILE_VALIDATOR = Draft202012Validator(FILE_SCHEMA)


# --- Export ----------------------------------------------------------------------------------------
def procedure_as_dict(procedure: Procedure) -> dict[str, Any]:
    """The interchange form of one procedure (documents, fees and agencies prefetched or not)."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "level": procedure.level,
        "agency_kind": procedure.agency_kind,
        "agencies": sorted(agency.code for agency in procedure.agencies.all()),
        "description": procedure.description,
        "steps": procedure.steps_list,
        "legal_basis": procedure.legal_basis_list,
        "keywords": procedure.keywords,
        "processing_days": procedure.processing_days,
        "processing_note": procedure.processing_note,
        "result_type": procedure.result_type,
        "result_name": procedure.result_name,
        "online_level": procedure.online_level,
        "assurance_level": procedure.assurance_level,
        "for_organisations": procedure.for_organisations,
        "published": procedure.published,
        "documents": [
            {
                "name": document.name,
                "description": document.description,
                "copies": document.copies,
                "mandatory": document.mandatory,
                "registry_source": document.registry_source,
                "online_form": document.online_form,
                "file_types": document.file_types_list,
            }
            for document in procedure.documents.all()
        ],
        "fees": [
            {"name": fee.name, "amount": fee.amount, "condition": fee.condition}
            for fee in procedure.fees.all()
        ],
        "form": {"schema": procedure.form_schema, "ui": procedure.form_ui},
        "version": procedure.version,
        "updated_at": procedure.updated_at.isoformat() if procedure.updated_at else None,
    }


def file_build(procedures: Iterable[Procedure], *, exported_at: str) -> dict[str, Any]:
    return {
        "format": FILE_FORMAT,
        "exported_at": exported_at,
        "procedures": [procedure_as_dict(procedure) for procedure in procedures],
    }


def file_parse(content: bytes | str) -> tuple[Any, list[ImportProblem]]:
    """The JSON of an uploaded file, or why it is not JSON."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        return json.loads(text), []
    except UnicodeDecodeError:
        return None, [ImportProblem("", "", "Tệp không phải văn bản UTF-8", "The file is not UTF-8 text")]
    except json.JSONDecodeError as error:
        return None, [
            ImportProblem(
                "",
                "",
                f"Tệp không phải JSON hợp lệ: dòng {error.lineno}, cột {error.colno}: {error.msg}",
                f"The file is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}",
            )
        ]


# --- Import checks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportProblem:
    """Why one procedure of a file (or the file itself) cannot be imported."""

    procedure: str  # its code, else its position ("#3"), or "" for the file as a whole
    path: str
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        where = " ".join(part for part in (self.procedure, self.path) if part)
        return (
            f"{where}: {self.message_vi} ({self.message_en})"
            if where
            else f"{self.message_vi} ({self.message_en})"
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "procedure": self.procedure,
            "path": self.path,
            "message": self.message,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


def procedure_normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A file's procedure with every optional key filled, comparable with :func:`procedure_as_dict`."""
    form = raw["form"]
    return {
        "code": raw["code"],
        "name": raw["name"].strip(),
        "field": {"code": raw["field"]["code"], "name": raw["field"]["name"].strip()},
        "level": raw["level"],
        "agency_kind": raw["agency_kind"],
        "agencies": sorted(raw.get("agencies", [])),
        "description": raw.get("description", "").strip(),
        "steps": [step.strip() for step in raw.get("steps", []) if step.strip()],
        "legal_basis": [item.strip() for item in raw["legal_basis"] if item.strip()],
        "keywords": raw.get("keywords", "").strip(),
        "processing_days": raw["processing_days"],
        "processing_note": raw.get("processing_note", "").strip(),
        "result_type": raw["result_type"],
        "result_name": raw["result_name"].strip(),
        "online_level": raw["online_level"],
        "assurance_level": raw.get("assurance_level", AssuranceLevel.LEVEL_2.value),
        "for_organisations": raw.get("for_organisations", False),
        "published": raw.get("published", False),
        "documents": [
            {
                "name": document["name"].strip(),
                "description": document.get("description", "").strip(),
                "copies": document.get("copies", 1),
                "mandatory": document.get("mandatory", True),
                "registry_source": document.get("registry_source", ""),
                "online_form": document.get("online_form", False),
                "file_types": document.get("file_types", DEFAULT_FILE_TYPES),
            }
            for document in raw.get("documents", [])
        ],
        "fees": [
            {
                "name": fee["name"].strip(),
                "amount": fee["amount"],
                "condition": fee.get("condition", "").strip(),
            }
            for fee in raw.get("fees", [])
        ],
        "form": {"schema": form["schema"], "ui": form.get("ui", {})},
    }


def _label(raw: Any, index: int) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return code if isinstance(code, str) and code else f"#{index + 1}"


def _describe(error: Any, where: str) -> tuple[str, str, str]:
    """Where an error of the file's shape is, and what it says in Vietnamese and English."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        path = ".".join(part for part in (where, missing[0] if missing else "") if part)
        return path, "Thiếu thông tin bắt buộc", "Required but missing"
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = ", ".join(sorted(name for name in instance if name not in known))
        return where, f"Khóa không được hỗ trợ: {extra}", f"Unsupported key(s): {extra}"
    message = error_message(error, "Giá trị", "The value")
    found = json.dumps(error.instance, ensure_ascii=False)
    found = found if len(found) <= 80 else found[:77] + "..."
    return where, f"{message.message_vi}; đang là {found}", f"{message.message_en}; found {found}"


def _shape_problems(data: Any) -> tuple[list[ImportProblem], set[int]]:
    """Problems of the file's shape, and the positions of the procedures they concern."""
    problems: list[ImportProblem] = []
    broken: set[int] = set()
    raw_list = data.get("procedures") if isinstance(data, dict) else None
    for error in sorted(
        _FILE_VALIDATOR.iter_errors(data), key=lambda item: list(map(str, item.absolute_path))
    ):
        path = list(error.absolute_path)
        if (
            len(path) >= 2
            and path[0] == "procedures"
            and isinstance(path[1], int)
            and isinstance(raw_list, list)
        ):
            index = path[1]
            broken.add(index)
            where, vi, en = _describe(error, ".".join(str(part) for part in path[2:]))
            problem = ImportProblem(_label(raw_list[index], index), where, vi, en)
        else:
            where = ".".join(str(part) for part in path)
            problem = ImportProblem(
                "",
                where,
                f"Tệp không đúng định dạng danh mục thủ tục: {error.message}",
                f"The file is not a procedure catalog: {error.message}",
            )
        if problem not in problems:
            problems.append(problem)
    return problems, broken


def interchange_check(
    data: Any, *, known_agencies: set[str]
) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    """The file's procedures, normalised, and everything that stops them from being imported.

    ``known_agencies`` are the agency codes that exist; a procedure naming another is refused.
    """
    problems, broken = _shape_problems(data)
    if problems and not broken:
        return [], problems  # the file as a whole is wrong: nothing else can be read
    procedures: list[dict[str, Any]] = []
    field_names: dict[str, str] = {}
    first_with_code: dict[str, int] = {}
    for index, raw in enumerate(data["procedures"]):
        code = raw.get("code") if isinstance(raw, dict) else None
        if isinstance(code, str):
            first = first_with_code.setdefault(code, index)
            if first != index:
                problems.append(
                    ImportProblem(
                        code,
                        "code",
                        f"Mã thủ tục trùng với thủ tục thứ {first + 1} trong tệp",
                        f"The same code as procedure #{first + 1} of the file",
                    )
                )
    for index, raw in enumerate(data["procedures"]):
        if index in broken:
            continue
        procedure = procedure_normalise(raw)
        code = procedure["code"]
        if not CODE_PATTERN.fullmatch(code):
            problems.append(
                ImportProblem(
                    code,
                    "code",
                    "Mã thủ tục phải có dạng 1.001193",
                    "The procedure code must look like 1.001193",
                )
            )
        field = procedure["field"]
        if field_names.setdefault(field["code"], field["name"]) != field["name"]:
            problems.append(
                ImportProblem(
                    code,
                    "field.name",
                    f"Lĩnh vực '{field['code']}' đã có tên khác trong tệp: {field_names[field['code']]}",
                    f"Field '{field['code']}' has another name elsewhere in the file: {field_names[field['code']]}",
                )
            )
        unknown = [agency for agency in procedure["agencies"] if agency not in known_agencies]
        if unknown:
            problems.append(
                ImportProblem(
                    code,
                    "agencies",
                    f"Không có cơ quan mã {', '.join(unknown)}",
                    f"No agency with code {', '.join(unknown)}",
                )
            )
        problems.extend(
            ImportProblem(code, f"form.{problem.path}", problem.message_vi, problem.message_en)
            for problem in form_problems(procedure["form"]["schema"], procedure["form"]["ui"])
        )
        procedures.append(procedure)
    return procedures, problems

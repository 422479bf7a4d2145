"""API schemas of dossiers: what applicants, officers and the public send and receive.

Statuses carry their number (the ``TrangThai`` code 1-10 that one-stop systems report) with
the Vietnamese and English labels. Officers see the applicant's data and who held the dossier;
applicants see their own dossier and its history; the public sees no personal data.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from .choices import Action, DeadlineState, Outcome, ReturnMode, Status, label_en, label_vi


def _labels(choices: Any, value: Any) -> dict[str, Any]:
    label = str(dict(choices.choices).get(value, value))
    return {"code": value, "label_vi": label_vi(label), "label_en": label_en(label)}


# --- Errors -------------------------------------------------------------------------------------
class FieldMessageOut(Schema):
    message: str
    message_vi: str | None = None
    message_en: str | None = None


class DossierErrorOut(Schema):
    """A refusal, in Vietnamese first and English second; ``field`` names the input at fault."""

    code: str = Field(
        ..., description="Mã lỗi máy đọc được (machine-readable code)", examples=["form_invalid"]
    )
    message: str
    message_vi: str
    message_en: str
    field: str | None = None
    errors: dict[str, FieldMessageOut] | None = Field(
        None, description="Lỗi theo từng trường (one message per field at fault)"
    )
    services: list[str] | None = Field(
        None,
        description="Với consent_required: các dịch vụ dữ liệu cần sự đồng ý (the services to consent to)",
    )


# --- Shared pieces ------------------------------------------------------------------------------
class StatusOut(Schema):
    code: int = Field(..., description="Mã trạng thái 1-10 (TrangThai): 1 mới nộp … 10 đã trả kết quả")
    label_vi: str
    label_en: str


class LabelOut(Schema):
    code: str
    label_vi: str
    label_en: str


class RefOut(Schema):
    code: str
    name: str


def status_of(value: int) -> dict[str, Any]:
    return _labels(Status, value)


def _ref(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _organisation_ref(account: Any) -> dict[str, str]:
    """An organisation's account as the code and name of its enterprise."""
    return {"code": account.organisation_code or account.username, "name": account.full_name}


# --- The applicant's dossiers -------------------------------------------------------------------
class DossierSummaryOut(Schema):
    code: str = Field(..., examples=["H15.50-261201-0001"])
    status: StatusOut
    procedure: RefOut
    agency: RefOut
    organisation: RefOut | None = None
    submitted_at: datetime.datetime
    received_on: datetime.date
    due_on: datetime.date
    closed_at: datetime.datetime | None = None

    @staticmethod
    def resolve_status(obj: Any) -> dict[str, Any]:
        return status_of(obj.status)

    @staticmethod
    def resolve_procedure(obj: Any) -> dict[str, str] | None:
        return _ref(obj.procedure)

    @staticmethod
    def resolve_agency(obj: Any) -> dict[str, str] | None:
        return _ref(obj.agency)

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, str] | None:
        return _organisation_ref(obj.organisation) if obj.organisation_id else None


class DossierPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[DossierSummaryOut]


class DossierDocumentOut(Schema):
    id: uuid.UUID = Field(..., description="Mã giấy tờ trong kho cá nhân (the document's id in the store)")
    requirement_id: int | None = None
    requirement_name: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    reused: bool
    supplement: bool
    added_at: datetime.datetime

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.document.public_id

    @staticmethod
    def resolve_file_name(obj: Any) -> str:
        return obj.document.original_name

    @staticmethod
    def resolve_content_type(obj: Any) -> str:
        return obj.document.content_type

    @staticmethod
    def resolve_size(obj: Any) -> int:
        return obj.document.size

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return obj.document.sha256


class EventOut(Schema):
    at: datetime.datetime
    action: LabelOut
    from_status: int | None = None
    to_status: int
    step_name: str
    agency: str = Field("", description="Cơ quan thực hiện (the agency that acted)")
    reason: str

    @staticmethod
    def resolve_action(obj: Any) -> dict[str, Any]:
        return _labels(Action, obj.action)

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return obj.actor_agency.name if obj.actor_agency_id else ""


class RatingOut(Schema):
    score: int
    comment: str
    complaint: bool
    created_at: datetime.datetime


class ResultOut(Schema):
    outcome: LabelOut
    decided_at: datetime.datetime
    document_id: uuid.UUID | None = Field(None, description="Kết quả điện tử đã ký số trong kho cá nhân")
    sha256: str


def _result(obj: Any) -> dict[str, Any] | None:
    if not obj.outcome or obj.decided_at is None:
        return None
    return {
        "outcome": _labels(Outcome, obj.outcome),
        "decided_at": obj.decided_at,
        "document_id": obj.result_document.public_id if obj.result_document_id else None,
        "sha256": obj.result_sha256,
    }


def _rating(obj: Any) -> Any:
    return getattr(obj, "rating", None)


class DossierOut(DossierSummaryOut):
    """A dossier as its applicant sees it."""

    channel: LabelOut
    original_due_on: datetime.date
    decision_reason: str = Field("", description="Lý do từ chối, dừng, rút hoặc nội dung quyết định")
    result: ResultOut | None = None
    returned_at: datetime.datetime | None = None
    return_mode: str = ""
    documents: list[DossierDocumentOut]
    timeline: list[EventOut]
    rating: RatingOut | None = None
    actions: list[str] = Field(
        ..., description="Việc người nộp có thể làm lúc này (supply, withdraw, rate)", examples=[["withdraw"]]
    )

    @staticmethod
    def resolve_channel(obj: Any) -> dict[str, Any]:
        from .choices import Channel

        return _labels(Channel, obj.channel) | {"code": str(obj.channel)}

    @staticmethod
    def resolve_result(obj: Any) -> dict[str, Any] | None:
        return _result(obj)

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_timeline(obj: Any) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_rating(obj: Any) -> Any:
        return _rating(obj)

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        from .selectors import actions_for_applicant

        return actions_for_applicant(dossier=obj).names


# --- Drafts -------------------------------------------------------------------------------------
class DraftStartIn(Schema):
    procedure_code: str = Field(..., min_length=1, max_length=64, examples=["1.001193"])
    organisation_code: str | None = Field(
        None, max_length=20, description="Nộp thay mặt tổ chức (apply for an organisation you may act for)"
    )


class DraftSaveIn(Schema):
    data: dict[str, Any] | None = Field(None, description="Câu trả lời biểu mẫu (the form's answers)")
    agency_code: str | None = Field(None, max_length=20, description="Cơ quan giải quyết (the agency)")
    step: Literal["guide", "form", "documents", "review"] | None = None


class DraftDocumentOut(Schema):
    id: uuid.UUID
    reused: bool


class DraftOut(Schema):
    id: uuid.UUID = Field(
        ..., description="Mã hồ sơ nháp, cũng là khóa chống nộp trùng (also the idempotency key)"
    )
    procedure: RefOut
    agency: RefOut | None = None
    agencies: list[RefOut] = Field(..., description="Các cơ quan có thể chọn (agencies to choose from)")
    organisation: RefOut | None = None
    step: str
    data: dict[str, Any]
    prefilled: list[str] = Field(
        ..., description="Trường lấy từ cơ sở dữ liệu, không sửa được (filled by the State)"
    )
    documents: dict[str, list[DraftDocumentOut]] = Field(
        ..., description="Giấy tờ đã đính kèm theo mã thành phần hồ sơ (documents per requirement id)"
    )
    problems: dict[str, FieldMessageOut] = Field(
        ..., description="Những gì còn ngăn việc nộp (what still stops the submission)"
    )
    dossier_code: str | None = None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_procedure(obj: Any) -> dict[str, str] | None:
        return _ref(obj.procedure)

    @staticmethod
    def resolve_agency(obj: Any) -> dict[str, str] | None:
        return _ref(obj.agency) if obj.agency_id else None

    @staticmethod
    def resolve_agencies(obj: Any) -> list[dict[str, str] | None]:
        return [_ref(agency) for agency in obj.procedure.agencies.all()]

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, str] | None:
        return _organisation_ref(obj.organisation) if obj.organisation_id else None

    @staticmethod
    def resolve_prefilled(obj: Any) -> list[str]:
        return sorted(obj.prefilled or {})

    @staticmethod
    def resolve_problems(obj: Any) -> dict[str, dict[str, Any]]:
        from .services import draft_problems

        if obj.dossier_id:
            return {}
        form_errors, document_errors = draft_problems(draft=obj)
        problems = {name: field_message(error) for name, error in form_errors.items()}
        problems |= {f"document-{key}": field_message(error) for key, error in document_errors.items()}
        return problems

    @staticmethod
    def resolve_dossier_code(obj: Any) -> str | None:
        return obj.dossier.code if obj.dossier_id else None


def field_message(error: Any) -> dict[str, Any]:
    """One field's refusal as the API writes it (catalog FieldError, or a plain sentence)."""
    if hasattr(error, "message_vi"):
        return {"message": error.message, "message_vi": error.message_vi, "message_en": error.message_en}
    return {"message": str(error)}


class DraftSummaryOut(Schema):
    id: uuid.UUID
    procedure: RefOut
    step: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_procedure(obj: Any) -> dict[str, str] | None:
        return _ref(obj.procedure)


class PrefillOut(Schema):
    filled: dict[str, Any] = Field(..., description="Trường đã điền từ cơ sở dữ liệu (fields filled)")
    missing: list[str] = Field(..., description="Trường cơ sở dữ liệu không có (fields the registry lacks)")
    unavailable: list[str] = Field(..., description="Dịch vụ không trả lời được (services that failed)")
    draft: DraftOut


class ConsentIn(Schema):
    services: list[str] = Field(..., min_length=1, examples=[["registry.citizen"]])


class ConsentServiceOut(Schema):
    service: str
    title: str
    title_en: str

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return obj.builtin or obj.code


class ConsentOut(Schema):
    receipt_id: uuid.UUID = Field(..., description="Số biên nhận của sự đồng ý (the consent receipt)")
    services: list[ConsentServiceOut]
    valid_until: datetime.datetime

    @staticmethod
    def resolve_services(obj: Any) -> list[Any]:
        return list(obj.services.all())


class StoredDocumentOut(Schema):
    id: uuid.UUID
    title: str
    file_name: str
    content_type: str
    size: int
    sha256: str

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_file_name(obj: Any) -> str:
        return obj.original_name


class WithdrawIn(Schema):
    reason: str = Field(..., description="Lý do rút hồ sơ (why)")


class RatingIn(Schema):
    score: int = Field(..., description="1 (rất không hài lòng) … 5 (rất hài lòng)")
    comment: str = ""
    complaint: bool = Field(False, description="Có phản ánh, kiến nghị (this is a complaint)")


# --- The back office ----------------------------------------------------------------------------
class PersonOut(Schema):
    personal_id: str
    name: str


def _person(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {
        "personal_id": user.get_username(),
        "name": str(getattr(user, "full_name", "") or user.get_username()),
    }


class QueueItemOut(Schema):
    code: str
    status: StatusOut
    procedure: RefOut
    agency_code: str
    applicant_name: str
    received_on: datetime.date
    due_on: datetime.date
    deadline: LabelOut = Field(..., description="on_time, due_soon, late, paused, done")
    step: int
    holder: PersonOut | None = None

    @staticmethod
    def resolve_status(obj: Any) -> dict[str, Any]:
        return status_of(obj.status)

    @staticmethod
    def resolve_procedure(obj: Any) -> dict[str, str] | None:
        return _ref(obj.procedure)

    @staticmethod
    def resolve_agency_code(obj: Any) -> str:
        return str(obj.agency.code)

    @staticmethod
    def resolve_deadline(obj: Any) -> dict[str, Any]:
        from .selectors import deadline_state_of

        return _labels(DeadlineState, deadline_state_of(obj))

    @staticmethod
    def resolve_holder(obj: Any) -> dict[str, str] | None:
        return _person(obj.holder) if obj.holder_id else None


class QueuePageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[QueueItemOut]


class OfficeEventOut(EventOut):
    actor_name: str
    holder_name: str


class StepOut(Schema):
    order: int
    name: str
    name_en: str
    role: str


class OfficeDossierOut(QueueItemOut):
    """A dossier as an officer of its agency sees it."""

    applicant: PersonOut
    organisation: RefOut | None = None
    channel: int
    submitted_at: datetime.datetime
    original_due_on: datetime.date
    paused_working_days: int
    supplement_requested_at: datetime.datetime | None = None
    apologised_at: datetime.datetime | None = None
    unit: RefOut | None = None
    step_name: str
    steps: list[StepOut]
    data: dict[str, Any]
    prefilled: list[str]
    decision_reason: str
    result: ResultOut | None = None
    returned_at: datetime.datetime | None = None
    return_mode: str
    closed_at: datetime.datetime | None = None
    documents: list[DossierDocumentOut]
    timeline: list[OfficeEventOut]
    rating: RatingOut | None = None
    actions: list[str] = Field(
        ..., description="Thao tác cán bộ này có thể làm lúc này (allowed transitions)"
    )

    @staticmethod
    def resolve_applicant(obj: Any) -> dict[str, str]:
        return {"personal_id": obj.applicant_personal_id, "name": obj.applicant_name}

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, str] | None:
        return _organisation_ref(obj.organisation) if obj.organisation_id else None

    @staticmethod
    def resolve_unit(obj: Any) -> dict[str, str] | None:
        return _ref(obj.unit) if obj.unit_id else None

    @staticmethod
    def resolve_step_name(obj: Any) -> str:
        from .workflow import step_at

        step = step_at(obj.procedure, obj.step)
        return step.name if step else ""

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        from .workflow import steps_for

        return steps_for(obj.procedure)

    @staticmethod
    def resolve_prefilled(obj: Any) -> list[str]:
        return sorted(obj.prefilled or {})

    @staticmethod
    def resolve_result(obj: Any) -> dict[str, Any] | None:
        return _result(obj)

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_timeline(obj: Any) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_rating(obj: Any) -> Any:
        return _rating(obj)

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        # Set by the endpoint: what the officer asking may do depends on who asks.
        return list(getattr(obj, "officer_actions", []))


TransitionAction = Literal[
    "receive",
    "refuse",
    "request_supplement",
    "assign",
    "forward",
    "apologise",
    "stop",
    "decide",
    "return_result",
]


class TransitionIn(Schema):
    """One step of the lifecycle; which other fields count depends on ``action``."""

    action: TransitionAction = Field(..., description="Thao tác (the transition)")
    reason: str = Field(
        "",
        max_length=4000,
        description="Lý do / ghi chú: bắt buộc với refuse, apologise, stop và decide khi không chấp thuận",
    )
    missing: list[str] = Field(
        default_factory=list, description="request_supplement: mọi thứ còn thiếu (everything that is missing)"
    )
    assignee: str | None = Field(
        None, description="assign, forward: số định danh của cán bộ nhận (the officer's personal ID)"
    )
    unit: str | None = Field(None, description="assign: mã đơn vị xử lý thuộc cơ quan (a unit's agency code)")
    new_due_on: datetime.date | None = Field(None, description="apologise: ngày hẹn mới (a working day)")
    approve: bool | None = Field(None, description="decide: chấp thuận (true) hay không (false)")
    mode: ReturnMode | None = Field(None, description="return_result: online, in_person, post")


# --- The public lookup --------------------------------------------------------------------------
class PublicEventOut(Schema):
    at: datetime.datetime
    status: StatusOut


class PublicStatusOut(Schema):
    """What anyone holding the code and the applicant's ID number may see: no personal data."""

    code: str
    procedure_name: str
    agency_name: str
    status: StatusOut
    received_on: datetime.date
    due_on: datetime.date
    history: list[PublicEventOut]

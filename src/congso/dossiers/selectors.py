"""Reads of dossiers: the applicant's, the officer's queue, the public lookup and verification.

Every list and detail goes through ``Dossier.objects.visible_to_applicant`` /
``visible_to_officer`` (models.py); a dossier someone may not see is NotFound, the same answer
as a dossier that does not exist, and the attempt is audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput, NotFound
from congso.identity import selectors as identity_selectors

from . import workflow
from .choices import Action, DeadlineState, Status, StepRole
from .models import Dossier, DossierDocument, DossierEvent, DossierRating

NOT_FOUND_VI = "Không tìm thấy hồ sơ."
NOT_FOUND_EN = "No such dossier."


def _not_found() -> NotFound:
    return NotFound(NOT_FOUND_VI, NOT_FOUND_EN, code="dossier_not_found")


def _denied(*, user: Any, code: str, scope: str) -> None:
    """Record that someone asked for a dossier they may not see (and it exists)."""
    if Dossier.objects.filter(code=code).exists():
        with transaction.atomic():
            audit_record(
                actor=user if getattr(user, "is_authenticated", False) else None,
                action="dossiers.dossier.access_denied",
                target_type="dossiers.dossier",
                target_id=code,
                details={"scope": scope},
            )


def _detail(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related(
        "procedure", "agency", "unit", "applicant", "organisation", "holder", "result_document"
    ).prefetch_related(
        Prefetch("documents", queryset=DossierDocument.objects.select_related("document").order_by("id")),
        Prefetch("events", queryset=DossierEvent.objects.select_related("actor_agency").order_by("at", "id")),
        "procedure__process_steps",
    )


def dossier_get_for_applicant(*, user: Any, code: str) -> Dossier:
    """The applicant's (or their organisation's) dossier; NotFound, audited, for anyone else's."""
    code = (code or "").strip()
    dossier = _detail(Dossier.objects.visible_to_applicant(user)).filter(code=code).first()
    if dossier is None:
        _denied(user=user, code=code, scope="applicant")
        raise _not_found()
    return dossier


def dossier_get_for_officer(*, user: Any, code: str) -> Dossier:
    """A dossier of one of the officer's agencies; NotFound, audited, for any other."""
    code = (code or "").strip()
    dossier = _detail(Dossier.objects.visible_to_officer(user)).filter(code=code).first()
    if dossier is None:
        _denied(user=user, code=code, scope="officer")
        raise _not_found()
    return dossier


def dossier_list_for_applicant(*, user: Any, status: int | str | None = None) -> QuerySet[Dossier]:
    """The applicant's dossiers, newest first."""
    dossiers = Dossier.objects.visible_to_applicant(user).select_related("procedure", "agency")
    if status not in (None, ""):
        dossiers = dossiers.filter(status=_status(status))
    return dossiers.order_by("-submitted_at", "-id")


def _status(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in Status.values:
        raise InvalidInput(
            f"Trạng thái '{value}' không hợp lệ; dùng số từ 1 đến 10.",
            f"Invalid status '{value}'; use a number from 1 to 10.",
            field="status",
            code="invalid_filter",
        )
    return number


def officer_roles_in(*, user: Any, agency: Any) -> set[str]:
    """The user's active role kinds in ``agency`` (empty when they hold none)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        identity_selectors.officer_roles_active(user=user)
        .filter(agency=agency)
        .values_list("role", flat=True)
    )


def officer_agencies(*, user: Any) -> list[Any]:
    """Agencies where the user processes dossiers (officer or leader roles)."""
    roles = identity_selectors.officer_roles_active(user=user).filter(
        role__in=[StepRole.OFFICER, StepRole.LEADER]
    )
    seen: dict[int, Any] = {}
    for role in roles.select_related("agency").order_by("agency__code"):
        seen.setdefault(role.agency_id, role.agency)
    return list(seen.values())


def officers_of(*, agency: Any) -> list[tuple[Any, set[str]]]:
    """(user, role kinds) of everyone who processes dossiers at ``agency``, for assignment."""
    people: dict[int, tuple[Any, set[str]]] = {}
    roles = identity_selectors.officer_roles_in_agency(agency=agency).filter(
        role__in=[StepRole.OFFICER, StepRole.LEADER]
    )
    for role in roles.select_related("user"):
        people.setdefault(role.user_id, (role.user, set()))[1].add(role.role)
    return sorted(people.values(), key=lambda item: str(item[0]))


QUEUE_STATUSES = (Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED)


def dossier_queue(
    *,
    officer: Any,
    agency_code: str = "",
    deadline: str = "",
    status: int | str | None = None,
    procedure: str = "",
    mine: bool = False,
    query: str = "",
    include_closed: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Dossier]:
    """The officer's queue: dossiers of their agencies, oldest due date first.

    ``deadline`` is a :class:`DeadlineState` value (on_time, due_soon, late, paused); it is a
    range condition on ``due_on`` so the (agency, status, due_on) index serves it.
    """
    dossiers = Dossier.objects.visible_to_officer(officer)
    if agency_code:
        dossiers = dossiers.filter(agency__code=agency_code.strip())
    if status not in (None, ""):
        dossiers = dossiers.filter(status=_status(status))
    elif not include_closed:
        dossiers = dossiers.filter(status__in=QUEUE_STATUSES)
    today = today or timezone.localdate()
    start, soon = workflow.deadline_bounds(today)
    running = Q(status__in=[Status.NEW, Status.RECEIVED, Status.PROCESSING])
    if deadline:
        if deadline == DeadlineState.LATE:
            dossiers = dossiers.filter(running, due_on__lt=start)
        elif deadline == DeadlineState.DUE_SOON:
            dossiers = dossiers.filter(running, due_on__gte=start, due_on__lte=soon)
        elif deadline == DeadlineState.ON_TIME:
            dossiers = dossiers.filter(running, due_on__gt=soon)
        elif deadline == DeadlineState.PAUSED:
            dossiers = dossiers.filter(status=Status.SUPPLEMENT_REQUESTED)
        else:
            raise InvalidInput(
                f"Hạn xử lý '{deadline}' không hợp lệ; dùng: on_time, due_soon, late, paused.",
                f"Invalid deadline filter '{deadline}'; use: on_time, due_soon, late, paused.",
                field="deadline",
                code="invalid_filter",
            )
    if procedure:
        dossiers = dossiers.filter(procedure__code=procedure.strip())
    if mine:
        dossiers = dossiers.filter(holder=officer)
    query = (query or "").strip()
    if query:
        if len(query) > 60:
            raise InvalidInput(
                "Từ khóa dài quá 60 ký tự.", "The search text is longer than 60 characters.", field="q"
            )
        # Codes are stored in capitals: a case-sensitive prefix can use the pattern index.
        dossiers = dossiers.filter(Q(code__startswith=query.upper()) | Q(applicant_personal_id=query))
    return dossiers.select_related("procedure", "agency", "holder").order_by("due_on", "id")


def deadline_state_of(dossier: Dossier, *, today: datetime.date | None = None) -> str:
    return workflow.deadline_state(
        status=dossier.status, due_on=dossier.due_on, today=today or timezone.localdate()
    )


# Settled dossiers the applicant may rate (Decision 766: satisfaction indicators).
RATEABLE = frozenset({Status.REFUSED, Status.PROCESSED, Status.RETURNED, Status.STOPPED})


@dataclass(frozen=True)
class ApplicantActions:
    """What the applicant may do with the dossier now, as the services will allow it."""

    supply: bool
    withdraw: bool
    rate: bool
    rated: bool

    @property
    def names(self) -> list[str]:
        """The allowed actions by name (``supply``, ``withdraw``, ``rate``), for the API."""
        allowed = (("supply", self.supply), ("withdraw", self.withdraw), ("rate", self.rate))
        return [name for name, may in allowed if may]


def actions_for_applicant(*, dossier: Dossier) -> ApplicantActions:
    """What the applicant may do to ``dossier`` now: the page and the API both ask here."""
    rated = DossierRating.objects.filter(dossier=dossier).exists()
    return ApplicantActions(
        supply=workflow.is_allowed(Action.SUPPLY, dossier.status),
        withdraw=workflow.is_allowed(Action.WITHDRAW, dossier.status),
        rate=dossier.status in RATEABLE and not rated,
        rated=rated,
    )


def actions_for_officer(*, dossier: Dossier, user: Any) -> list[str]:
    """What ``user`` may do to ``dossier`` now, as the services will allow it."""
    roles = officer_roles_in(user=user, agency=dossier.agency)
    if not roles & {StepRole.OFFICER, StepRole.LEADER}:
        return []
    steps = workflow.steps_for(dossier.procedure)
    actions = []
    for action in workflow.OFFICER_ACTIONS:
        if not workflow.is_allowed(action, dossier.status):
            continue
        if action == Action.REQUEST_SUPPLEMENT and dossier.supplement_requested_at is not None:
            continue
        if action == Action.APOLOGISE and (
            dossier.apologised_at is not None or timezone.localdate() >= dossier.due_on
        ):
            continue
        if action == Action.FORWARD and dossier.step >= len(steps):
            continue
        if action == Action.DECIDE and (dossier.step < len(steps) or StepRole.LEADER not in roles):
            continue
        actions.append(str(action))
    return actions


# --- Timeline and the process control sheet ---------------------------------------------------
@dataclass(frozen=True)
class ControlRow:
    """One line of the process control sheet: who held the dossier, from when to when."""

    step_name: str
    holder_name: str
    agency_name: str
    action: str
    received_at: datetime.datetime
    handed_on_at: datetime.datetime | None
    reason: str


def dossier_control_sheet(*, dossier: Dossier) -> list[ControlRow]:
    """The process control sheet ("phiếu kiểm soát quá trình giải quyết hồ sơ")."""
    events = list(dossier.events.all())
    rows = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        rows.append(
            ControlRow(
                step_name=event.step_name,
                holder_name=event.holder_name or event.actor_name,
                agency_name=event.actor_agency.name if event.actor_agency else "",
                action=str(Action(event.action).label),
                received_at=event.at,
                handed_on_at=following.at if following else None,
                reason=event.reason,
            )
        )
    return rows


# --- Public lookup and verification -------------------------------------------------------------
@dataclass(frozen=True)
class PublicStatus:
    """What anyone holding the code and the applicant's ID number may see: no personal data."""

    code: str
    procedure_name: str
    agency_name: str
    status: int
    status_label: str
    received_on: datetime.date
    due_on: datetime.date
    history: list[tuple[datetime.datetime, str]]


def dossier_public_status(*, code: str, personal_id: str) -> PublicStatus:
    """The status of a dossier for whoever knows its code and the applicant's ID number."""
    code = (code or "").strip().upper()
    personal_id = (personal_id or "").strip()
    if not code or len(code) > 40:
        raise InvalidInput("Hãy nhập mã hồ sơ.", "Enter the dossier code.", field="code")
    if not (personal_id.isdigit() and len(personal_id) == 12):
        raise InvalidInput(
            "Số định danh cá nhân gồm 12 chữ số.",
            "The personal ID number has 12 digits.",
            field="personal_id",
        )
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code, applicant_personal_id=personal_id)
        .first()
    )
    if dossier is None:
        raise NotFound(
            "Không có hồ sơ với mã và số định danh này.",
            "There is no dossier with this code and ID number.",
            code="dossier_not_found",
        )
    history: list[tuple[datetime.datetime, str]] = []
    previous = None
    for at, to_status in dossier.events.order_by("at", "id").values_list("at", "to_status"):
        if to_status != previous:  # steps inside processing are not the public's business
            history.append((at, str(Status(to_status).label)))
        previous = to_status
    return PublicStatus(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        agency_name=dossier.agency.name,
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        received_on=dossier.received_on,
        due_on=dossier.due_on,
        history=history,
    )


@dataclass(frozen=True)
class Verification:
    """What the public verification page shows about a result: authenticity and status."""

    code: str
    procedure_name: str
    agency_name: str
    agency_code: str
    status: int
    status_label: str
    outcome: str
    decided_at: datetime.datetime | None
    result_sha256: str
    holder_initials: str


def _initials(full_name: str) -> str:
    """ "Nguyễn Văn An" -> "N. V. A.": enough to match a paper in hand, no more."""
    return " ".join(f"{part[0]}." for part in full_name.split() if part)


def dossier_verification(*, code: str) -> Verification:
    """The result of dossier ``code`` as the verification page shows it; NotFound if none."""
    code = (code or "").strip()
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code.upper(), decided_at__isnull=False)
        .exclude(result_sha256="")
        .first()
    )
    if dossier is None:
        raise NotFound(
            "Không có kết quả giải quyết nào với mã này.",
            "There is no result with this code.",
            code="result_not_found",
        )
    return Verification(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        agency_name=dossier.agency.name,
        agency_code=dossier.agency.code,
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        outcome=dossier.get_outcome_display(),
        decided_at=dossier.decided_at,
        result_sha256=dossier.result_sha256,
        holder_initials=_initials(dossier.applicant_name),
    )


def drafts_for(*, user: Any) -> Iterable[Any]:
    """The applicant's unsubmitted drafts, newest first."""
    from .models import DossierDraft

    return (
        DossierDraft.objects.filter(applicant=user, dossier__isnull=True)
        .select_related("procedure")
        .order_by("-updated_at")
    )

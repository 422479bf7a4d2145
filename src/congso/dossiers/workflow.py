"""The rules of the lifecycle: which action is allowed from which status, steps, deadlines.

Kept apart from the services so that pages can ask "what may this officer do now?" with the
very table the services enforce.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from congso.core import calendar

from .choices import Action, DeadlineState, Status, StepRole

# Action -> the statuses it may start from. The target status is decided by the service.
ALLOWED_FROM: dict[str, frozenset[int]] = {
    Action.RECEIVE: frozenset({Status.NEW}),
    Action.REFUSE: frozenset({Status.NEW}),
    # Decree 61/2018 art. 19: one request listing everything missing; at reception or while
    # processing, whichever finds it first.
    Action.REQUEST_SUPPLEMENT: frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING}),
    Action.SUPPLY: frozenset({Status.SUPPLEMENT_REQUESTED}),
    Action.ASSIGN: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.FORWARD: frozenset({Status.PROCESSING}),
    Action.APOLOGISE: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.STOP: frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED}),
    Action.WITHDRAW: frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED}),
    Action.DECIDE: frozenset({Status.PROCESSING}),
    Action.RETURN_RESULT: frozenset({Status.PROCESSED}),
}

OFFICER_ACTIONS = (
    Action.RECEIVE,
    Action.REFUSE,
    Action.REQUEST_SUPPLEMENT,
    Action.ASSIGN,
    Action.FORWARD,
    Action.APOLOGISE,
    Action.STOP,
    Action.DECIDE,
    Action.RETURN_RESULT,
)


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    name_en: str
    role: str
    working_days: int


# A procedure without configured steps: an officer handles it, a leader decides.
DEFAULT_STEPS = (
    Step(1, "Thụ lý, thẩm định hồ sơ", "Examination by an officer", StepRole.OFFICER, 0),
    Step(2, "Lãnh đạo phê duyệt", "Approval by a leader", StepRole.LEADER, 0),
)


def steps_for(procedure: Any) -> list[Step]:
    """The processing steps of ``procedure`` in order (configured, else the default two)."""
    configured = [
        Step(step.order, step.name, step.name_en or step.name, step.role, step.working_days)
        for step in procedure.process_steps.all()
    ]
    return sorted(configured, key=lambda step: step.order) or list(DEFAULT_STEPS)


def step_at(procedure: Any, index: int) -> Step | None:
    """The ``index``-th step (1-based), or None at reception (0) or past the end."""
    if index < 1:
        return None
    steps = steps_for(procedure)
    return steps[index - 1] if 1 <= index <= len(steps) else None


def is_allowed(action: str, status: int) -> bool:
    return status in ALLOWED_FROM.get(action, frozenset())


def due_soon_days() -> int:
    return int(getattr(settings, "CONGSO_DOSSIER_DUE_SOON_DAYS", 2))


def deadline_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(today, last due date that counts as due soon): a due date before ``today`` is late."""
    return today, calendar.add_working_days(today, due_soon_days())


def deadline_state(*, status: int, due_on: datetime.date, today: datetime.date) -> str:
    """The queue colour of a dossier with ``status`` due on ``due_on``, seen on ``today``."""
    if status == Status.SUPPLEMENT_REQUESTED:
        return DeadlineState.PAUSED
    if status not in (Status.NEW, Status.RECEIVED, Status.PROCESSING):
        return DeadlineState.DONE
    start, soon = deadline_bounds(today)
    if due_on < start:
        return DeadlineState.LATE
    if due_on <= soon:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME

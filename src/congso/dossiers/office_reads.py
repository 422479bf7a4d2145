"""Reads the back-office pages need beyond :mod:`congso.dossiers.selectors`.

Small and composed from the selectors where they can be: the counts per deadline state call
``dossier_queue`` itself, so a count and the list behind its link never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from congso.catalog import selectors as catalog_selectors

from . import selectors, workflow
from .choices import Action, DeadlineState
from .models import Dossier

# The deadline states an officer's queue is counted and filtered by, most urgent first.
QUEUE_STATES = (DeadlineState.LATE, DeadlineState.DUE_SOON, DeadlineState.ON_TIME, DeadlineState.PAUSED)
# Letter kind (as results.letter_render names it) -> the history action it records.
LETTER_ACTIONS = {
    "refusal": Action.REFUSE,
    "supplement": Action.REQUEST_SUPPLEMENT,
    "apology": Action.APOLOGISE,
    "stop": Action.STOP,
}
# Sub-units are looked for this many levels below the agency (departments, teams).
UNIT_DEPTH = 3


def queue_counts(
    *,
    officer: Any,
    agency_code: str = "",
    procedure: str = "",
    mine: bool = False,
    query: str = "",
    today: datetime.date | None = None,
) -> dict[str, int]:
    """How many open dossiers of the queue are in each deadline state, with the other filters."""
    return {
        str(state): selectors.dossier_queue(
            officer=officer,
            agency_code=agency_code,
            deadline=state,
            procedure=procedure,
            mine=mine,
            query=query,
            today=today,
        ).count()
        for state in QUEUE_STATES
    }


def queue_procedures(*, officer: Any) -> list[tuple[str, str]]:
    """(code, name) of the procedures the officer's agencies have dossiers for, by name."""
    rows = (
        Dossier.objects.visible_to_officer(officer)
        .order_by("procedure__name", "procedure__code")
        .values_list("procedure__code", "procedure__name")
        .distinct()
    )
    return [(str(code), str(name)) for code, name in rows]


def units_of(*, agency: Any) -> list[Any]:
    """The agency and its sub-units (a few levels down): where a dossier can be routed."""
    units = [agency]
    level = [agency]
    for _ in range(UNIT_DEPTH):
        level = [child for parent in level for child in parent.children.order_by("code")]
        if not level:
            break
        units.extend(level)
    return units


def step_name(dossier: Dossier, *, english: bool = False) -> str:
    """The name of the step the dossier is at; empty at reception."""
    step = workflow.step_at(dossier.procedure, dossier.step)
    if step is None:
        return ""
    return step.name_en if english else step.name


def next_step(dossier: Dossier) -> workflow.Step | None:
    """The step a forward would hand the dossier to (None at the last step)."""
    return workflow.step_at(dossier.procedure, dossier.step + 1)


@dataclass(frozen=True)
class Answer:
    """One answer of the application form, as the officer reads it."""

    name: str
    label: str
    label_en: str
    value: Any
    prefilled: bool
    source: str


def dossier_answers(*, dossier: Dossier) -> list[Answer]:
    """The form's answers in the form's order, each marked when the State supplied it."""
    data = dossier.data or {}
    prefilled = dossier.prefilled or {}
    answers = []
    seen = set()
    for form_field in catalog_selectors.procedure_form_fields(procedure=dossier.procedure):
        if form_field.name not in data:
            continue
        seen.add(form_field.name)
        entry = prefilled.get(form_field.name) or {}
        answers.append(
            Answer(
                name=form_field.name,
                label=form_field.title,
                label_en=form_field.title_en,
                value=data[form_field.name],
                prefilled=bool(entry),
                source=str(entry.get("service", "")) if isinstance(entry, dict) else "",
            )
        )
    # Answers the form no longer asks (the procedure changed after submission) stay visible.
    for name, value in data.items():
        if name not in seen:
            entry = prefilled.get(name) or {}
            answers.append(
                Answer(
                    name=name,
                    label=name,
                    label_en=name,
                    value=value,
                    prefilled=bool(entry),
                    source=str(entry.get("service", "")) if isinstance(entry, dict) else "",
                )
            )
    return answers


def dossier_letters(*, dossier: Dossier) -> list[str]:
    """The letter kinds the dossier's history has an event for (refusal, supplement, ...)."""
    actions = {event.action for event in dossier.events.all()}
    return [kind for kind, action in LETTER_ACTIONS.items() if action in actions]

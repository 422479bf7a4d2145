"""Reads behind the applicant's pages that the core selectors do not cover.

Small and side-effect free: what the consent screen names, which documents a draft holds,
which history events the applicant sees, and which organisations they may apply for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from congso.catalog import selectors as catalog_selectors
from congso.core.errors import PermissionDenied
from congso.documents import selectors as document_selectors
from congso.identity import selectors as identity_selectors
from congso.identity.models import AuthorisationScope

from .choices import Action
from .models import Dossier, DossierDraft, DossierEvent

# Events whose reason is written to the applicant (a refusal, a supplement request, an apology,
# a decision...). Notes between officers when assigning or forwarding stay in the back office.
APPLICANT_REASON_ACTIONS = frozenset(
    {
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLY,
        Action.APOLOGISE,
        Action.STOP,
        Action.WITHDRAW,
        Action.DECIDE,
    }
)


# --- Applying for an organisation ---------------------------------------------------------------
def organisations_applying_for(*, user: Any) -> list[identity_selectors.OrganisationActing]:
    """Organisations the person may submit dossiers for, as the eID last learnt it."""
    return [
        entry
        for entry in identity_selectors.organisations_user_may_act_for(user)
        if AuthorisationScope.SUBMIT_DOSSIERS in entry.scopes
    ]


def organisation_for(*, user: Any, code: str) -> Any:
    """The account of the organisation with this enterprise code, if the person may apply for it.

    Found through the eID's record of representatives and authorisations, never by reading the
    business registry: an unknown code and someone else's enterprise get the same 403.
    """
    wanted = code.strip()
    for entry in organisations_applying_for(user=user):
        if entry.code == wanted:
            return entry.account
    raise PermissionDenied(
        "Bạn không được ủy quyền nộp hồ sơ cho tổ chức này.",
        "You are not authorised to apply for this organisation.",
        field="organisation_code",
    )


# --- The consent screen -------------------------------------------------------------------------
@dataclass(frozen=True)
class PrefillSourceView:
    """One database the form is prefilled from, as the consent screen names it."""

    service: str  # the exchange service alias, e.g. "registry.citizen"
    database: str  # the provider system, e.g. "Cơ sở dữ liệu quốc gia về dân cư"
    agency: str  # the member that runs it
    title: str  # the service's title in the page's language
    fields: list[str]  # the questions it answers, in the page's language


def prefill_sources(*, procedure: Any, services: list[str] | None, language: str) -> list[PrefillSourceView]:
    """What the portal will fetch for ``procedure``'s form and from where (only ``services`` if given)."""
    from congso.exchange import selectors as exchange_selectors

    english = language.startswith("en")
    questions: dict[str, list[str]] = {}
    for form_field in catalog_selectors.procedure_form_fields(procedure=procedure):
        if form_field.prefill is None:
            continue
        label = form_field.title_en if english else form_field.title
        questions.setdefault(form_field.prefill.service, []).append(label)
    wanted = services if services is not None else list(questions)
    views = []
    for alias in wanted:
        service = exchange_selectors.service_get(service=alias)
        if service is None:
            views.append(PrefillSourceView(alias, alias, "", alias, questions.get(alias, [])))
            continue
        views.append(
            PrefillSourceView(
                service=alias,
                database=service.provider.name,
                agency=service.provider.member.name,
                title=service.title_in(language),
                fields=questions.get(alias, []),
            )
        )
    return views


def prefill_database_names(*, draft: DossierDraft) -> dict[str, str]:
    """Field name -> the database its value came from, for the "taken from ..." notes."""
    from congso.exchange import selectors as exchange_selectors

    names: dict[str, str] = {}
    by_service: dict[str, str] = {}
    for name, entry in (draft.prefilled or {}).items():
        alias = str(entry.get("service", ""))
        if alias not in by_service:
            service = exchange_selectors.service_get(service=alias) if alias else None
            by_service[alias] = service.provider.name if service is not None else alias
        names[name] = by_service[alias]
    return names


# --- The documents of a draft -------------------------------------------------------------------
@dataclass
class DraftRequirement:
    """One document of the procedure as the documents step shows it."""

    requirement: Any
    # "upload" (the applicant provides it), "state" (a registry holds it), "form" (the online form)
    mode: str
    attached: list[Any] = field(default_factory=list)  # StoredDocument
    reused: set[str] = field(default_factory=set)  # public ids picked from the store
    pickable: list[Any] = field(default_factory=list)  # StoredDocument of an accepted type


def draft_requirements(*, draft: DossierDraft, user: Any) -> list[DraftRequirement]:
    """Each required document of the draft's procedure, what is attached and what may be picked."""
    store = list(document_selectors.document_list_for(user=user))
    by_id = {str(document.public_id): document for document in store}
    rows = []
    for requirement in draft.procedure.documents.all():
        if requirement.online_form:
            rows.append(DraftRequirement(requirement, "form"))
            continue
        if requirement.registry_source:
            rows.append(DraftRequirement(requirement, "state"))
            continue
        items = (draft.documents or {}).get(str(requirement.pk), [])
        attached = [by_id[item["id"]] for item in items if item["id"] in by_id]
        allowed = requirement.file_types_list
        taken = {str(document.public_id) for document in attached}
        pickable = [
            document
            for document in store
            if str(document.public_id) not in taken and (not allowed or document.extension in allowed)
        ]
        rows.append(
            DraftRequirement(
                requirement,
                "upload",
                attached=attached,
                reused={item["id"] for item in items if item.get("reused")},
                pickable=pickable,
            )
        )
    return rows


def drafts_for_procedure(*, user: Any, procedure: Any) -> list[DossierDraft]:
    """The user's unsubmitted drafts of one procedure, newest first (to offer resuming one)."""
    return list(
        DossierDraft.objects.filter(applicant=user, procedure=procedure, dossier__isnull=True).order_by(
            "-updated_at"
        )[:5]
    )


# --- A submitted dossier ------------------------------------------------------------------------
def supplement_request(*, dossier: Dossier) -> DossierEvent | None:
    """The officer's request for a supplement the dossier is waiting on (its list of what is missing)."""
    requests = [event for event in dossier.events.all() if event.action == Action.REQUEST_SUPPLEMENT]
    return requests[-1] if requests else None


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    action: str
    status: int
    step_name: str
    reason: str


def dossier_timeline(*, dossier: Dossier) -> list[TimelineEntry]:
    """The dossier's history as the applicant sees it: what happened, when, why; no officer's name."""
    return [
        TimelineEntry(
            at=event.at,
            action=str(Action(event.action).label),
            status=event.to_status,
            step_name=event.step_name if event.action == Action.FORWARD else "",
            reason=event.reason if event.action in APPLICANT_REASON_ACTIONS else "",
        )
        for event in dossier.events.all()
    ]


def dossier_document_for(*, dossier: Dossier, public_id: uuid.UUID | str) -> Any | None:
    """A document of the dossier (one it was submitted or supplemented with, or its result)."""
    wanted = str(public_id)
    for item in dossier.documents.all():
        if str(item.document.public_id) == wanted:
            return item.document
    result = dossier.result_document
    if result is not None and str(result.public_id) == wanted:
        return result
    return None

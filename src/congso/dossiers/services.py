"""Every change to a dossier: drafts, submission, reception, processing, decision, result.

Each function checks who may act and whether the action is allowed from the current status
(:mod:`congso.dossiers.workflow`), then changes the dossier, appends a history row and an
audit entry in one transaction. Messages to the applicant leave through the notify outbox
after the commit.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.catalog import selectors as catalog_selectors
from congso.core import calendar
from congso.core.audit import audit_record
from congso.core.codes import dossier_code_next
from congso.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from congso.documents import selectors as document_selectors
from congso.documents import services as document_services
from congso.identity import selectors as identity_selectors
from congso.identity import throttle as identity_throttle
from congso.identity.auth import assurance_level_check
from congso.notify.models import Channel as NotifyChannel
from congso.notify.services import message_send

from . import workflow
from .choices import Action, Outcome, ReturnMode, Status, StepRole
from .errors import ConsentNeeded, FormInvalid, TooManyLookups, TransitionNotAllowed
from .models import Dossier, DossierDocument, DossierDraft, DossierEvent, DossierRating
from .selectors import RATEABLE, PublicStatus, dossier_public_status, officer_roles_in

PREFILL_PURPOSE = "administrative-procedure"
# Prefill source of the applicant's own account (phone, e-mail): read locally.
ACCOUNT_SERVICE = "identity.account"
DRAFT_STEPS = ("guide", "form", "documents", "review", "done")


# --- Who may act --------------------------------------------------------------------------------
def _person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.get_username())


def _require_officer(*, user: Any, dossier: Dossier, leader: bool = False) -> set[str]:
    roles = officer_roles_in(user=user, agency=dossier.agency)
    if not roles & {StepRole.OFFICER, StepRole.LEADER}:
        raise PermissionDenied(
            "Bạn không phải cán bộ xử lý hồ sơ của cơ quan này.",
            "You are not an officer of the agency handling this dossier.",
        )
    if leader and StepRole.LEADER not in roles:
        raise PermissionDenied(
            "Bước này cần lãnh đạo cơ quan thực hiện.", "This step must be taken by a leader of the agency."
        )
    return roles


def _require_applicant(*, user: Any, dossier: Dossier) -> None:
    if not Dossier.objects.visible_to_applicant(user).filter(pk=dossier.pk).exists():
        raise NotFound("Không tìm thấy hồ sơ.", "No such dossier.", code="dossier_not_found")


def _require_allowed(action: str, dossier: Dossier, *, detail_vi: str = "", detail_en: str = "") -> None:
    if not workflow.is_allowed(action, dossier.status):
        raise TransitionNotAllowed(
            action=action, status=dossier.status, detail_vi=detail_vi, detail_en=detail_en
        )


def _locked(dossier: Dossier) -> Dossier:
    """The dossier re-read under a row lock: two officers acting at once act one after the other."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


# --- History, audit, messages -------------------------------------------------------------------
def _record(
    dossier: Dossier,
    *,
    action: str,
    actor: Any,
    from_status: int | None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    actor_agency: Any = None,
) -> DossierEvent:
    step = workflow.step_at(dossier.procedure, dossier.step)
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=actor,
        actor_name=_person_name(actor),
        actor_agency=actor_agency,
        holder=dossier.holder,
        holder_name=_person_name(dossier.holder),
        step=dossier.step,
        step_name=step.name if step else "",
        reason=reason,
        details=details or {},
    )
    audit_record(
        actor=actor,
        action=f"dossiers.dossier.{action}",
        target=dossier,
        details={"code": dossier.code, "from": from_status, "to": dossier.status, **(details or {})},
    )
    return event


def site_url(path: str) -> str:
    """An absolute address on the portal, for QR codes and messages."""
    return f"{settings.CONGSO_SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def _notify(dossier: Dossier, template: str, **context: Any) -> None:
    """Tell the applicant in the inbox, and by SMS and e-mail where the account has them."""
    applicant = dossier.applicant
    channels = [NotifyChannel.INAPP]
    if getattr(applicant, "phone", ""):
        channels.append(NotifyChannel.SMS)
    if getattr(applicant, "email", ""):
        channels.append(NotifyChannel.EMAIL)
    message_send(
        template=template,
        context={
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "agency": dossier.agency.name,
            "due_on": dossier.due_on.strftime("%d/%m/%Y"),
            "url": site_url(f"/ho-so/{dossier.code}/"),
            **context,
        },
        channels=channels,
        user=applicant,
    )


def _status_event(dossier: Dossier) -> None:
    """Tell subscribed systems the status changed (exchange events; metadata, no personal data)."""
    from .events import dossier_status_publish

    dossier_status_publish(dossier)


# --- Drafts and the wizard ----------------------------------------------------------------------
def draft_start(*, user: Any, procedure_code: str, organisation: Any = None) -> DossierDraft:
    """Open a new application for a published procedure; the applicant must be allowed to apply."""
    procedure = catalog_selectors.procedure_get(code=procedure_code)
    assurance_level_check(user=user, level=procedure.assurance_level)
    if not getattr(user, "citizen_id", None):
        raise PermissionDenied(
            "Tài khoản này không gắn với công dân nên không nộp hồ sơ được.",
            "This account is not bound to a citizen, so it cannot apply.",
        )
    if organisation is not None and not procedure.for_organisations:
        raise InvalidInput(
            "Thủ tục này chỉ dành cho cá nhân; tổ chức, doanh nghiệp không nộp được.",
            "This procedure is for individuals only; an organisation cannot apply for it.",
            field="organisation_code",
            code="not_for_organisations",
        )
    if organisation is not None and not identity_selectors.organisation_may_act(
        user=user, organisation=organisation, scope="dossiers.submit"
    ):
        raise PermissionDenied(
            "Bạn không được ủy quyền nộp hồ sơ cho tổ chức này.",
            "You are not authorised to apply for this organisation.",
        )
    agencies = list(procedure.agencies.all())
    if not agencies:
        raise InvalidInput(
            "Thủ tục này chưa có cơ quan nào nhận hồ sơ trực tuyến.",
            "No agency accepts this procedure online yet.",
            code="no_agency",
        )
    with transaction.atomic():
        draft = DossierDraft.objects.create(
            applicant=user,
            organisation=organisation,
            procedure=procedure,
            agency=agencies[0] if len(agencies) == 1 else None,
        )
        audit_record(
            actor=user, action="dossiers.draft.start", target=draft, details={"procedure": procedure.code}
        )
    return draft


def draft_get_for(*, user: Any, public_id: uuid.UUID | str) -> DossierDraft:
    """The user's own draft; NotFound for anyone else's."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        key = None
    draft = (
        DossierDraft.objects.select_related("procedure", "agency", "organisation", "dossier")
        .filter(public_id=key, applicant=user)
        .first()
        if key
        else None
    )
    if draft is None:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    return draft


def _draft_open(draft: DossierDraft) -> None:
    if draft.dossier is not None:
        code = draft.dossier.code
        raise InvalidInput(
            f"Hồ sơ này đã nộp (mã {code}).",
            f"This application has been submitted (code {code}).",
            code="draft_submitted",
        )


@transaction.atomic
def draft_save(
    *,
    draft: DossierDraft,
    user: Any,
    data: dict[str, Any] | None = None,
    agency_code: str | None = None,
    step: str | None = None,
) -> DossierDraft:
    """Keep what the applicant has written so far. Values the State supplied are not overwritten."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    if data is not None:
        if not isinstance(data, dict):
            raise InvalidInput("Dữ liệu biểu mẫu không hợp lệ.", "The form data is not valid.", field="data")
        draft.data = {**data, **_prefilled_values(draft)}
    if agency_code is not None:
        agency = next((a for a in draft.procedure.agencies.all() if a.code == agency_code), None)
        if agency is None:
            raise InvalidInput(
                "Hãy chọn cơ quan giải quyết trong danh sách.",
                "Choose the agency from the list.",
                field="agency",
            )
        draft.agency = agency
    if step is not None:
        if step not in DRAFT_STEPS[:-1]:
            raise InvalidInput("Bước không hợp lệ.", "Unknown step.", field="step")
        draft.step = step
    draft.save()
    return draft


def _prefilled_values(draft: DossierDraft) -> dict[str, Any]:
    return {name: entry["value"] for name, entry in (draft.prefilled or {}).items() if entry.get("readonly")}


def _dig(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def prefill_services(*, procedure: Any) -> list[str]:
    """The exchange services (aliases) the procedure's form is prefilled from, in form order."""
    fields = catalog_selectors.procedure_form_fields(procedure=procedure)
    return list(
        dict.fromkeys(
            f.prefill.service
            for f in fields
            if f.prefill is not None and f.prefill.service != ACCOUNT_SERVICE
        )
    )


def _account_answer(user: Any) -> dict[str, str]:
    """What the applicant's own eID account holds (no other agency's data, so no exchange call)."""
    phone = str(getattr(user, "phone", "") or "")
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    return {"phone": phone, "email": str(getattr(user, "email", "") or "")}


@dataclass
class PrefillOutcome:
    filled: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


def draft_prefill(*, draft: DossierDraft, user: Any) -> PrefillOutcome:
    """Fill the form from the registries through the exchange, with the applicant's consent.

    Once-only principle: what the State holds is fetched, shown and confirmed, never retyped.
    Each service is asked through the exchange client (right, consent, message log, data
    tracker), outside any transaction of ours. Raises :class:`ConsentNeeded` naming the
    services when the applicant has not consented (or has withdrawn it): the wizard asks.
    """
    from congso.exchange import client as exchange_client
    from congso.exchange.errors import ExchangeError

    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    fields = catalog_selectors.procedure_form_fields(procedure=draft.procedure)
    services = prefill_services(procedure=draft.procedure)
    answers: dict[str, Any] = {}
    outcome = PrefillOutcome()
    needs_consent: list[str] = []
    for service in services:
        try:
            answers[service] = exchange_client.call_json(
                client_subsystem=exchange_client.portal_client_id(),
                service=service,
                data_subject=user.get_username(),
                purpose=PREFILL_PURPOSE,
                user=user,
            )
        except ExchangeError as error:
            if error.code == "consent_required":
                needs_consent.append(service)
            else:
                outcome.unavailable.append(service)
        except DomainError:
            # The registry has no record (e.g. no driver's licence): the applicant types it.
            outcome.unavailable.append(service)
    if needs_consent:
        raise ConsentNeeded(needs_consent)
    answers[ACCOUNT_SERVICE] = _account_answer(user)
    prefilled: dict[str, Any] = {}
    for form_field in fields:
        source = form_field.prefill
        if source is None or source.service not in answers:
            continue
        value = _dig(answers[source.service], source.path)
        if value in (None, ""):
            outcome.missing.append(form_field.name)
            continue
        prefilled[form_field.name] = {
            "value": value,
            "service": source.service,
            "source": source.key,
            "readonly": form_field.readonly,
        }
        outcome.filled[form_field.name] = value
    with transaction.atomic():
        locked = DossierDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.agency_id is None:
            locked.agency = _agency_near(locked.procedure, _residence_commune(answers, prefilled))
        locked.prefilled = prefilled
        # Read-only values are the State's and always win; an editable one only fills a blank,
        # so a correction the applicant made survives the next visit to the form.
        fresh = {
            name: entry["value"]
            for name, entry in prefilled.items()
            if entry["readonly"] or locked.data.get(name) in (None, "")
        }
        locked.data = {**locked.data, **fresh}
        locked.save(update_fields=["prefilled", "data", "agency", "updated_at"])
        audit_record(
            actor=user,
            action="dossiers.draft.prefill",
            target=locked,
            details={"services": list(answers), "fields": sorted(prefilled)},
        )
    draft.prefilled, draft.data, draft.agency = locked.prefilled, locked.data, locked.agency
    return outcome


def _residence_commune(answers: dict[str, Any], prefilled: dict[str, Any]) -> str:
    """The commune of permanent residence in what the registries answered, or ''."""
    for entry in prefilled.values():
        if entry.get("source") == "population.permanent_commune_code":
            return str(entry["value"])
    return str(_dig(answers.get("registry.citizen") or {}, "permanent_residence.commune_code") or "")


def _agency_near(procedure: Any, commune_code: str) -> Any:
    """The procedure's agency for the applicant's place of permanent residence, if one matches.

    The commune code comes from the population registry, through the exchange, with the
    applicant's consent; a commune agency serves that commune, a province agency its province.
    """
    if not commune_code:
        return None
    agencies = list(procedure.agencies.select_related("administrative_unit"))
    for agency in agencies:
        unit = agency.administrative_unit
        if unit is not None and unit.code == commune_code:
            return agency
    for agency in agencies:
        unit = agency.administrative_unit
        if unit is not None and unit.level == "province" and commune_code_in(unit.code, commune_code):
            return agency
    return None


def commune_code_in(province_code: str, commune_code: str) -> bool:
    """Whether the commune ``commune_code`` lies in the province ``province_code``."""
    from congso.registry.selectors import administrative_unit_parent_code

    return administrative_unit_parent_code(code=commune_code) == province_code


@transaction.atomic
def draft_prefill_clear(*, draft: DossierDraft, user: Any) -> DossierDraft:
    """Forget what was fetched from the registries: the applicant types everything themselves."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    locked = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.prefilled:
        locked.data = {name: value for name, value in locked.data.items() if name not in locked.prefilled}
        locked.prefilled = {}
        locked.save(update_fields=["data", "prefilled", "updated_at"])
        audit_record(actor=user, action="dossiers.draft.prefill_clear", target=locked)
    draft.data, draft.prefilled = locked.data, locked.prefilled
    return draft


def prefill_consent_grant(*, draft: DossierDraft, user: Any, services: Sequence[str]) -> Any:
    """Record the applicant's consent that the portal fetch ``services`` for this application."""
    from congso.exchange import client as exchange_client
    from congso.exchange import selectors as exchange_selectors
    from congso.exchange import services as exchange_services

    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    wanted = set(prefill_services(procedure=draft.procedure))
    chosen = [name for name in services if name in wanted]
    resolved = [exchange_selectors.service_get(service=name) for name in chosen]
    consumer = exchange_selectors.subsystem_get(client_id=exchange_client.portal_client_id())
    if consumer is None or not resolved or any(item is None for item in resolved):
        raise InvalidInput(
            "Không xác định được dữ liệu cần lấy.",
            "The data to fetch could not be determined.",
            field="services",
        )
    days = int(getattr(settings, "CONGSO_DOSSIER_CONSENT_DAYS", 30))
    return exchange_services.consent_grant(
        citizen_user=user,
        consumer_subsystem=consumer,
        services=[item for item in resolved if item is not None],
        purpose=PREFILL_PURPOSE,
        valid_until=timezone.now() + datetime.timedelta(days=days),
        dossier_ref=str(draft.public_id),
    )


def _requirement(draft: DossierDraft, requirement_id: int | str) -> Any:
    for requirement in draft.procedure.documents.all():
        if str(requirement.pk) == str(requirement_id):
            return requirement
    raise InvalidInput(
        "Không có thành phần hồ sơ này.", "No such document of the dossier.", field="requirement"
    )


def _max_files() -> int:
    return int(getattr(settings, "CONGSO_UPLOAD_MAX_FILES", 20))


def _attached_count(documents: dict[str, Any]) -> int:
    return sum(len(items) for items in documents.values())


def draft_document_upload(
    *, draft: DossierDraft, user: Any, requirement_id: int | str, uploaded_file: Any
) -> Any:
    """Check and keep an uploaded file in the personal store, and attach it to the draft."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    requirement = _requirement(draft, requirement_id)
    if _attached_count(draft.documents) >= _max_files():
        raise InvalidInput(
            f"Mỗi hồ sơ có tối đa {_max_files()} tệp.",
            f"A dossier holds at most {_max_files()} files.",
            field="file",
            code="too_many_files",
        )
    document = document_services.document_upload(
        owner=user,
        uploaded_file=uploaded_file,
        title=requirement.name,
        allowed_types=requirement.file_types_list or None,
    )
    _draft_attach(draft, requirement, document, reused=False)
    return document


def draft_document_pick(
    *, draft: DossierDraft, user: Any, requirement_id: int | str, document_id: uuid.UUID | str
) -> Any:
    """Attach a document from the applicant's store instead of uploading it again."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    requirement = _requirement(draft, requirement_id)
    document = document_selectors.document_get_for(user=user, public_id=document_id)
    allowed = requirement.file_types_list
    if allowed and not document_selectors.document_type_allowed(document=document, allowed_types=allowed):
        raise InvalidInput(
            f"Giấy tờ này là tệp {document.extension.upper()}; thành phần này nhận: {', '.join(allowed)}.",
            f"This document is a {document.extension.upper()} file; this item accepts: {', '.join(allowed)}.",
            field="document",
            code="file_type",
        )
    if _attached_count(draft.documents) >= _max_files():
        raise InvalidInput(
            f"Mỗi hồ sơ có tối đa {_max_files()} tệp.",
            f"A dossier holds at most {_max_files()} files.",
            field="document",
            code="too_many_files",
        )
    _draft_attach(draft, requirement, document, reused=True)
    return document


@transaction.atomic
def _draft_attach(draft: DossierDraft, requirement: Any, document: Any, *, reused: bool) -> None:
    locked = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    items = locked.documents.setdefault(str(requirement.pk), [])
    if not any(item["id"] == str(document.public_id) for item in items):
        items.append({"id": str(document.public_id), "reused": reused})
    locked.save(update_fields=["documents", "updated_at"])
    draft.documents = locked.documents


@transaction.atomic
def draft_document_remove(
    *, draft: DossierDraft, user: Any, requirement_id: int | str, document_id: uuid.UUID | str
) -> None:
    """Take a document off the draft (it stays in the personal store)."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    locked = DossierDraft.objects.select_for_update().get(pk=draft.pk)
    key = str(requirement_id)
    locked.documents[key] = [item for item in locked.documents.get(key, []) if item["id"] != str(document_id)]
    if not locked.documents[key]:
        del locked.documents[key]
    locked.save(update_fields=["documents", "updated_at"])
    draft.documents = locked.documents


@transaction.atomic
def draft_delete(*, draft: DossierDraft, user: Any) -> None:
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    _draft_open(draft)
    audit_record(actor=user, action="dossiers.draft.delete", target=draft)
    draft.delete()


def draft_problems(*, draft: DossierDraft) -> tuple[dict[str, Any], dict[str, str]]:
    """(form errors per field, document errors per requirement id) that stop the submission."""
    data = {**(draft.data or {}), **_prefilled_values(draft)}
    form_errors = catalog_selectors.procedure_form_validate(procedure=draft.procedure, data=data)
    document_errors: dict[str, str] = {}
    for requirement in draft.procedure.documents.all():
        # A document the State already holds (registry_source) is fetched, not asked for.
        if (
            requirement.mandatory
            and not requirement.registry_source
            and not requirement.online_form
            and not draft.documents.get(str(requirement.pk))
        ):
            document_errors[str(requirement.pk)] = (
                f"Cần nộp: {requirement.name} (required: {requirement.name})"
            )
    return dict(form_errors), document_errors


def dossier_submit(*, draft: DossierDraft, user: Any) -> Dossier:
    """Submit the draft: one dossier per draft, whatever the number of clicks or retries.

    The dossier gets its code (Circular 01/2018 art. 19), its legal reception date (after the
    cut-off hour or on a holiday: the next working day) and its due date in working days.
    """
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.", "No such draft application.", code="draft_not_found")
    existing = Dossier.objects.filter(idempotency_key=draft.public_id).first()
    if existing is not None:
        return existing
    procedure = draft.procedure
    if not procedure.published:
        raise NotFound(
            f"Thủ tục {procedure.code} không còn nhận hồ sơ.",
            f"Procedure {procedure.code} no longer accepts applications.",
            code="procedure_not_found",
        )
    assurance_level_check(user=user, level=procedure.assurance_level)
    if draft.agency is None:
        raise InvalidInput("Hãy chọn cơ quan giải quyết.", "Choose the agency.", field="agency")
    form_errors, document_errors = draft_problems(draft=draft)
    if form_errors or document_errors:
        raise FormInvalid(
            {**form_errors, **{f"document-{key}": value for key, value in document_errors.items()}}
        )
    try:
        return _submit(draft=draft, user=user, procedure=procedure)
    except IntegrityError:
        # Two requests with the same draft raced past the first check: the other one won.
        existing = Dossier.objects.filter(idempotency_key=draft.public_id).first()
        if existing is None:
            raise
        return existing


def _submitted_documents(draft: DossierDraft, user: Any, procedure: Any) -> list[tuple[Any, Any, bool]]:
    """(requirement, stored document, reused) for every document attached to the draft."""
    requirements = {str(r.pk): r for r in procedure.documents.all()}
    found = []
    for requirement_id, items in draft.documents.items():
        requirement = requirements.get(requirement_id)
        for item in items:
            try:
                document = document_selectors.document_get_for(user=user, public_id=item["id"])
            except NotFound:
                name = requirement.name if requirement else ""
                raise InvalidInput(
                    f"Một giấy tờ đã chọn cho '{name}' không còn trong kho của bạn; hãy chọn hoặc tải lên lại.",
                    f"A document chosen for '{name}' is no longer in your store; choose or upload it again.",
                    field=f"document-{requirement_id}",
                    code="document_gone",
                ) from None
            found.append((requirement, document, bool(item.get("reused"))))
    return found


@transaction.atomic
def _submit(*, draft: DossierDraft, user: Any, procedure: Any) -> Dossier:
    locked = DossierDraft.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=draft.pk)
    if locked.dossier is not None:
        return locked.dossier
    agency = locked.agency
    if agency is None:
        raise InvalidInput("Hãy chọn cơ quan giải quyết.", "Choose the agency.", field="agency")
    documents = _submitted_documents(locked, user, procedure)
    now = timezone.now()
    received_on = calendar.reception_date(now)
    due_on = calendar.add_working_days(received_on, procedure.processing_days)
    # Two rows are shared by every submission of the agency that day: the day's sequence and
    # the audit chain's head. Both are taken by the last statements, so that concurrent
    # submissions wait for each other as briefly as possible.
    dossier = Dossier.objects.create(
        code=f"~{locked.public_id.hex}",  # numbered below, inside this transaction
        procedure=procedure,
        agency=agency,
        applicant=user,
        organisation=locked.organisation,
        # The eID account's own name and number: no read of the population registry here.
        applicant_personal_id=user.get_username(),
        applicant_name=_person_name(user),
        data={**locked.data, **_prefilled_values(locked)},
        prefilled=locked.prefilled,
        idempotency_key=locked.public_id,
        submitted_at=now,
        received_on=received_on,
        due_on=due_on,
        original_due_on=due_on,
    )
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier,
            requirement=requirement,
            requirement_name=requirement.name if requirement else document.title,
            document=document,
            reused=reused,
        )
        for requirement, document, reused in documents
    )
    locked.dossier = dossier
    locked.step = "done"
    locked.save(update_fields=["dossier", "step", "updated_at"])
    dossier.code = dossier_code_next(agency_code=agency.code, on=received_on)
    Dossier.objects.filter(pk=dossier.pk).update(code=dossier.code)
    for _requirement, document, reused in documents:
        if reused:
            document_services.document_mark_reused(document=document, dossier_code=dossier.code)
    _notify(dossier, "dossiers.submitted")
    _status_event(dossier)
    _record(dossier, action=Action.SUBMIT, actor=user, from_status=None)
    return dossier


# --- Reception ----------------------------------------------------------------------------------
@transaction.atomic
def dossier_receive(*, dossier: Dossier, officer: Any, note: str = "") -> Dossier:
    """Accept the dossier as complete (the receipt was issued at submission)."""
    dossier = _locked(dossier)
    _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.RECEIVE, dossier)
    previous = dossier.status
    dossier.status = Status.RECEIVED
    dossier.save(update_fields=["status", "updated_at"])
    _record(
        dossier,
        action=Action.RECEIVE,
        actor=officer,
        from_status=previous,
        reason=note,
        actor_agency=dossier.agency,
    )
    _notify(dossier, "dossiers.received")
    _status_event(dossier)
    return dossier


def _reason_required(reason: str, *, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Hãy ghi rõ lý do.", "Give the reason.", field=field_name)
    if len(reason) > 4000:
        raise InvalidInput(
            "Lý do dài quá 4000 ký tự.", "The reason is longer than 4000 characters.", field=field_name
        )
    return reason


@transaction.atomic
def dossier_request_supplement(
    *, dossier: Dossier, officer: Any, missing: Sequence[str], note: str = ""
) -> Dossier:
    """Ask the applicant, once, for everything that is missing (Decree 61/2018 art. 19).

    The agency's clock stops until the applicant supplies it: the days waited are added to the
    due date when they do.
    """
    items = [item.strip() for item in missing if item and item.strip()]
    if not items:
        raise InvalidInput(
            "Hãy liệt kê đầy đủ những gì cần bổ sung.", "List everything that is missing.", field="missing"
        )
    dossier = _locked(dossier)
    _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.REQUEST_SUPPLEMENT, dossier)
    if dossier.supplement_requested_at is not None:
        raise TransitionNotAllowed(
            action=Action.REQUEST_SUPPLEMENT,
            status=dossier.status,
            detail_vi="Chỉ được yêu cầu bổ sung một lần, nêu đầy đủ mọi thứ còn thiếu.",
            detail_en="A supplement may be requested only once, listing everything missing.",
        )
    previous = dossier.status
    now = timezone.now()
    dossier.resume_status = previous
    dossier.status = Status.SUPPLEMENT_REQUESTED
    dossier.paused_since = now
    dossier.supplement_requested_at = now
    dossier.save(
        update_fields=["status", "resume_status", "paused_since", "supplement_requested_at", "updated_at"]
    )
    _record(
        dossier,
        action=Action.REQUEST_SUPPLEMENT,
        actor=officer,
        from_status=previous,
        reason=note.strip(),
        details={"missing": items},
        actor_agency=dossier.agency,
    )
    _notify(dossier, "dossiers.supplement_requested", missing=items, note=note.strip())
    _status_event(dossier)
    return dossier


def dossier_supply(
    *, dossier: Dossier, user: Any, uploads: Sequence[tuple[Any, Any]] = (), note: str = ""
) -> Dossier:
    """The applicant answers the supplement request with what was missing.

    ``uploads`` are (uploaded file, requirement id or None) pairs; each file is checked and kept
    in the personal store first. The due date moves by the working days the agency waited.
    """
    _require_applicant(user=user, dossier=dossier)
    _require_allowed(Action.SUPPLY, dossier)
    if not uploads and not note.strip():
        raise InvalidInput(
            "Hãy tải lên giấy tờ còn thiếu hoặc ghi nội dung bổ sung.",
            "Upload the missing documents or write what you are adding.",
            field="file",
        )
    if len(uploads) + dossier.documents.count() > _max_files():
        raise InvalidInput(
            f"Mỗi hồ sơ có tối đa {_max_files()} tệp.",
            f"A dossier holds at most {_max_files()} files.",
            field="file",
            code="too_many_files",
        )
    requirements = {str(r.pk): r for r in dossier.procedure.documents.all()}
    stored = []
    for uploaded_file, requirement_id in uploads:
        requirement = requirements.get(str(requirement_id)) if requirement_id else None
        document = document_services.document_upload(
            owner=dossier.applicant,
            uploaded_file=uploaded_file,
            title=requirement.name if requirement else "Giấy tờ bổ sung",
            allowed_types=(requirement.file_types_list or None)
            if requirement
            else _supplement_types(dossier),
        )
        stored.append((document, requirement))
    return _supply(dossier=dossier, user=user, stored=stored, note=note.strip())


def _supplement_types(dossier: Dossier) -> list[str]:
    """File types a supplement not tied to one document may have: those the procedure accepts."""
    types = {
        kind for requirement in dossier.procedure.documents.all() for kind in requirement.file_types_list
    }
    return sorted(types) or ["pdf", "jpg", "jpeg", "png"]


@transaction.atomic
def _supply(*, dossier: Dossier, user: Any, stored: list[tuple[Any, Any]], note: str) -> Dossier:
    dossier = _locked(dossier)
    _require_allowed(Action.SUPPLY, dossier)
    for document, requirement in stored:
        DossierDocument.objects.create(
            dossier=dossier,
            requirement=requirement,
            requirement_name=requirement.name if requirement else document.title,
            document=document,
            supplement=True,
        )
    now = timezone.now()
    paused_since = dossier.paused_since or now
    waited = max(
        0, calendar.working_days_between(calendar.reception_date(paused_since), calendar.reception_date(now))
    )
    previous = dossier.status
    dossier.status = dossier.resume_status or Status.NEW
    dossier.resume_status = None
    dossier.paused_since = None
    dossier.paused_working_days += waited
    if waited:
        dossier.due_on = calendar.add_working_days(dossier.due_on, waited)
    dossier.save(
        update_fields=[
            "status",
            "resume_status",
            "paused_since",
            "paused_working_days",
            "due_on",
            "updated_at",
        ]
    )
    _record(
        dossier,
        action=Action.SUPPLY,
        actor=user,
        from_status=previous,
        reason=note,
        details={"files": len(stored), "waited_working_days": waited, "due_on": dossier.due_on.isoformat()},
    )
    _status_event(dossier)
    return dossier


# --- Processing ---------------------------------------------------------------------------------
def _require_can_hold(*, user: Any, dossier: Dossier, step_index: int) -> None:
    step = workflow.step_at(dossier.procedure, step_index)
    roles = officer_roles_in(user=user, agency=dossier.agency)
    needed = (
        {StepRole.LEADER} if step and step.role == StepRole.LEADER else {StepRole.OFFICER, StepRole.LEADER}
    )
    if not roles & needed:
        raise InvalidInput(
            f"{_person_name(user)} không thể nhận bước '{step.name if step else ''}' của cơ quan này.",
            f"{_person_name(user)} cannot take the step '{step.name_en if step else ''}' at this agency.",
            field="assignee",
        )


def _unit_check(dossier: Dossier, unit: Any) -> None:
    if unit is None:
        return
    node = unit
    while node is not None:
        if node.pk == dossier.agency_id:
            return
        node = node.parent
    raise InvalidInput(
        "Đơn vị xử lý phải thuộc cơ quan giải quyết hồ sơ.",
        "The processing unit must belong to the agency handling the dossier.",
        field="unit",
    )


@transaction.atomic
def dossier_assign(
    *, dossier: Dossier, officer: Any, assignee: Any, unit: Any = None, note: str = ""
) -> Dossier:
    """Route a received dossier to a unit and an officer (or hand the current step to another)."""
    dossier = _locked(dossier)
    _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.ASSIGN, dossier)
    step_index = dossier.step or 1
    _require_can_hold(user=assignee, dossier=dossier, step_index=step_index)
    _unit_check(dossier, unit)
    previous = dossier.status
    dossier.status = Status.PROCESSING
    dossier.step = step_index
    dossier.holder = assignee
    if unit is not None:
        dossier.unit = unit
    dossier.save(update_fields=["status", "step", "holder", "unit", "updated_at"])
    _record(
        dossier,
        action=Action.ASSIGN,
        actor=officer,
        from_status=previous,
        reason=note.strip(),
        details={"unit": unit.code if unit is not None else ""},
        actor_agency=dossier.agency,
    )
    if previous != dossier.status:
        _notify(dossier, "dossiers.processing")
        _status_event(dossier)
    return dossier


@transaction.atomic
def dossier_forward(*, dossier: Dossier, officer: Any, assignee: Any, note: str = "") -> Dossier:
    """Finish the current step and hand the dossier to whoever holds the next one."""
    dossier = _locked(dossier)
    roles = _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.FORWARD, dossier)
    if dossier.holder_id not in (None, officer.pk) and StepRole.LEADER not in roles:
        raise PermissionDenied(
            "Hồ sơ đang do cán bộ khác xử lý.", "Another officer holds this dossier at this step."
        )
    steps = workflow.steps_for(dossier.procedure)
    if dossier.step >= len(steps):
        raise TransitionNotAllowed(
            action=Action.FORWARD,
            status=dossier.status,
            detail_vi="Đây là bước cuối: hãy ra kết quả.",
            detail_en="This is the last step: decide the dossier.",
        )
    _require_can_hold(user=assignee, dossier=dossier, step_index=dossier.step + 1)
    dossier.step += 1
    dossier.holder = assignee
    dossier.save(update_fields=["step", "holder", "updated_at"])
    _record(
        dossier,
        action=Action.FORWARD,
        actor=officer,
        from_status=Status.PROCESSING,
        reason=note.strip(),
        actor_agency=dossier.agency,
    )
    return dossier


@transaction.atomic
def dossier_apologise(*, dossier: Dossier, officer: Any, reason: str, new_due_on: datetime.date) -> Dossier:
    """Apologise for a late dossier and set a new date: before the due date, at most once."""
    reason = _reason_required(reason)
    dossier = _locked(dossier)
    _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.APOLOGISE, dossier)
    if dossier.apologised_at is not None:
        raise TransitionNotAllowed(
            action=Action.APOLOGISE,
            status=dossier.status,
            detail_vi="Thư xin lỗi và hẹn lại ngày trả chỉ gửi một lần.",
            detail_en="The apology and new date may be sent only once.",
        )
    today = timezone.localdate()
    # vietnam.md section 2: the letter goes out at least one day before the due date.
    if today >= dossier.due_on:
        raise TransitionNotAllowed(
            action=Action.APOLOGISE,
            status=dossier.status,
            detail_vi=f"Thư xin lỗi phải gửi trước ngày hẹn trả ({dossier.due_on:%d/%m/%Y}).",
            detail_en=f"The apology must be sent before the due date ({dossier.due_on:%d/%m/%Y}).",
        )
    if not isinstance(new_due_on, datetime.date) or new_due_on <= dossier.due_on:
        raise InvalidInput(
            "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
            "The new date must be after the current due date.",
            field="new_due_on",
        )
    if not calendar.is_working_day(new_due_on):
        raise InvalidInput(
            "Ngày hẹn mới phải là ngày làm việc.", "The new date must be a working day.", field="new_due_on"
        )
    old_due_on = dossier.due_on
    dossier.due_on = new_due_on
    dossier.apologised_at = timezone.now()
    dossier.save(update_fields=["due_on", "apologised_at", "updated_at"])
    _record(
        dossier,
        action=Action.APOLOGISE,
        actor=officer,
        from_status=dossier.status,
        reason=reason,
        details={"old_due_on": old_due_on.isoformat(), "new_due_on": new_due_on.isoformat()},
        actor_agency=dossier.agency,
    )
    _notify(dossier, "dossiers.apology", reason=reason, old_due_on=old_due_on.strftime("%d/%m/%Y"))
    return dossier


def _close(dossier: Dossier, *, action: str, to: int, actor: Any, reason: str, officer: bool) -> Dossier:
    """End the dossier without a result (refused, stopped, withdrawn), with the reason."""
    dossier = _locked(dossier)
    if officer:
        _require_officer(user=actor, dossier=dossier)
    _require_allowed(action, dossier)
    previous = dossier.status
    dossier.status = to
    dossier.decision_reason = reason
    dossier.closed_at = timezone.now()
    dossier.paused_since = None
    dossier.save(update_fields=["status", "decision_reason", "closed_at", "paused_since", "updated_at"])
    _record(
        dossier,
        action=action,
        actor=actor,
        from_status=previous,
        reason=reason,
        actor_agency=dossier.agency if officer else None,
    )
    _status_event(dossier)
    return dossier


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, officer: Any, reason: str) -> Dossier:
    """Refuse the dossier at reception, with the reason (a refusal notice)."""
    reason = _reason_required(reason)
    dossier = _close(
        dossier, action=Action.REFUSE, to=Status.REFUSED, actor=officer, reason=reason, officer=True
    )
    _notify(dossier, "dossiers.refused", reason=reason)
    return dossier


@transaction.atomic
def dossier_stop(*, dossier: Dossier, officer: Any, reason: str) -> Dossier:
    """Stop processing, with the reason (a stop-processing notice)."""
    reason = _reason_required(reason)
    dossier = _close(
        dossier, action=Action.STOP, to=Status.STOPPED, actor=officer, reason=reason, officer=True
    )
    _notify(dossier, "dossiers.stopped", reason=reason)
    return dossier


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, user: Any, reason: str) -> Dossier:
    """The applicant withdraws the dossier before it is decided."""
    reason = _reason_required(reason)
    _require_applicant(user=user, dossier=dossier)
    return _close(
        dossier, action=Action.WITHDRAW, to=Status.WITHDRAWN, actor=user, reason=reason, officer=False
    )


def dossier_decide(*, dossier: Dossier, officer: Any, approve: bool, reason: str = "") -> Dossier:
    """The leader's decision at the last step; the result is a PDF signed with the agency's key.

    A rejection needs the reason. The signed result goes into the applicant's personal
    document store; its SHA-256 is kept so that ``/verify/<code>`` can confirm a copy.
    """
    from .results import result_issue

    reason = (reason or "").strip()
    if not approve:
        reason = _reason_required(reason)
    with transaction.atomic():
        dossier = _locked(dossier)
        _require_officer(user=officer, dossier=dossier, leader=True)
        _require_allowed(Action.DECIDE, dossier)
        steps = workflow.steps_for(dossier.procedure)
        if dossier.step < len(steps):
            raise TransitionNotAllowed(
                action=Action.DECIDE,
                status=dossier.status,
                detail_vi=f"Hồ sơ mới ở bước {dossier.step}/{len(steps)}; chuyển đến bước phê duyệt trước.",
                detail_en=f"The dossier is at step {dossier.step} of {len(steps)}; forward it to approval first.",
            )
        previous = dossier.status
        now = timezone.now()
        dossier.status = Status.PROCESSED
        dossier.outcome = Outcome.APPROVED if approve else Outcome.REJECTED
        dossier.decision_reason = reason
        dossier.decided_at = now
        document = result_issue(dossier=dossier, officer=officer)
        dossier.result_document = document
        dossier.result_sha256 = document.sha256
        dossier.save(
            update_fields=[
                "status",
                "outcome",
                "decision_reason",
                "decided_at",
                "result_document",
                "result_sha256",
                "updated_at",
            ]
        )
        _record(
            dossier,
            action=Action.DECIDE,
            actor=officer,
            from_status=previous,
            reason=reason,
            details={"outcome": dossier.outcome, "result_sha256": document.sha256},
            actor_agency=dossier.agency,
        )
        _notify(dossier, "dossiers.decided", outcome=dossier.get_outcome_display(), reason=reason)
        _status_event(dossier)
    return dossier


@transaction.atomic
def dossier_return_result(*, dossier: Dossier, officer: Any, mode: str = ReturnMode.ONLINE) -> Dossier:
    """Return the result: online (it is in the applicant's store) or mark it handed over / posted."""
    if mode not in ReturnMode.values:
        raise InvalidInput(
            "Hình thức trả kết quả không hợp lệ.", "Unknown way of returning the result.", field="mode"
        )
    dossier = _locked(dossier)
    _require_officer(user=officer, dossier=dossier)
    _require_allowed(Action.RETURN_RESULT, dossier)
    previous = dossier.status
    now = timezone.now()
    dossier.status = Status.RETURNED
    dossier.return_mode = mode
    dossier.returned_at = now
    dossier.closed_at = now
    dossier.save(update_fields=["status", "return_mode", "returned_at", "closed_at", "updated_at"])
    _record(
        dossier,
        action=Action.RETURN_RESULT,
        actor=officer,
        from_status=previous,
        details={"mode": mode},
        actor_agency=dossier.agency,
    )
    _notify(dossier, "dossiers.result_returned", mode=dossier.get_return_mode_display())
    _status_event(dossier)
    return dossier


# --- Officers reading the applicant's documents -----------------------------------------------
def dossier_document_access_record(*, dossier: Dossier, officer: Any, item: DossierDocument | None) -> None:
    """Record that an officer opened a document (or the result) of the dossier.

    Every access to a person's data by someone else is recorded (ARCHITECTURE.md, security
    model); in its own transaction, so the record stays even if the download then fails.
    """
    with transaction.atomic():
        audit_record(
            actor=officer,
            action="dossiers.document.open",
            target=dossier,
            details={
                "code": dossier.code,
                "document": item.requirement_name if item is not None else "result",
                "applicant": dossier.applicant_personal_id,
            },
        )


# --- Rating ------------------------------------------------------------------------------------
@transaction.atomic
def dossier_rate(
    *, dossier: Dossier, user: Any, score: int, comment: str = "", complaint: bool = False
) -> DossierRating:
    """The applicant rates the service once the dossier is settled (1-5, comment, complaint)."""
    _require_applicant(user=user, dossier=dossier)
    dossier = _locked(dossier)
    if dossier.status not in RATEABLE:
        raise InvalidInput(
            "Chỉ đánh giá được khi hồ sơ đã có kết quả.",
            "The service can be rated once the dossier has an outcome.",
            field="score",
        )
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput("Hãy chọn số điểm từ 1 đến 5.", "Choose a score from 1 to 5.", field="score")
    if len(comment or "") > 2000:
        raise InvalidInput(
            "Nhận xét dài quá 2000 ký tự.", "The comment is longer than 2000 characters.", field="comment"
        )
    if DossierRating.objects.filter(dossier=dossier).exists():
        raise InvalidInput(
            "Hồ sơ này đã được đánh giá.", "This dossier has already been rated.", field="score"
        )
    rating = DossierRating.objects.create(
        dossier=dossier, score=score, comment=(comment or "").strip(), complaint=complaint
    )
    audit_record(
        actor=user,
        action="dossiers.dossier.rate",
        target=dossier,
        details={"code": dossier.code, "score": score, "complaint": complaint},
    )
    return rating


# --- The public status lookup -------------------------------------------------------------------
def _lookup_limit() -> identity_throttle.Limit:
    minutes = settings.CONGSO_DOSSIER_LOOKUP_LOCK_MINUTES
    return identity_throttle.Limit(
        limit=settings.CONGSO_DOSSIER_LOOKUP_MAX_MISSES,
        window=datetime.timedelta(minutes=minutes),
        lock_for=datetime.timedelta(minutes=minutes),
    )


def dossier_status_lookup(*, code: str, personal_id: str, client_address: str | None) -> PublicStatus:
    """The public status of a dossier, for the page and the API alike, with one lockout policy.

    Knowing the code and the applicant's ID number is the proof, so guessing is what has to be
    stopped: each miss (no such code with that ID number) counts against the client address,
    and ``CONGSO_DOSSIER_LOOKUP_MAX_MISSES`` misses lock it out for
    ``CONGSO_DOSSIER_LOOKUP_LOCK_MINUTES``. Found lookups and typing errors (422) cost nothing,
    so a family behind one address can follow its dossiers as often as it likes.
    """
    key = f"dossiers.lookup:{client_address or 'unknown'}"
    until = identity_throttle.throttle_locked_until(key)
    if until is not None:
        raise TooManyLookups(until)
    try:
        return dossier_public_status(code=code, personal_id=personal_id)
    except NotFound:
        identity_throttle.throttle_hit(key, _lookup_limit())
        raise

"""The applicant's pages: the application wizard, the receipt, my dossiers, one dossier, and the
public status lookup.

Thin: parse the form, call one service or selector, render. Domain refusals come back as
:class:`~congso.core.errors.DomainError` and are shown on the form, Vietnamese first. Every
page works without JavaScript; the wizard saves at every step and can be resumed from
"My dossiers".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congso.catalog import selectors as catalog_selectors
from congso.core.errors import DomainError, NotFound
from congso.documents.responses import document_file_response
from congso.identity import services as identity_services
from congso.identity.auth import login_required_mfa, require_assurance_level
from congso.identity.errors import AssuranceTooLow
from congso.identity.models import User
from congso.identity.net import client_ip

from . import citizen_reads, selectors, services
from .errors import ConsentNeeded, TooManyLookups
from .forms_citizen import (
    AgencyForm,
    AnswerForm,
    LookupForm,
    OnBehalfForm,
    PickForm,
    RatingForm,
    RemoveForm,
    StatusFilterForm,
    SupplementForm,
    UploadForm,
    WithdrawForm,
    answer_text,
)
from .models import Dossier, DossierDraft

# The wizard's steps (services.DRAFT_STEPS) and their addresses: /ho-so/nhap/<id>/<slug>/.
STEP_SLUGS = {"guide": "huong-dan", "form": "bieu-mau", "documents": "giay-to", "review": "xem-lai"}
SLUG_STEPS = {slug: step for step, slug in STEP_SLUGS.items()}
STEP_TITLES = {
    "guide": gettext_lazy("Guidance"),
    "form": gettext_lazy("Application form"),
    "documents": gettext_lazy("Documents"),
    "review": gettext_lazy("Check and submit"),
}
# Drafts whose applicant chose to type their data rather than have it fetched.
MANUAL_KEY = "congso.dossiers.manual_entry"
PAGE_SIZE = 20


# --- Helpers ------------------------------------------------------------------------------------
def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _at_level(request: HttpRequest, level: int, view: Callable[[HttpRequest], HttpResponse]) -> HttpResponse:
    """``view`` behind identity's guard for ``level``: too low a level gets the page saying how to raise it."""
    return require_assurance_level(level)(view)(request)


def _assurance_page(request: HttpRequest, error: AssuranceTooLow) -> HttpResponse:
    return render(request, "identity/assurance_required.html", {"level": error.level}, status=403)


def _step_url(draft: DossierDraft, step: str) -> str:
    return reverse("dossiers:draft_step", args=[draft.public_id, STEP_SLUGS.get(step, STEP_SLUGS["guide"])])


def _steps(draft: DossierDraft | None, current: str) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "title": title,
            "current": step == current,
            "url": _step_url(draft, step) if draft is not None else "",
        }
        for number, (step, title) in enumerate(STEP_TITLES.items(), start=1)
    ]


def _draft_or_404(request: HttpRequest, public_id: uuid.UUID) -> DossierDraft:
    try:
        return services.draft_get_for(user=request.user, public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _dossier_or_404(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFound as error:
        raise Http404(error.message) from error


def _manual(request: HttpRequest, draft: DossierDraft) -> bool:
    return str(draft.public_id) in request.session.get(MANUAL_KEY, [])


def _manual_set(request: HttpRequest, draft: DossierDraft, manual: bool) -> None:
    chosen = [key for key in request.session.get(MANUAL_KEY, []) if key != str(draft.public_id)]
    if manual:
        chosen = [*chosen[-49:], str(draft.public_id)]
    request.session[MANUAL_KEY] = chosen


def _show_error(form: Any, error: DomainError, *, default_field: str | None = None) -> None:
    field = (
        error.field if error.field in form.fields and not form.fields[error.field].widget.is_hidden else None
    )
    form.add_error(field or default_field, error.message)


def _submitted(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    """A draft already submitted: its receipt (a refresh or the back button after submitting)."""
    assert draft.dossier is not None
    messages.info(request, _("This application has been submitted."))
    return redirect("dossiers:receipt", code=draft.dossier.code)


# --- Starting an application --------------------------------------------------------------------
def _procedure_or_404(code: str) -> Any:
    try:
        return catalog_selectors.procedure_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from error


def _guide_context(procedure: Any) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "documents": list(procedure.documents.all()),
        "fees": list(procedure.fees.all()),
    }


@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """The guide step of a new application; POST opens the draft."""
    procedure = _procedure_or_404(code)
    return _at_level(request, procedure.assurance_level, lambda request: _apply_start(request, procedure))


def _on_behalf_form(request: HttpRequest, procedure: Any) -> OnBehalfForm | None:
    """The choice of applying for an organisation, where the procedure is open to organisations
    and the person may act for one; None otherwise."""
    user = request.user
    assert isinstance(user, User)
    if not procedure.for_organisations:
        return None
    identity_services.representation_refresh(
        user=user, max_age_seconds=settings.CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS
    )
    organisations = citizen_reads.organisations_applying_for(user=user)
    if not organisations:
        return None
    return OnBehalfForm(
        request.POST if request.method == "POST" else None,
        person=user.full_name or user.username,
        organisations=organisations,
    )


def _apply_start(request: HttpRequest, procedure: Any) -> HttpResponse:
    agencies = list(procedure.agencies.all())
    form = AgencyForm(request.POST or None, agencies=agencies) if len(agencies) > 1 else None
    on_behalf = _on_behalf_form(request, procedure)
    forms_valid = all(item is None or item.is_valid() for item in (form, on_behalf))
    if request.method == "POST" and forms_valid:
        try:
            draft = services.draft_start(
                user=request.user,
                procedure_code=procedure.code,
                organisation=on_behalf.organisation() if on_behalf is not None else None,
            )
            services.draft_save(
                draft=draft,
                user=request.user,
                agency_code=form.cleaned_data["agency"] if form is not None else None,
                step="form",
            )
        except AssuranceTooLow as error:
            return _assurance_page(request, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect(_step_url(draft, "form"))
    context = {
        **_guide_context(procedure),
        "form": form,
        "on_behalf": on_behalf,
        "steps": _steps(None, "guide"),
        "drafts": [
            {"draft": started, "url": _step_url(started, started.step)}
            for started in citizen_reads.drafts_for_procedure(user=request.user, procedure=procedure)
        ],
        "action": reverse("dossiers:apply", args=[procedure.code]),
    }
    return render(request, "dossiers/citizen/guide.html", context)


# --- The wizard ---------------------------------------------------------------------------------
@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    key = SLUG_STEPS.get(step)
    if key is None:
        raise Http404(step)
    draft = _draft_or_404(request, public_id)
    if draft.dossier_id:
        return _submitted(request, draft)
    handler = {"guide": _guide, "form": _form, "documents": _documents, "review": _review_page}[key]
    return _at_level(request, draft.procedure.assurance_level, lambda request: handler(request, draft))


def _guide(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    agencies = list(draft.procedure.agencies.all())
    form = None
    if len(agencies) > 1:
        initial = {"agency": draft.agency.code} if draft.agency is not None else None
        form = AgencyForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.draft_save(
                draft=draft,
                user=request.user,
                agency_code=form.cleaned_data["agency"] if form is not None else None,
                step="form",
            )
        except DomainError as error:
            if form is None:
                raise Http404(error.message) from error
            _show_error(form, error, default_field="agency")
        else:
            return redirect(_step_url(draft, "form"))
    context = {
        **_guide_context(draft.procedure),
        "draft": draft,
        "form": form,
        "steps": _steps(draft, "guide"),
        "action": _step_url(draft, "guide"),
    }
    return render(request, "dossiers/citizen/guide.html", context)


def _answer_form(draft: DossierDraft, data: Any = None, *, questions: list[Any]) -> AnswerForm:
    confirmed = [name for name, entry in (draft.prefilled or {}).items() if entry.get("readonly")]
    databases = citizen_reads.prefill_database_names(draft=draft)
    hints = (draft.procedure.form_ui or {}).get("fields", {})
    editable_prefilled = {name: databases[name] for name in draft.prefilled or {} if name not in confirmed}
    return AnswerForm(
        data,
        questions=questions,
        confirmed=confirmed,
        hints=hints if isinstance(hints, dict) else {},
        prefilled_from=editable_prefilled,
        english=_english(),
        initial=draft.data or {},
    )


def _confirmed_rows(draft: DossierDraft, questions: list[Any]) -> list[dict[str, Any]]:
    """The answers the State supplied and the applicant confirms, as label / value / source."""
    databases = citizen_reads.prefill_database_names(draft=draft)
    rows = []
    for question in questions:
        entry = (draft.prefilled or {}).get(question.name)
        if not entry or not entry.get("readonly"):
            continue
        rows.append(
            {
                "name": question.name,
                "label": question.title_en if _english() else question.title,
                "value": answer_text(question.schema, entry.get("value")),
                "database": databases.get(question.name, ""),
            }
        )
    return rows


def _form(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    questions = catalog_selectors.procedure_form_fields(procedure=draft.procedure)
    sources = services.prefill_services(procedure=draft.procedure)
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if action == "consent":
            return _consent_give(request, draft, sources)
        if action in ("manual", "registry"):
            _manual_set(request, draft, action == "manual")
            if action == "manual":
                services.draft_prefill_clear(draft=draft, user=request.user)
            return redirect(_step_url(draft, "form"))
        form = _answer_form(draft, request.POST, questions=questions)
        form.is_valid()  # every field is optional: the schema check below gives the messages
        try:
            services.draft_save(draft=draft, user=request.user, data=form.answers(), step="form")
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if action == "save":
                messages.success(
                    request, _("Your application is saved. You can continue it from My dossiers.")
                )
                return redirect("dossiers:mine")
            form_errors, _document_errors = services.draft_problems(draft=draft)
            if not form_errors:
                services.draft_save(draft=draft, user=request.user, step="documents")
                return redirect(_step_url(draft, "documents"))
            form.show_errors(form_errors)
        return _form_page(request, draft, form, questions, sources)

    notices: list[str] = []
    if sources and not _manual(request, draft):
        # Fetched afresh each time the step opens, so a withdrawn consent is asked for again.
        try:
            outcome = services.draft_prefill(draft=draft, user=request.user)
        except ConsentNeeded as needed:
            return _consent_page(request, draft, needed.services)
        except DomainError as error:
            notices.append(error.message)
        else:
            if outcome.unavailable:
                notices.append(
                    _(
                        "Some of your data could not be fetched from the national databases: please type it in."
                    )
                )
    form = _answer_form(draft, questions=questions)
    return _form_page(request, draft, form, questions, sources, notices=notices)


def _form_page(
    request: HttpRequest,
    draft: DossierDraft,
    form: AnswerForm,
    questions: list[Any],
    sources: list[str],
    *,
    notices: list[str] | None = None,
) -> HttpResponse:
    context = {
        "draft": draft,
        "procedure": draft.procedure,
        "form": form,
        "confirmed": _confirmed_rows(draft, questions),
        "can_fetch": bool(sources) and _manual(request, draft),
        "notices": notices or [],
        "steps": _steps(draft, "form"),
        "action": _step_url(draft, "form"),
    }
    return render(request, "dossiers/citizen/form.html", context)


def _consent_page(
    request: HttpRequest, draft: DossierDraft, needed: list[str], *, error: str = ""
) -> HttpResponse:
    context = {
        "draft": draft,
        "procedure": draft.procedure,
        "sources": citizen_reads.prefill_sources(
            procedure=draft.procedure, services=needed, language=get_language() or "vi"
        ),
        # Data was fetched for this draft before: the consent has since been withdrawn or has expired.
        "asked_again": bool(draft.prefilled),
        "consent_days": int(getattr(settings, "CONGSO_DOSSIER_CONSENT_DAYS", 30)),
        "error": error,
        "steps": _steps(draft, "form"),
        "action": _step_url(draft, "form"),
    }
    return render(request, "dossiers/citizen/consent.html", context, status=400 if error else 200)


def _consent_give(request: HttpRequest, draft: DossierDraft, sources: list[str]) -> HttpResponse:
    chosen = [name for name in request.POST.getlist("service") if name in sources] or sources
    try:
        services.prefill_consent_grant(draft=draft, user=request.user, services=chosen)
    except DomainError as error:
        return _consent_page(request, draft, chosen, error=error.message)
    _manual_set(request, draft, False)
    # The form step fetches the data as it opens (services.draft_prefill).
    return redirect(_step_url(draft, "form"))


def _documents(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if action in ("next", "save"):
            return _documents_continue(request, draft, save=action == "save")
        form: UploadForm | PickForm | RemoveForm
        if action == "upload":
            form = UploadForm(request.POST, request.FILES)
        elif action == "pick":
            form = PickForm(request.POST)
        else:
            form = RemoveForm(request.POST)
        requirement = str(request.POST.get("requirement", ""))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if isinstance(form, UploadForm):
                    document = services.draft_document_upload(
                        draft=draft,
                        user=request.user,
                        requirement_id=data["requirement"],
                        uploaded_file=data["file"],
                    )
                    messages.success(request, _("“%(name)s” is attached.") % {"name": document.original_name})
                elif isinstance(form, PickForm):
                    document = services.draft_document_pick(
                        draft=draft,
                        user=request.user,
                        requirement_id=data["requirement"],
                        document_id=data["document"],
                    )
                    messages.success(request, _("“%(name)s” is attached.") % {"name": document.title})
                else:
                    services.draft_document_remove(
                        draft=draft,
                        user=request.user,
                        requirement_id=data["requirement"],
                        document_id=data["document"],
                    )
                    messages.success(request, _("The document was taken off this application."))
            except DomainError as error:
                errors[requirement] = error.message
            else:
                return redirect(_step_url(draft, "documents"))
        else:
            errors[requirement] = " ".join(
                str(message) for messages_ in form.errors.values() for message in messages_
            )
    return _documents_page(request, draft, errors)


def _documents_continue(request: HttpRequest, draft: DossierDraft, *, save: bool) -> HttpResponse:
    if save:
        services.draft_save(draft=draft, user=request.user, step="documents")
        messages.success(request, _("Your application is saved. You can continue it from My dossiers."))
        return redirect("dossiers:mine")
    _form_errors, document_errors = services.draft_problems(draft=draft)
    if document_errors:
        return _documents_page(request, draft, document_errors)
    services.draft_save(draft=draft, user=request.user, step="review")
    return redirect(_step_url(draft, "review"))


def _documents_page(request: HttpRequest, draft: DossierDraft, errors: dict[str, str]) -> HttpResponse:
    rows = citizen_reads.draft_requirements(draft=draft, user=request.user)
    items = [
        {"row": row, "key": str(row.requirement.pk), "error": errors.get(str(row.requirement.pk), "")}
        for row in rows
    ]
    context = {
        "draft": draft,
        "procedure": draft.procedure,
        "items": items,
        "error_list": [(item["key"], item["error"]) for item in items if item["error"]]
        + [("", message) for key, message in errors.items() if key not in {item["key"] for item in items}],
        "steps": _steps(draft, "documents"),
        "action": _step_url(draft, "documents"),
    }
    return render(request, "dossiers/citizen/documents.html", context)


def _review_page(request: HttpRequest, draft: DossierDraft, *, error: str = "") -> HttpResponse:
    form_errors, document_errors = services.draft_problems(draft=draft)
    questions = catalog_selectors.procedure_form_fields(procedure=draft.procedure)
    databases = citizen_reads.prefill_database_names(draft=draft)
    form_url = _step_url(draft, "form")
    documents_url = _step_url(draft, "documents")
    answers = [
        {
            "label": question.title_en if _english() else question.title,
            "value": answer_text(question.schema, (draft.data or {}).get(question.name, "")),
            # Only while the answer is still the one the State supplied.
            "database": databases.get(question.name, "")
            if (draft.data or {}).get(question.name)
            == (draft.prefilled or {}).get(question.name, {}).get("value")
            else "",
            "url": f"{form_url}#id_{question.name}",
        }
        for question in questions
    ]
    problems = []
    if draft.agency is None:
        problems.append(
            {
                "message": _("Choose the agency that will handle your application."),
                "url": _step_url(draft, "guide"),
            }
        )
    problems += [
        {"message": message.message, "url": f"{form_url}#id_{name.split('.')[0]}"}
        for name, message in form_errors.items()
    ]
    problems += [
        {"message": message, "url": f"{documents_url}#file-{key}"} for key, message in document_errors.items()
    ]
    context = {
        "draft": draft,
        "procedure": draft.procedure,
        "answers": answers,
        "rows": citizen_reads.draft_requirements(draft=draft, user=request.user),
        "fees": list(draft.procedure.fees.all()),
        "problems": problems,
        "error": error,
        "steps": _steps(draft, "review"),
        "form_url": form_url,
        "documents_url": documents_url,
        "guide_url": _step_url(draft, "guide"),
    }
    return render(request, "dossiers/citizen/review.html", context, status=422 if error else 200)


@never_cache
@login_required_mfa
@require_POST
def draft_submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Submit: one dossier per draft, however many times the button is pressed."""
    draft = _draft_or_404(request, public_id)
    try:
        dossier = services.dossier_submit(draft=draft, user=request.user)
    except AssuranceTooLow as error:
        return _assurance_page(request, error)
    except DomainError as error:
        return _review_page(request, draft, error=error.message)
    return redirect("dossiers:receipt", code=dossier.code)


@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = _draft_or_404(request, public_id)
    if draft.dossier_id:
        return _submitted(request, draft)
    if request.method == "POST":
        services.draft_delete(draft=draft, user=request.user)
        messages.success(request, _("The draft application has been deleted."))
        return redirect("dossiers:mine")
    return render(request, "dossiers/citizen/draft_delete.html", {"draft": draft})


# --- The receipt --------------------------------------------------------------------------------
def _qr(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#0b0c0c", light="#ffffff"))


@never_cache
@login_required_mfa
@require_GET
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt and appointment slip ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")."""
    dossier = _dossier_or_404(request, code)
    context = {
        "dossier": dossier,
        "documents": [item for item in dossier.documents.all() if not item.supplement],
        "qr": _qr(dossier.code),
    }
    return render(request, "dossiers/citizen/receipt.html", context)


@never_cache
@login_required_mfa
@require_GET
def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from .results import receipt_render

    dossier = _dossier_or_404(request, code)
    response = HttpResponse(receipt_render(dossier=dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{dossier.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- My dossiers and one dossier ----------------------------------------------------------------
@never_cache
@login_required_mfa
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET or None, english=_english())
    status = form.cleaned_data["trang_thai"] if form.is_bound and form.is_valid() else None
    page = Paginator(
        selectors.dossier_list_for_applicant(user=request.user, status=status), PAGE_SIZE
    ).get_page(request.GET.get("trang"))
    drafts = [
        {"draft": draft, "url": _step_url(draft, draft.step)}
        for draft in selectors.drafts_for(user=request.user)
    ]
    context = {"form": form, "page": page, "drafts": drafts, "status": status}
    return render(request, "dossiers/citizen/dossier_list.html", context)


def _detail_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supplement_form: SupplementForm | None = None,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = selectors.actions_for_applicant(dossier=dossier)
    request_event = citizen_reads.supplement_request(dossier=dossier) if actions.supply else None
    context = {
        "dossier": dossier,
        "actions": actions,
        "timeline": citizen_reads.dossier_timeline(dossier=dossier),
        "documents": list(dossier.documents.all()),
        "supplement_request": request_event,
        "missing": (request_event.details or {}).get("missing", []) if request_event is not None else [],
        "supplement_form": supplement_form or (SupplementForm() if actions.supply else None),
        "rating_form": rating_form or (RatingForm() if actions.rate else None),
    }
    return render(request, "dossiers/citizen/dossier_detail.html", context, status=status)


@never_cache
@login_required_mfa
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail_page(request, _dossier_or_404(request, code))


@never_cache
@login_required_mfa
@require_POST
def dossier_supply(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant answers the supplement request: the missing files and a note."""
    dossier = _dossier_or_404(request, code)
    form = SupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.dossier_supply(
                dossier=dossier,
                user=request.user,
                uploads=[(uploaded, None) for uploaded in form.cleaned_data["attachments"]],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            _show_error(form, error, default_field="attachments")
        else:
            messages.success(request, _("Thank you: the agency has received what you added."))
            return redirect("dossiers:detail", code=dossier.code)
    return _detail_page(request, dossier, supplement_form=form, status=422)


@never_cache
@login_required_mfa
@require_POST
def dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request, code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_rate(
                dossier=dossier,
                user=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                complaint=form.cleaned_data["complaint"],
            )
        except DomainError as error:
            _show_error(form, error, default_field="score")
        else:
            messages.success(request, _("Thank you for rating the service."))
            return redirect("dossiers:detail", code=dossier.code)
    return _detail_page(request, dossier, rating_form=form, status=422)


@never_cache
@login_required_mfa
@require_http_methods(["GET", "POST"])
def dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """GET asks for the reason and a confirmation; POST withdraws the dossier."""
    dossier = _dossier_or_404(request, code)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_withdraw(dossier=dossier, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _show_error(form, error, default_field="reason")
        else:
            messages.success(request, _("You have withdrawn the dossier."))
            return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/citizen/withdraw.html", {"dossier": dossier, "form": form})


@never_cache
@login_required_mfa
@require_GET
def dossier_document(request: HttpRequest, code: str, public_id: uuid.UUID) -> FileResponse:
    """A document of the dossier, or its result, once the dossier is the applicant's."""
    dossier = _dossier_or_404(request, code)
    document = citizen_reads.dossier_document_for(dossier=dossier, public_id=public_id)
    if document is None:
        raise Http404(code)
    return document_file_response(document)


# --- Public status lookup -----------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    """Anyone with the dossier code and the applicant's ID number sees its status; no personal data."""
    form = LookupForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.dossier_status_lookup(
                code=form.cleaned_data["code"],
                personal_id=form.cleaned_data["personal_id"],
                client_address=client_ip(request),
            )
        except TooManyLookups as error:
            response = render(
                request,
                "dossiers/citizen/lookup.html",
                {"form": LookupForm(), "limited": error.message},
                status=429,
            )
            response["Retry-After"] = str(error.retry_after)
            return response
        except DomainError as error:
            _show_error(form, error, default_field="code")
            status = error.status
        else:
            form = LookupForm()  # the ID number is not written back into the page
    return render(request, "dossiers/citizen/lookup.html", {"form": form, "result": result}, status=status)

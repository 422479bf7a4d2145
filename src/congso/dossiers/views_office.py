"""The back office ("một cửa điện tử") and the public verification of a result.

- ``/mot-cua/``: the officer's queue, coloured by deadline, with filters and counts.
- ``/mot-cua/ho-so/<code>/``: one dossier: applicant, answers, documents, history, the
  process control sheet and the forms of the actions the officer may take now.
- ``/verify/<code>``: anyone checks a result and compares a PDF copy with the signed original.

Thin: parse, call one selector or service, render. A refusal of the domain comes back as a
:class:`~congso.core.errors.DomainError` and is shown on the page with its status (409, 422,
403), never as a 500. Every page works without JavaScript.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congso.core.errors import DomainError, InvalidInput, NotFound
from congso.documents.responses import document_file_response
from congso.identity import throttle
from congso.identity.auth import officer_required
from congso.identity.models import User
from congso.identity.net import client_ip
from congso.signing import selectors as signing_selectors
from congso.signing.selectors import SignatureReport

from . import office_reads, results, selectors, services
from .choices import Action, Status
from .forms_office import (
    OUTCOME_APPROVE,
    ApologiseForm,
    AssignForm,
    DecideForm,
    ForwardForm,
    OfficeActionForm,
    ReceiveForm,
    RefuseForm,
    ReturnResultForm,
    StopForm,
    SupplementForm,
    VerifyUploadForm,
)
from .models import Dossier

PAGE_SIZE = 50
# Query-string names of the queue's filters: /mot-cua/?han=late&trang_thai=4&cua_toi=1
QUEUE_PARAMETERS = {
    "agency": "co_quan",
    "deadline": "han",
    "status": "trang_thai",
    "procedure": "thu_tuc",
    "mine": "cua_toi",
    "query": "q",
    "page": "trang",
}
# Letter kind -> the start of its file name.
LETTER_FILES = {
    "refusal": "thong-bao-tu-choi",
    "supplement": "phieu-yeu-cau-bo-sung",
    "apology": "phieu-xin-loi",
    "stop": "phieu-dung-xu-ly",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


# --- The queue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    dossier: Dossier
    state: str
    step_name: str


@never_cache
@officer_required
@require_GET
def office_queue(request: HttpRequest) -> HttpResponse:
    """The dossiers of the officer's agencies, oldest due date first."""
    officer = _user(request)
    agencies = selectors.officer_agencies(user=officer)
    if not agencies:
        raise PermissionDenied
    values = {key: request.GET.get(name, "").strip()[:100] for key, name in QUEUE_PARAMETERS.items()}
    mine = values["mine"] in ("1", "on")
    today = timezone.localdate()
    context: dict[str, Any] = {
        "values": values,
        "mine": mine,
        "parameters": QUEUE_PARAMETERS,
        "agencies": agencies,
        "states": [str(state) for state in office_reads.QUEUE_STATES],
        "statuses": Status.choices,
        "procedures": office_reads.queue_procedures(officer=officer),
    }
    status = 200
    try:
        if values["agency"] and values["agency"] not in {agency.code for agency in agencies}:
            raise InvalidInput(
                "Bạn không xử lý hồ sơ của cơ quan này.",
                "You do not process dossiers of this agency.",
                field="agency",
            )
        agency_code, procedure, query = values["agency"], values["procedure"], values["query"]
        queue = selectors.dossier_queue(
            officer=officer,
            agency_code=agency_code,
            deadline=values["deadline"],
            status=values["status"] or None,
            procedure=procedure,
            mine=mine,
            query=query,
            today=today,
        )
        context["counts"] = office_reads.queue_counts(
            officer=officer, agency_code=agency_code, procedure=procedure, mine=mine, query=query, today=today
        )
        page = Paginator(queue.prefetch_related("procedure__process_steps"), PAGE_SIZE).get_page(
            values["page"]
        )
        english = _english()
        context["page"] = page
        context["rows"] = [
            QueueRow(
                dossier=dossier,
                state=selectors.deadline_state_of(dossier, today=today),
                step_name=office_reads.step_name(dossier, english=english),
            )
            for dossier in page
        ]
    except InvalidInput as error:
        context["error"] = error
        status = error.status
    return render(request, "dossiers/office/queue.html", context, status=status)


# --- One dossier -------------------------------------------------------------------------------
def _dossier_or_404(request: HttpRequest, code: str) -> Dossier:
    """The dossier if it is one of the officer's agencies'; else 404 (the selector audits it)."""
    try:
        return selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFound as error:
        raise Http404(error.message) from error


class _Choices:
    """The people and units an action form offers, read once per request when a form needs them."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self._people: list[tuple[Any, set[str]]] | None = None
        self._units: list[Any] | None = None

    @property
    def people(self) -> list[tuple[Any, set[str]]]:
        if self._people is None:
            self._people = selectors.officers_of(agency=self.dossier.agency)
        return self._people

    @property
    def units(self) -> list[Any]:
        if self._units is None:
            self._units = office_reads.units_of(agency=self.dossier.agency)
        return self._units

    def person(self, value: str) -> Any:
        return next(user for user, _roles in self.people if str(user.pk) == value)

    def unit(self, value: str) -> Any:
        return next(unit for unit in self.units if str(unit.pk) == value)


Runner = Callable[[Dossier, User, dict[str, Any], _Choices], Any]


@dataclass(frozen=True)
class ActionSpec:
    """An action of the back office: its form, the one service it calls, what the officer is told."""

    form: type[OfficeActionForm]
    run: Runner
    done: Promise


ACTIONS: dict[str, ActionSpec] = {
    Action.RECEIVE: ActionSpec(
        ReceiveForm,
        lambda dossier, officer, data, _c: services.dossier_receive(
            dossier=dossier, officer=officer, note=data["note"]
        ),
        gettext_lazy("The dossier was received; the applicant has been told."),
    ),
    Action.REFUSE: ActionSpec(
        RefuseForm,
        lambda dossier, officer, data, _c: services.dossier_refuse(
            dossier=dossier, officer=officer, reason=data["reason"]
        ),
        gettext_lazy("The dossier was refused; the refusal notice has been sent."),
    ),
    Action.REQUEST_SUPPLEMENT: ActionSpec(
        SupplementForm,
        lambda dossier, officer, data, _c: services.dossier_request_supplement(
            dossier=dossier, officer=officer, missing=data["missing"], note=data["note"]
        ),
        gettext_lazy(
            "The supplement request has been sent; the deadline is paused until the applicant answers."
        ),
    ),
    Action.ASSIGN: ActionSpec(
        AssignForm,
        lambda dossier, officer, data, choices: services.dossier_assign(
            dossier=dossier,
            officer=officer,
            assignee=choices.person(data["assignee"]),
            unit=choices.unit(data["unit"]),
            note=data["note"],
        ),
        gettext_lazy("The dossier was assigned."),
    ),
    Action.FORWARD: ActionSpec(
        ForwardForm,
        lambda dossier, officer, data, choices: services.dossier_forward(
            dossier=dossier, officer=officer, assignee=choices.person(data["assignee"]), note=data["note"]
        ),
        gettext_lazy("The dossier was forwarded to the next step."),
    ),
    Action.APOLOGISE: ActionSpec(
        ApologiseForm,
        lambda dossier, officer, data, _c: services.dossier_apologise(
            dossier=dossier, officer=officer, reason=data["reason"], new_due_on=data["new_due_on"]
        ),
        gettext_lazy("The apology and the new date have been sent to the applicant."),
    ),
    Action.STOP: ActionSpec(
        StopForm,
        lambda dossier, officer, data, _c: services.dossier_stop(
            dossier=dossier, officer=officer, reason=data["reason"]
        ),
        gettext_lazy("Processing was stopped; the stop notice has been sent."),
    ),
    Action.DECIDE: ActionSpec(
        DecideForm,
        lambda dossier, officer, data, _c: services.dossier_decide(
            dossier=dossier,
            officer=officer,
            approve=data["outcome"] == OUTCOME_APPROVE,
            reason=data["reason"],
        ),
        gettext_lazy("The result was signed and issued to the applicant."),
    ),
    Action.RETURN_RESULT: ActionSpec(
        ReturnResultForm,
        lambda dossier, officer, data, _c: services.dossier_return_result(
            dossier=dossier, officer=officer, mode=data["mode"]
        ),
        gettext_lazy("The return of the result was recorded."),
    ),
}


def _action_form(
    action: str, choices: _Choices, data: Any = None, *, officer: User | None = None
) -> OfficeActionForm:
    form_class = ACTIONS[action].form
    if form_class is AssignForm:
        initial = {"assignee": str(officer.pk)} if officer is not None else None
        return AssignForm(data, units=choices.units, people=choices.people, initial=initial)
    if form_class is ForwardForm:
        return ForwardForm(data, people=choices.people)
    return form_class(data)


def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: OfficeActionForm | None = None,
    problem: DomainError | None = None,
    status: int = 200,
    choices: _Choices | None = None,
) -> HttpResponse:
    officer = _user(request)
    choices = choices or _Choices(dossier)
    allowed = selectors.actions_for_officer(dossier=dossier, user=officer)
    forms = [
        bound
        if bound is not None and bound.action == action
        else _action_form(action, choices, officer=officer)
        for action in allowed
    ]
    # A refused action that is not offered now still shows its field messages.
    if bound is not None and bound.action not in allowed and bound.errors:
        forms.append(bound)
    english = _english()
    next_step = office_reads.next_step(dossier)
    context = {
        "dossier": dossier,
        "state": selectors.deadline_state_of(dossier),
        "step_name": office_reads.step_name(dossier, english=english),
        "next_step_name": (next_step.name_en if english else next_step.name) if next_step else "",
        "answers": office_reads.dossier_answers(dossier=dossier),
        "documents": list(dossier.documents.all()),
        "events": list(dossier.events.all()),
        "control_rows": selectors.dossier_control_sheet(dossier=dossier),
        "letters": office_reads.dossier_letters(dossier=dossier),
        "forms": forms,
        "bound": bound,
        "problem": problem,
    }
    return render(request, "dossiers/office/dossier.html", context, status=status)


@never_cache
@officer_required
@require_GET
def office_dossier(request: HttpRequest, code: str) -> HttpResponse:
    return _dossier_page(request, _dossier_or_404(request, code))


@never_cache
@officer_required
@require_POST
def office_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One action on the dossier: one service call; its refusal is shown with its status."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(action)
    officer = _user(request)
    dossier = _dossier_or_404(request, code)
    choices = _Choices(dossier)
    form = _action_form(action, choices, request.POST)
    if not form.is_valid():
        return _dossier_page(request, dossier, bound=form, status=422, choices=choices)
    try:
        spec.run(dossier, officer, form.cleaned_data, choices)
    except DomainError as error:
        problem: DomainError | None = error
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
            problem = None
        return _dossier_page(
            request, dossier, bound=form, problem=problem, status=error.status, choices=choices
        )
    messages.success(request, str(spec.done))
    return redirect("dossiers:office_dossier", code=dossier.code)


@never_cache
@officer_required
@require_GET
def office_control_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """The process control sheet on its own, to print."""
    dossier = _dossier_or_404(request, code)
    context = {
        "dossier": dossier,
        "control_rows": selectors.dossier_control_sheet(dossier=dossier),
        "printed_at": timezone.now(),
    }
    return render(request, "dossiers/office/control_sheet.html", context)


@never_cache
@officer_required
@require_GET
def office_document(request: HttpRequest, code: str, item_id: int) -> FileResponse:
    """A document of the dossier: the officer's right is the dossier's visibility."""
    dossier = _dossier_or_404(request, code)
    item = next((item for item in dossier.documents.all() if item.pk == item_id), None)
    if item is None:
        raise Http404(item_id)
    services.dossier_document_access_record(dossier=dossier, officer=request.user, item=item)
    return document_file_response(item.document)


@never_cache
@officer_required
@require_GET
def office_result(request: HttpRequest, code: str) -> FileResponse:
    """The signed result of the dossier."""
    dossier = _dossier_or_404(request, code)
    if dossier.result_document is None:
        raise Http404(code)
    services.dossier_document_access_record(dossier=dossier, officer=request.user, item=None)
    return document_file_response(dossier.result_document)


@never_cache
@officer_required
@require_GET
def office_letter(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A letter to the applicant (refusal, supplement request, apology, stop) as PDF."""
    if kind not in LETTER_FILES:
        raise Http404(kind)
    dossier = _dossier_or_404(request, code)
    try:
        pdf = results.letter_render(dossier=dossier, kind=kind)
    except LookupError as error:
        raise Http404(kind) from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{LETTER_FILES[kind]}-{dossier.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Public verification -------------------------------------------------------------------------
class TooManyChecks(DomainError):
    status = 429
    code = "verify_rate_limited"


class _SizeLimit(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit, so it is never kept whole."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


@dataclass(frozen=True)
class CopyCheck:
    """What an uploaded copy turned out to be, next to the signed original."""

    sha256: str
    matches: bool
    report: SignatureReport


def _verify_max_bytes() -> int:
    return int(getattr(settings, "CONGSO_SIGNING_VERIFY_MAX_BYTES", 10 * 1024 * 1024))


def _checks_allowed(request: HttpRequest) -> None:
    """Each address may compare so many copies an hour (the same allowance as the signature check)."""
    hour = datetime.timedelta(hours=1)
    limit = throttle.Limit(
        limit=int(getattr(settings, "CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR", 60)), window=hour, lock_for=hour
    )
    until = throttle.throttle_take(f"dossiers.verify:ip:{client_ip(request) or 'unknown'}", limit)
    if until is not None:
        moment = timezone.localtime(until).strftime("%H:%M")
        raise TooManyChecks(
            f"Bạn đã kiểm tra quá nhiều tệp; hãy thử lại lúc {moment}.",
            f"You have checked too many files; try again at {moment}.",
            field="file",
        )


def _copy_check(
    request: HttpRequest, form: VerifyUploadForm, handler: _SizeLimit, expected: str
) -> CopyCheck:
    valid = form.is_valid()
    if handler.too_large:
        megabytes = handler.limit // (1024 * 1024)
        too_large = InvalidInput(
            f"Tệp lớn hơn {megabytes} MB.", f"The file is larger than {megabytes} MB.", field="file"
        )
        too_large.status = 413
        raise too_large
    if not valid:
        raise InvalidInput("Hãy chọn một tệp PDF.", "Choose a PDF file.", field="file")
    _checks_allowed(request)
    content = form.cleaned_data["file"].read()
    digest = hashlib.sha256(content).hexdigest()
    return CopyCheck(
        sha256=digest, matches=digest == expected, report=signing_selectors.pdf_verify(pdf=content)
    )


@csrf_exempt  # checked by _verify, once the size limit is in place: the CSRF check reads the body
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Is this result authentic? And is the copy in my hands the signed original?"""
    handler = _SizeLimit(request, _verify_max_bytes())
    if request.method == "POST":
        request.upload_handlers.insert(0, handler)
    return _verify(request, code, handler)


@csrf_protect
def _verify(request: HttpRequest, code: str, handler: _SizeLimit) -> HttpResponse:
    try:
        verification = selectors.dossier_verification(code=code)
    except NotFound as error:
        return render(
            request, "dossiers/verify/not_found.html", {"code": code[:40], "error": error}, status=404
        )
    form = VerifyUploadForm(request.POST, request.FILES) if request.method == "POST" else VerifyUploadForm()
    context: dict[str, Any] = {
        "verification": verification,
        "form": form,
        "check": None,
        "max_megabytes": handler.limit // (1024 * 1024),
    }
    status = 200
    if request.method == "POST":
        try:
            context["check"] = _copy_check(request, form, handler, verification.result_sha256)
        except DomainError as error:
            form.errors.pop("file", None)
            form.add_error("file", error.message)
            status = error.status
    return render(request, "dossiers/verify/verify.html", context, status=status)

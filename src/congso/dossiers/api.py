"""JSON API of dossiers, mounted at /api/v1/: the applicant's, the back office's, the public lookup.

- ``/dossiers/…``: the applicant (or whoever may act for their organisation) applies and
  follows their dossiers.
- ``/office/dossiers/…``: officers of the agency handling a dossier move it along its lifecycle.
- ``/dossiers/status``: anyone holding a dossier code and the applicant's ID number.

Callers authenticate with an access token from the platform's OpenID Connect provider
(``Authorization: Bearer``), or, for the portal's own pages, with the login session (second
factor done) and Django's CSRF token on writes. Every read goes through the selectors, so a
dossier someone may not see answers 404, exactly like one that does not exist. Refusals are
:class:`~congso.core.errors.DomainError` values, mapped once in :mod:`congso.api`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Header, Query, Router, Status, UploadedFile
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf
from oauth2_provider.models import AccessToken

from congso.core.errors import InvalidInput, PermissionDenied
from congso.identity import services as identity_services
from congso.identity.auth import session_is_multi_factor
from congso.identity.net import client_ip
from congso.identity.oidc import selectors as oidc_selectors
from congso.identity.oidc.api import ProviderAccessToken
from congso.identity.oidc.errors import BearerTokenError

from . import api_reads, citizen_reads, selectors, services
from .choices import ReturnMode
from .choices import Status as DossierStatus
from .errors import TooManyLookups
from .models import Dossier, DossierDraft
from .schemas import (
    ConsentIn,
    ConsentOut,
    DossierErrorOut,
    DossierOut,
    DossierPageOut,
    DossierSummaryOut,
    DraftOut,
    DraftSaveIn,
    DraftStartIn,
    DraftSummaryOut,
    OfficeDossierOut,
    PrefillOut,
    PublicStatusOut,
    QueuePageOut,
    RatingIn,
    RatingOut,
    StoredDocumentOut,
    TransitionIn,
    WithdrawIn,
    status_of,
)

router = Router()
applicant = Router(tags=["dossiers"])
office = Router(tags=["dossiers: back office"])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- Who is asking ------------------------------------------------------------------------------
class BearerToken(ProviderAccessToken):
    """An access token from the platform's provider, when the request carries one.

    Without an ``Authorization`` header the next method (the session) is tried; with one, a
    bad token is refused outright (401/403 with a ``WWW-Authenticate`` challenge).
    """

    def __call__(self, request: HttpRequest) -> AccessToken | None:
        if "Authorization" not in request.headers:
            return None
        return super().__call__(request)


class PortalSession(APIKeyCookie):
    """The portal's login session, second factor done; writes need Django's CSRF token."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if not session_is_multi_factor(request):
            raise BearerTokenError.missing()
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise PermissionDenied(
                "Thiếu hoặc sai mã chống giả mạo (CSRF): tải lại trang rồi thử lại.",
                "The CSRF token is missing or wrong: reload the page and try again.",
                code="csrf_failed",
            )
        return request.user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


AUTH = [BearerToken(), PortalSession()]


def _user(request: HttpRequest) -> Any:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, AccessToken):
        return api_reads.account_get(pk=auth.user_id)
    return auth


def _officer(request: HttpRequest) -> Any:
    """The caller, if they process dossiers at some agency; 403 for everyone else.

    Officers act on other people's data: a token must come from a login with two factors, as
    the back-office session must.
    """
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, AccessToken):
        assurance = oidc_selectors.access_token_assurance(auth)
        if assurance is None or not assurance.multi_factor:
            raise PermissionDenied(
                "Chức năng của cán bộ cần đăng nhập bằng hai yếu tố xác thực.",
                "Officers' functions need a login with two factors.",
                code="second_factor_required",
            )
    user = _user(request)
    if not selectors.officer_agencies(user=user):
        raise PermissionDenied(
            "Chỉ cán bộ xử lý hồ sơ của cơ quan mới dùng được chức năng này.",
            "Only officers who process dossiers at an agency may use this.",
            code="not_an_officer",
        )
    return user


def _errors(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, DossierErrorOut)


def _documented(param: Any, **schema: Any) -> Any:
    """A query parameter whose OpenAPI schema lists its values, while a wrong value still reaches
    the selector and gets its bilingual 422 (django-ninja's Query has no hook for this)."""
    param.json_schema_extra = {**(param.json_schema_extra or {}), **schema}
    return param


# --- The public lookup (before /{code}, which would match "status") -----------------------------
@applicant.get(
    "/status",
    response={200: PublicStatusOut, **_errors(404, 422, 429)},
    url_name="dossier_public_status",
    summary="Tra cứu tình trạng hồ sơ (public status lookup)",
)
def dossier_public_status(
    request: HttpRequest,
    response: HttpResponse,
    code: str = Query("", description="Mã hồ sơ (the dossier code), ví dụ H15.50-261201-0001"),
    personal_id: str = Query("", description="Số định danh cá nhân của người nộp (12 chữ số)"),
) -> Any:
    """The status and history of a dossier for whoever knows its code and the applicant's ID
    number; no personal data. Too many misses from one address lock it out for a while (429)."""
    try:
        found = services.dossier_status_lookup(
            code=code, personal_id=personal_id, client_address=client_ip(request)
        )
    except TooManyLookups as error:
        response["Retry-After"] = str(error.retry_after)
        return Status(429, error.as_dict())
    return {
        "code": found.code,
        "procedure_name": found.procedure_name,
        "agency_name": found.agency_name,
        "status": status_of(found.status),
        "received_on": found.received_on,
        "due_on": found.due_on,
        "history": [{"at": at, "status": status_of(_status_number(label))} for at, label in found.history],
    }


_STATUS_BY_LABEL = {str(label): value for value, label in DossierStatus.choices}


def _status_number(label: str) -> int:
    return _STATUS_BY_LABEL[label]


# --- Drafts -------------------------------------------------------------------------------------
@applicant.get(
    "/drafts",
    response={200: list[DraftSummaryOut], **_errors(401)},
    auth=AUTH,
    url_name="draft_list",
    summary="Hồ sơ nháp chưa nộp (my unsubmitted drafts)",
)
def draft_list(request: HttpRequest) -> Any:
    return list(selectors.drafts_for(user=_user(request)))


@applicant.post(
    "/drafts",
    response={201: DraftOut, **_errors(401, 403, 404, 422)},
    auth=AUTH,
    url_name="draft_start",
    summary="Bắt đầu một hồ sơ (start an application)",
)
def draft_start(request: HttpRequest, payload: DraftStartIn) -> Any:
    """A new draft for a published procedure. 403 when the account's assurance level is too low
    for the procedure or the person may not act for the organisation."""
    user = _user(request)
    organisation = None
    if payload.organisation_code:
        identity_services.representation_refresh(
            user=user, max_age_seconds=settings.CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS
        )
        organisation = citizen_reads.organisation_for(user=user, code=payload.organisation_code)
    draft = services.draft_start(user=user, procedure_code=payload.procedure_code, organisation=organisation)
    return Status(201, services.draft_get_for(user=user, public_id=draft.public_id))


@applicant.get(
    "/drafts/{draft_id}",
    response={200: DraftOut, **_errors(401, 404)},
    auth=AUTH,
    url_name="draft_detail",
    summary="Một hồ sơ nháp (one draft, with what still stops its submission)",
)
def draft_detail(request: HttpRequest, draft_id: uuid.UUID) -> Any:
    return services.draft_get_for(user=_user(request), public_id=draft_id)


@applicant.put(
    "/drafts/{draft_id}",
    response={200: DraftOut, **_errors(401, 404, 422)},
    auth=AUTH,
    url_name="draft_save",
    summary="Lưu hồ sơ nháp (save the form's answers and the agency)",
)
def draft_save(request: HttpRequest, draft_id: uuid.UUID, payload: DraftSaveIn) -> Any:
    """Answers the State supplied (prefilled, read-only) are kept whatever ``data`` says."""
    user = _user(request)
    draft = services.draft_get_for(user=user, public_id=draft_id)
    return services.draft_save(
        draft=draft, user=user, data=payload.data, agency_code=payload.agency_code, step=payload.step
    )


@applicant.post(
    "/drafts/{draft_id}/prefill",
    response={200: PrefillOut, **_errors(401, 404, 422)},
    auth=AUTH,
    url_name="draft_prefill",
    summary="Điền sẵn từ cơ sở dữ liệu (prefill from the base registries)",
)
def draft_prefill(request: HttpRequest, draft_id: uuid.UUID) -> Any:
    """Fetch what the State holds through the data-exchange platform. Without the applicant's
    consent: 422 with code ``consent_required`` and the ``services`` to consent to."""
    user = _user(request)
    draft = services.draft_get_for(user=user, public_id=draft_id)
    outcome = services.draft_prefill(draft=draft, user=user)
    return {
        "filled": outcome.filled,
        "missing": outcome.missing,
        "unavailable": outcome.unavailable,
        "draft": draft,
    }


@applicant.post(
    "/drafts/{draft_id}/consent",
    response={201: ConsentOut, **_errors(401, 404, 422)},
    auth=AUTH,
    url_name="draft_consent",
    summary="Đồng ý lấy dữ liệu (consent to fetching data for this application)",
)
def draft_consent(request: HttpRequest, draft_id: uuid.UUID, payload: ConsentIn) -> Any:
    """Record the consent (Decree 13/2023 art. 11) for the named services, for this draft."""
    user = _user(request)
    draft = services.draft_get_for(user=user, public_id=draft_id)
    return Status(201, services.prefill_consent_grant(draft=draft, user=user, services=payload.services))


@applicant.post(
    "/drafts/{draft_id}/documents",
    response={201: StoredDocumentOut, **_errors(401, 404, 422)},
    auth=AUTH,
    url_name="draft_document_upload",
    summary="Tải lên giấy tờ (upload a document for one requirement)",
)
def draft_document_upload(
    request: HttpRequest,
    draft_id: uuid.UUID,
    file: Annotated[
        UploadedFile, File(description="Tệp PDF, JPG hoặc PNG (checked by content, not by name)")
    ],
    requirement_id: int = Form(..., description="Thành phần hồ sơ (the required document's id)"),
) -> Any:
    user = _user(request)
    draft = services.draft_get_for(user=user, public_id=draft_id)
    document = services.draft_document_upload(
        draft=draft, user=user, requirement_id=requirement_id, uploaded_file=file
    )
    return Status(201, document)


@applicant.post(
    "/drafts/{draft_id}/submit",
    response={200: DossierSummaryOut, 201: DossierSummaryOut, **_errors(401, 403, 404, 422)},
    auth=AUTH,
    url_name="draft_submit",
    summary="Nộp hồ sơ (submit; idempotent)",
)
def draft_submit(
    request: HttpRequest,
    response: HttpResponse,
    draft_id: uuid.UUID,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Tùy chọn; được gửi lại nguyên văn (optional, echoed back)",
    ),
) -> Any:
    """Submit the draft: the dossier code, reception date and due date in working days.

    The draft's id is the idempotency key: however many times this is called, one draft makes
    one dossier. The first call answers 201, every later one 200 with the same dossier. A
    form that does not fit answers 422 with one message per field in ``errors``.
    """
    user = _user(request)
    draft = services.draft_get_for(user=user, public_id=draft_id)
    with transaction.atomic():
        # The draft's row lock, held across the submission, queues concurrent calls for one
        # draft: exactly one of them finds it unsubmitted and answers 201.
        submitted_before = (
            DossierDraft.objects.select_for_update()
            .filter(pk=draft.pk)
            .values_list("dossier_id", flat=True)
            .get()
        )
        dossier = services.dossier_submit(draft=draft, user=user)
    if idempotency_key:
        response["Idempotency-Key"] = idempotency_key
    return Status(200 if submitted_before else 201, dossier)


# --- The applicant's dossiers -------------------------------------------------------------------
@applicant.get(
    "/",
    response={200: DossierPageOut, **_errors(401, 422)},
    auth=AUTH,
    url_name="dossier_list",
    summary="Hồ sơ của tôi (my dossiers and my organisations')",
)
def dossier_list(
    request: HttpRequest,
    status: int | None = Query(None, ge=1, le=10, description="Mã trạng thái 1-10"),
    page: int = Query(1, ge=1),
    page_size: int = Query(api_reads.PAGE_SIZE, ge=1, le=api_reads.PAGE_SIZE_MAX),
) -> Any:
    """Newest first: the dossiers the caller applied for, and those of organisations they may
    submit for."""
    dossiers = selectors.dossier_list_for_applicant(user=_user(request), status=status).select_related(
        "organisation"
    )
    return api_reads.page_of(dossiers, page=page, page_size=page_size)


@applicant.get(
    "/{code}",
    response={200: DossierOut, **_errors(401, 404)},
    auth=AUTH,
    url_name="dossier_detail",
    summary="Một hồ sơ (one dossier: status, documents, history)",
)
def dossier_detail(request: HttpRequest, code: str) -> Any:
    return selectors.dossier_get_for_applicant(user=_user(request), code=code)


@applicant.post(
    "/{code}/supplement",
    response={200: DossierOut, **_errors(401, 404, 409, 422)},
    auth=AUTH,
    url_name="dossier_supply",
    summary="Bổ sung hồ sơ (answer a supplement request)",
)
def dossier_supply(
    request: HttpRequest,
    code: str,
    files: Annotated[
        list[UploadedFile] | None, File(description="Giấy tờ còn thiếu (the missing documents)")
    ] = None,
    requirement_id: int | None = Form(None, description="Thành phần hồ sơ của các tệp (optional)"),
    note: str = Form("", max_length=4000),
) -> Any:
    """The due date moves by the working days the agency waited (Decree 61/2018 art. 19)."""
    user = _user(request)
    dossier = selectors.dossier_get_for_applicant(user=user, code=code)
    uploads = [(uploaded, requirement_id) for uploaded in files or []]
    services.dossier_supply(dossier=dossier, user=user, uploads=uploads, note=note)
    return selectors.dossier_get_for_applicant(user=user, code=code)


@applicant.post(
    "/{code}/withdraw",
    response={200: DossierOut, **_errors(401, 404, 409, 422)},
    auth=AUTH,
    url_name="dossier_withdraw",
    summary="Rút hồ sơ (withdraw before the decision)",
)
def dossier_withdraw(request: HttpRequest, code: str, payload: WithdrawIn) -> Any:
    user = _user(request)
    dossier = selectors.dossier_get_for_applicant(user=user, code=code)
    services.dossier_withdraw(dossier=dossier, user=user, reason=payload.reason)
    return selectors.dossier_get_for_applicant(user=user, code=code)


@applicant.post(
    "/{code}/rating",
    response={201: RatingOut, **_errors(401, 404, 422)},
    auth=AUTH,
    url_name="dossier_rate",
    summary="Đánh giá mức độ hài lòng (rate the service, once, after the outcome)",
)
def dossier_rate(request: HttpRequest, code: str, payload: RatingIn) -> Any:
    user = _user(request)
    dossier = selectors.dossier_get_for_applicant(user=user, code=code)
    rating = services.dossier_rate(
        dossier=dossier, user=user, score=payload.score, comment=payload.comment, complaint=payload.complaint
    )
    return Status(201, rating)


# --- The back office ----------------------------------------------------------------------------
@office.get(
    "/",
    response={200: QueuePageOut, **_errors(401, 403, 422)},
    auth=AUTH,
    url_name="office_queue",
    summary="Hàng đợi hồ sơ của cán bộ (the officer's queue, oldest due date first)",
)
def office_queue(
    request: HttpRequest,
    agency: str = Query("", description="Chỉ một cơ quan (one of the officer's agencies, by code)"),
    deadline: str = _documented(
        Query("", description="Hạn xử lý (deadline): on_time, due_soon, late, paused"),
        enum=["on_time", "due_soon", "late", "paused"],
    ),
    status: int | None = Query(None, ge=1, le=10, description="Mã trạng thái 1-10 (default: open ones)"),
    procedure: str = Query("", description="Mã thủ tục (a procedure's code)"),
    mine: bool = Query(False, description="Chỉ hồ sơ tôi đang giữ (only those I hold)"),
    q: str = Query("", description="Mã hồ sơ (prefix) hoặc số định danh người nộp"),
    include_closed: bool = Query(False, description="Gồm cả hồ sơ đã kết thúc (include closed ones)"),
    page: int = Query(1, ge=1),
    page_size: int = Query(api_reads.PAGE_SIZE, ge=1, le=api_reads.PAGE_SIZE_MAX),
) -> Any:
    officer = _officer(request)
    queue = selectors.dossier_queue(
        officer=officer,
        agency_code=agency,
        deadline=deadline,
        status=status,
        procedure=procedure,
        mine=mine,
        query=q,
        include_closed=include_closed,
    )
    return api_reads.page_of(queue, page=page, page_size=page_size)


def _office_detail(*, officer: Any, code: str) -> Dossier:
    dossier = selectors.dossier_get_for_officer(user=officer, code=code)
    dossier.officer_actions = selectors.actions_for_officer(dossier=dossier, user=officer)  # type: ignore[attr-defined]
    return dossier


@office.get(
    "/{code}",
    response={200: OfficeDossierOut, **_errors(401, 403, 404)},
    auth=AUTH,
    url_name="office_dossier_detail",
    summary="Hồ sơ tại cơ quan (one dossier as its agency sees it, with the allowed actions)",
)
def office_dossier_detail(request: HttpRequest, code: str) -> Any:
    return _office_detail(officer=_officer(request), code=code)


def _required_date(payload: TransitionIn) -> Any:
    if payload.new_due_on is None:
        raise InvalidInput("Hãy chọn ngày hẹn mới.", "Choose the new date.", field="new_due_on")
    return payload.new_due_on


def _required_choice(payload: TransitionIn) -> bool:
    if payload.approve is None:
        raise InvalidInput(
            "Hãy chọn chấp thuận hay không chấp thuận.", "Choose whether to approve.", field="approve"
        )
    return payload.approve


# action -> the one service that performs it, fed from the request's fields.
TRANSITIONS: dict[str, Callable[[Dossier, Any, TransitionIn], Any]] = {
    "receive": lambda d, o, p: services.dossier_receive(dossier=d, officer=o, note=p.reason),
    "refuse": lambda d, o, p: services.dossier_refuse(dossier=d, officer=o, reason=p.reason),
    "request_supplement": lambda d, o, p: services.dossier_request_supplement(
        dossier=d, officer=o, missing=p.missing, note=p.reason
    ),
    "assign": lambda d, o, p: services.dossier_assign(
        dossier=d,
        officer=o,
        assignee=api_reads.assignee_for(dossier=d, personal_id=p.assignee),
        unit=api_reads.unit_for(code=p.unit),
        note=p.reason,
    ),
    "forward": lambda d, o, p: services.dossier_forward(
        dossier=d,
        officer=o,
        assignee=api_reads.assignee_for(dossier=d, personal_id=p.assignee),
        note=p.reason,
    ),
    "apologise": lambda d, o, p: services.dossier_apologise(
        dossier=d, officer=o, reason=p.reason, new_due_on=_required_date(p)
    ),
    "stop": lambda d, o, p: services.dossier_stop(dossier=d, officer=o, reason=p.reason),
    "decide": lambda d, o, p: services.dossier_decide(
        dossier=d, officer=o, approve=_required_choice(p), reason=p.reason
    ),
    "return_result": lambda d, o, p: services.dossier_return_result(
        dossier=d, officer=o, mode=p.mode or ReturnMode.ONLINE
    ),
}


@office.post(
    "/{code}/transitions",
    response={200: OfficeDossierOut, **_errors(401, 403, 404, 409, 422)},
    auth=AUTH,
    url_name="office_dossier_transition",
    summary="Chuyển bước xử lý hồ sơ (receive, refuse, request a supplement, assign, forward, "
    "apologise, stop, decide, return the result)",
)
def office_dossier_transition(request: HttpRequest, code: str, payload: TransitionIn) -> Any:
    """One transition of the lifecycle. 409 when the dossier's status does not allow it (the
    message says why), 403 when this officer may not take it (e.g. a decision needs a leader),
    422 naming the field when an input is missing or wrong."""
    officer = _officer(request)
    dossier = selectors.dossier_get_for_officer(user=officer, code=code)
    TRANSITIONS[payload.action](dossier, officer, payload)
    return _office_detail(officer=officer, code=code)


router.add_router("/dossiers/", applicant)
router.add_router("/office/dossiers/", office)

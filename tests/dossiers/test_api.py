"""The dossier JSON API: who may call what, what each caller sees, and the refusals they get."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import RefreshToken

from congso.core import calendar
from congso.dossiers import services
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier, DossierDraft
from congso.identity import services as identity_services
from congso.identity.assurance import AMR_PASSWORD_SMS
from congso.identity.models import AuthorisationScope, OfficerRole, User
from congso.identity.oidc.models import Application, Authorization
from tests.identity import factories as identity_factories
from tests.oidc.flows import access_token_issued, sign_in

from . import factories
from .factories import World

pytestmark = pytest.mark.django_db

API = "/api/v1"
OFFICER_ACTIONS = (
    "receive",
    "refuse",
    "request_supplement",
    "assign",
    "forward",
    "apologise",
    "stop",
    "decide",
    "return_result",
)


AMR = tuple(AMR_PASSWORD_SMS)


# --- Callers ------------------------------------------------------------------------------------
def bearer(user: User, *, amr: tuple[str, ...] = AMR) -> dict[str, str]:
    """Headers with a fresh access token for ``user``, as the provider would have issued it
    after a login with ``amr``."""
    application = Application.objects.filter(name="Ứng dụng Cổng Số").first()
    if application is None:
        application = Application(
            name="Ứng dụng Cổng Số",
            client_type=Application.CLIENT_CONFIDENTIAL,
            client_secret=secrets.token_urlsafe(32),
            redirect_uris="https://app.example.vn/callback",
        )
        application.full_clean()
        application.save()
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token_issued(user, application, amr=amr)}"}


class Caller:
    """One person calling the API with their own token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = bearer(user) if user is not None else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{API}{path}", params or {}, **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.post(
            f"{API}{path}", json.dumps(body or {}), content_type="application/json", **self.headers, **extra
        )

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(
            f"{API}{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"{API}{path}", data, **self.headers)

    def call(self, method: str, path: str) -> Any:
        if method == "GET":
            return self.get(path)
        if method == "PUT":
            return self.put(path, {"data": {}})
        if path.endswith(("/documents", "/supplement")):
            return self.upload(
                path, {"requirement_id": 1, "file": factories.pdf_file(), "files": [factories.pdf_file()]}
            )
        return self.post(path, _BODIES.get(path.rsplit("/", 1)[-1], {}))


_BODIES: dict[str, dict[str, Any]] = {
    "withdraw": {"reason": "Không cần nữa"},
    "rating": {"score": 5},
    "consent": {"services": ["registry.citizen"]},
    "drafts": {"procedure_code": "x"},
}


@pytest.fixture(autouse=True)
def _client_secrets(settings: Any) -> None:
    """Fast hashing for people's passwords; client secrets keep their own hasher."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "congso.identity.oidc.hashers.ClientSecretHasher",
    ]


@pytest.fixture
def callers(world: World) -> dict[str, Caller]:
    return {
        "applicant": Caller(world.applicant),
        "officer": Caller(world.officer),
        "leader": Caller(world.leader),
        "stranger": Caller(world.stranger),
        "other_officer": Caller(world.other_officer),
        "anonymous": Caller(None),
    }


def applicant_endpoints(code: str, draft: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/dossiers/"),
        ("GET", f"/dossiers/{code}"),
        ("POST", f"/dossiers/{code}/withdraw"),
        ("POST", f"/dossiers/{code}/rating"),
        ("POST", f"/dossiers/{code}/supplement"),
        ("GET", "/dossiers/drafts"),
        ("POST", "/dossiers/drafts"),
        ("GET", f"/dossiers/drafts/{draft}"),
        ("PUT", f"/dossiers/drafts/{draft}"),
        ("POST", f"/dossiers/drafts/{draft}/prefill"),
        ("POST", f"/dossiers/drafts/{draft}/consent"),
        ("POST", f"/dossiers/drafts/{draft}/documents"),
        ("POST", f"/dossiers/drafts/{draft}/submit"),
    ]


def office_endpoints(code: str) -> list[tuple[str, str]]:
    return [("GET", "/office/dossiers/"), ("GET", f"/office/dossiers/{code}")]


def transition(caller: Caller, code: str, action: str, **fields: Any) -> Any:
    return caller.post(f"/office/dossiers/{code}/transitions", {"action": action, **fields})


def refusals(caller: Caller, endpoints: list[tuple[str, str]], expected: int) -> list[tuple[str, str, int]]:
    """The endpoints that did not answer ``expected``, with what they answered."""
    wrong = []
    for method, path in endpoints:
        status = caller.call(method, path).status_code
        if status != expected:
            wrong.append((method, path, status))
    return wrong


# --- Who may call what --------------------------------------------------------------------------
def test_anonymous_callers_get_401_everywhere_but_the_public_lookup(
    world: World, callers: dict[str, Caller]
) -> None:
    dossier = factories.submitted(world)
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    anonymous = callers["anonymous"]

    endpoints = applicant_endpoints(dossier.code, str(draft.public_id)) + office_endpoints(dossier.code)
    assert refusals(anonymous, endpoints, 401) == []
    for action in OFFICER_ACTIONS:
        response = transition(anonymous, dossier.code, action)
        assert response.status_code == 401, action
        assert response["WWW-Authenticate"].startswith("Bearer")

    body = anonymous.get("/dossiers/").json()
    assert "Thiếu access token" in body["message_vi"]
    assert (
        anonymous.get(
            "/dossiers/status", {"code": dossier.code, "personal_id": world.person.personal_id}
        ).status_code
        == 200
    )
    assert Dossier.objects.get().status == Status.NEW


def test_a_bad_token_is_refused_even_with_a_logged_in_session(world: World) -> None:
    client = Client()
    sign_in(client, world.applicant)
    assert client.get(f"{API}/dossiers/").status_code == 200

    response = client.get(f"{API}/dossiers/", HTTP_AUTHORIZATION="Bearer khong-phai-token")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_a_stranger_sees_empty_lists_and_404_for_someone_elses_dossier_and_draft(
    world: World, callers: dict[str, Caller]
) -> None:
    dossier = factories.submitted(world)
    draft = services.draft_start(user=world.applicant, procedure_code=world.procedure.code)
    stranger = callers["stranger"]

    assert stranger.get("/dossiers/").json()["count"] == 0
    assert stranger.get("/dossiers/drafts").json() == []
    details = [
        (method, path)
        for method, path in applicant_endpoints(dossier.code, str(draft.public_id))
        if path not in ("/dossiers/", "/dossiers/drafts")
    ]
    assert refusals(stranger, details, 404) == []
    response = stranger.get(f"/dossiers/{dossier.code}")
    assert response.json()["code"] == "dossier_not_found"
    assert world.person.full_name not in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW
    assert not hasattr(dossier, "rating")


def test_citizens_cannot_call_the_back_office(world: World, callers: dict[str, Caller]) -> None:
    dossier = factories.submitted(world)
    for name in ("applicant", "stranger"):
        caller = callers[name]
        assert refusals(caller, office_endpoints(dossier.code), 403) == [], name
        for action in OFFICER_ACTIONS:
            response = transition(caller, dossier.code, action, reason="x", approve=True)
            assert response.status_code == 403, (name, action)
            assert response.json()["code"] == "not_an_officer"
    assert Dossier.objects.get().status == Status.NEW


def test_an_officer_of_another_agency_sees_nothing_and_can_do_nothing(
    world: World, callers: dict[str, Caller]
) -> None:
    dossier = factories.submitted(world)
    other = callers["other_officer"]

    assert other.get("/office/dossiers/").json()["count"] == 0
    assert other.get(f"/office/dossiers/{dossier.code}").status_code == 404
    for action in OFFICER_ACTIONS:
        response = transition(other, dossier.code, action, reason="x", approve=True)
        assert response.status_code == 404, action
    assert other.get(f"/dossiers/{dossier.code}").status_code == 404
    assert Dossier.objects.get().status == Status.NEW


def test_an_officers_token_from_a_password_only_login_is_refused(world: World) -> None:
    factories.submitted(world)
    client = Client()

    for headers in (bearer(world.officer, amr=("pwd",)), _token_without_login(world.officer)):
        response = client.get(f"{API}/office/dossiers/", **headers)
        assert response.status_code == 403
        assert response.json()["code"] == "second_factor_required"
        assert "hai yếu tố" in response.json()["message_vi"]
    # A passkey is two factors on its own; a refreshed token keeps its login's factors.
    passkey = bearer(world.officer, amr=("hwk", "user"))
    assert client.get(f"{API}/office/dossiers/", **passkey).status_code == 200
    assert client.get(f"{API}/office/dossiers/", **_refreshed(world.officer)).status_code == 200
    assert client.get(f"{API}/office/dossiers/", **_refreshed(world.officer, amr=("pwd",))).status_code == 403


def _refreshed(user: User, *, amr: tuple[str, ...] = AMR) -> dict[str, str]:
    """A token obtained with the refresh token of a login with ``amr``."""
    bearer(user, amr=amr)
    authorization = Authorization.objects.filter(user=user).latest("pk")
    family = uuid.uuid4()
    Authorization.objects.filter(pk=authorization.pk).update(token_family=family)
    refresh = RefreshToken.objects.create(
        user=user,
        application=authorization.application,
        token=secrets.token_urlsafe(30),
        access_token=authorization.access_token,
        token_family=family,
    )
    raw = access_token_issued(user, authorization.application, refreshed_with=refresh)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _token_without_login(user: User) -> dict[str, str]:
    """A token no authorization code led to (the provider never issues one)."""
    headers = bearer(user)
    Authorization.objects.filter(user=user).delete()
    return headers


def test_the_agencys_officer_sees_the_queue_but_not_the_applicants_side(
    world: World, callers: dict[str, Caller]
) -> None:
    dossier = factories.submitted(world)
    officer = callers["officer"]

    queue = officer.get("/office/dossiers/").json()
    assert queue["count"] == 1
    [item] = queue["results"]
    assert item["code"] == dossier.code
    assert item["status"] == {"code": 1, "label_vi": "Mới nộp", "label_en": "new"}
    assert item["deadline"]["code"] == "on_time"
    assert item["applicant_name"] == world.person.full_name

    # An officer is a citizen too: the applicant's endpoints show only their own dossiers.
    assert officer.get("/dossiers/").json()["count"] == 0
    assert officer.get(f"/dossiers/{dossier.code}").status_code == 404
    assert officer.post(f"/dossiers/{dossier.code}/withdraw", {"reason": "x"}).status_code == 404


def test_the_organisations_representative_sees_what_an_employee_submitted_for_it(
    world: World, callers: dict[str, Caller]
) -> None:
    representative = identity_factories.make_account(
        identity_factories.make_citizen(full_name="Hoàng Văn Đại Diện"), level=2
    )
    assert representative.citizen is not None
    organisation = identity_factories.make_organisation(representative=representative.citizen)
    assert identity_services.representation_refresh(user=representative)
    world.procedure.for_organisations = True
    world.procedure.save(update_fields=["for_organisations"])
    identity_services.organisation_authorisation_grant(
        actor=representative,
        organisation=User.objects.get(organisation_code=organisation.code),
        employee_personal_id=world.applicant.username,
        scopes=[AuthorisationScope.SUBMIT_DOSSIERS],
        expires_at=timezone.now() + timedelta(days=30),
    )
    applicant = callers["applicant"]
    started = applicant.post(
        "/dossiers/drafts", {"procedure_code": world.procedure.code, "organisation_code": organisation.code}
    )
    assert started.status_code == 201, started.content
    assert started.json()["organisation"]["code"] == organisation.code
    draft = DossierDraft.objects.get(public_id=started.json()["id"])
    _complete(world, draft)
    submitted = applicant.post(f"/dossiers/drafts/{draft.public_id}/submit")
    assert submitted.status_code == 201, submitted.content
    code = submitted.json()["code"]
    own = factories.submitted(world)  # the employee's own dossier, not the organisation's

    on_behalf = Caller(representative)
    listed = on_behalf.get("/dossiers/").json()
    assert [item["code"] for item in listed["results"]] == [code]
    assert listed["results"][0]["organisation"] == {"code": organisation.code, "name": organisation.name}
    assert on_behalf.get(f"/dossiers/{code}").status_code == 200
    assert on_behalf.get(f"/dossiers/{own.code}").status_code == 404
    assert callers["stranger"].get(f"/dossiers/{code}").status_code == 404
    assert {item["code"] for item in applicant.get("/dossiers/").json()["results"]} == {code, own.code}


def test_an_organisation_cannot_apply_for_a_procedure_for_individuals(
    world: World, callers: dict[str, Caller]
) -> None:
    enterprise = world.data["enterprise"]  # the applicant is its legal representative

    response = callers["applicant"].post(
        "/dossiers/drafts", {"procedure_code": world.procedure.code, "organisation_code": enterprise.code}
    )

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "not_for_organisations",
        "organisation_code",
    )
    assert "chỉ dành cho cá nhân" in response.json()["message_vi"]
    assert not DossierDraft.objects.exists()


def test_an_organisation_the_applicant_may_not_act_for_is_refused(
    world: World, callers: dict[str, Caller]
) -> None:
    someone = identity_factories.make_citizen(full_name="Người Khác")
    organisation = identity_factories.make_organisation(representative=someone)
    response = callers["applicant"].post(
        "/dossiers/drafts", {"procedure_code": world.procedure.code, "organisation_code": organisation.code}
    )
    assert response.status_code == 403
    assert not DossierDraft.objects.exists()


def test_the_portal_session_works_with_its_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.applicant)
    assert client.get(f"{API}/dossiers/").status_code == 200

    body = json.dumps({"procedure_code": world.procedure.code})
    refused = client.post(f"{API}/dossiers/drafts", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not DossierDraft.objects.exists()

    client.get("/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    started = client.post(
        f"{API}/dossiers/drafts", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert started.status_code == 201, started.content


def test_a_session_without_the_second_factor_is_not_logged_in(world: World) -> None:
    client = Client()
    client.force_login(world.applicant)  # no record of a second factor
    assert client.get(f"{API}/dossiers/").status_code == 401


# --- Applying -----------------------------------------------------------------------------------
def _complete(world: World, draft: DossierDraft) -> None:
    user = draft.applicant
    services.prefill_consent_grant(
        draft=draft, user=user, services=services.prefill_services(procedure=draft.procedure)
    )
    services.draft_prefill(draft=draft, user=user)
    services.draft_save(draft=draft, user=user, data=factories.answers(world))
    services.draft_document_upload(
        draft=draft, user=user, requirement_id=world.requirement.pk, uploaded_file=factories.pdf_file()
    )


def test_an_application_from_draft_to_dossier(world: World, callers: dict[str, Caller]) -> None:
    applicant = callers["applicant"]
    started = applicant.post("/dossiers/drafts", {"procedure_code": world.procedure.code})
    assert started.status_code == 201, started.content
    draft = started.json()
    base = f"/dossiers/drafts/{draft['id']}"
    assert draft["agency"] == {"code": "H15.50", "name": world.ward.name}

    refused = applicant.post(f"{base}/prefill")
    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"
    assert refused.json()["services"] == ["registry.citizen"]

    consent = applicant.post(f"{base}/consent", {"services": refused.json()["services"]})
    assert consent.status_code == 201, consent.content
    assert [item["service"] for item in consent.json()["services"]] == ["registry.citizen"]

    prefilled = applicant.post(f"{base}/prefill")
    assert prefilled.status_code == 200, prefilled.content
    assert prefilled.json()["filled"]["full_name"] == world.person.full_name
    assert "full_name" in prefilled.json()["draft"]["prefilled"]

    saved = applicant.put(base, {"data": factories.answers(world, full_name="Tên Khác")})
    assert saved.status_code == 200
    assert saved.json()["data"]["full_name"] == world.person.full_name  # the State's value stays
    assert list(saved.json()["problems"]) == [f"document-{world.requirement.pk}"]

    early = applicant.post(f"{base}/submit")
    assert early.status_code == 422
    assert early.json()["code"] == "form_invalid"
    assert list(early.json()["errors"]) == [f"document-{world.requirement.pk}"]

    not_a_pdf = applicant.upload(
        f"{base}/documents",
        {"requirement_id": world.requirement.pk, "file": factories.pdf_file("x.pdf", b"MZ not a pdf")},
    )
    assert not_a_pdf.status_code == 422
    assert not_a_pdf.json()["field"] == "file"
    uploaded = applicant.upload(
        f"{base}/documents", {"requirement_id": world.requirement.pk, "file": factories.pdf_file()}
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["content_type"] == "application/pdf"
    assert applicant.get(base).json()["problems"] == {}

    submitted = applicant.post(f"{base}/submit", HTTP_IDEMPOTENCY_KEY="nop-lan-1")
    assert submitted.status_code == 201, submitted.content
    assert submitted["Idempotency-Key"] == "nop-lan-1"
    code = submitted.json()["code"]
    assert code.startswith("H15.50-")
    assert (
        submitted.json()["due_on"]
        == calendar.add_working_days(
            calendar.reception_date(Dossier.objects.get().submitted_at), 3
        ).isoformat()
    )

    again = applicant.post(f"{base}/submit", HTTP_IDEMPOTENCY_KEY="nop-lan-1")
    assert again.status_code == 200
    assert again.json()["code"] == code
    assert Dossier.objects.count() == 1
    assert applicant.get(base).json()["dossier_code"] == code
    assert applicant.put(base, {"data": {}}).status_code == 422  # a submitted draft is closed

    listed = applicant.get("/dossiers/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["status"]["code"] == 1
    detail = applicant.get(f"/dossiers/{code}").json()
    assert detail["procedure"]["code"] == world.procedure.code
    assert detail["agency"]["code"] == "H15.50"
    [document] = detail["documents"]
    assert document["requirement_name"] == "Giấy chứng sinh"
    assert document["size"] == len(factories.PDF)
    assert len(document["sha256"]) == 64
    assert [event["action"]["code"] for event in detail["timeline"]] == ["submit"]
    assert detail["actions"] == ["withdraw"]


def test_the_list_filters_by_status_and_pages(world: World, callers: dict[str, Caller]) -> None:
    first = factories.submitted(world)
    second = factories.submitted(world)
    services.dossier_refuse(dossier=first, officer=world.officer, reason="Sai thẩm quyền")
    applicant = callers["applicant"]

    page = applicant.get("/dossiers/", {"page_size": 1}).json()
    assert (page["count"], page["pages"], [item["code"] for item in page["results"]]) == (2, 2, [second.code])
    refused = applicant.get("/dossiers/", {"status": 3}).json()
    assert [item["code"] for item in refused["results"]] == [first.code]
    assert refused["results"][0]["status"]["label_en"] == "refused at reception"
    assert applicant.get("/dossiers/", {"page": 9}).json()["results"] == []


def test_submitting_an_unknown_draft_is_404_and_a_malformed_id_422(
    world: World, callers: dict[str, Caller]
) -> None:
    applicant = callers["applicant"]
    assert applicant.post("/dossiers/drafts/00000000-0000-4000-8000-000000000000/submit").status_code == 404
    malformed = applicant.post("/dossiers/drafts/khong-phai-uuid/submit")
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "draft_id"


# --- The back office ----------------------------------------------------------------------------
def test_a_dossier_through_its_whole_lifecycle(world: World, callers: dict[str, Caller]) -> None:
    code = factories.submitted(world).code
    officer, leader, applicant = callers["officer"], callers["leader"], callers["applicant"]

    detail = officer.get(f"/office/dossiers/{code}").json()
    assert detail["applicant"] == {"personal_id": world.person.personal_id, "name": world.person.full_name}
    assert {"receive", "refuse", "request_supplement"} <= set(detail["actions"])
    assert [step["role"] for step in detail["steps"]] == ["officer", "leader"]

    assert transition(officer, code, "receive").json()["status"]["code"] == Status.RECEIVED
    assigned = transition(officer, code, "assign", assignee=world.officer.username, unit="H15.50")
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["holder"]["personal_id"] == world.officer.username
    assert assigned.json()["unit"]["code"] == "H15.50"
    forwarded = transition(
        officer, code, "forward", assignee=world.leader.username, reason="Đề nghị phê duyệt"
    )
    assert forwarded.status_code == 200, forwarded.content
    assert forwarded.json()["step_name"] == "Lãnh đạo phê duyệt"
    assert "decide" not in forwarded.json()["actions"]  # the officer is no leader

    not_a_leader = transition(officer, code, "decide", approve=True)
    assert not_a_leader.status_code == 403
    decided = transition(leader, code, "decide", approve=True)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"]["code"] == Status.PROCESSED
    assert decided.json()["result"]["outcome"]["code"] == "approved"
    returned = transition(officer, code, "return_result", mode="online")
    assert returned.json()["status"] == {
        "code": 10,
        "label_vi": "Đã trả kết quả",
        "label_en": "result returned",
    }
    assert [event["action"]["code"] for event in returned.json()["timeline"]] == [
        "submit",
        "receive",
        "assign",
        "forward",
        "decide",
        "return_result",
    ]
    assert returned.json()["timeline"][3]["holder_name"] == world.leader.full_name

    mine = applicant.get(f"/dossiers/{code}").json()
    assert mine["result"]["sha256"] == Dossier.objects.get().result_sha256
    assert mine["actions"] == ["rate"]
    assert "actor_name" not in mine["timeline"][1]  # officers' names stay in the back office
    rated = applicant.post(f"/dossiers/{code}/rating", {"score": 4, "comment": "Nhanh gọn"})
    assert rated.status_code == 201, rated.content
    assert rated.json()["score"] == 4
    assert applicant.post(f"/dossiers/{code}/rating", {"score": 5}).status_code == 422
    assert applicant.get(f"/dossiers/{code}").json()["rating"]["comment"] == "Nhanh gọn"


def test_a_transition_the_status_does_not_allow_is_409_with_the_reason(
    world: World, callers: dict[str, Caller]
) -> None:
    code = factories.submitted(world).code
    officer = callers["officer"]
    assert transition(officer, code, "receive").status_code == 200

    again = transition(officer, code, "receive")
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "transition_not_allowed"
    assert "Đã tiếp nhận" in body["message_vi"]
    assert "received" in body["message_en"]
    assert transition(officer, code, "return_result").status_code == 409
    assert transition(callers["leader"], code, "decide", approve=True).status_code == 409

    services.dossier_withdraw(dossier=Dossier.objects.get(), user=world.applicant, reason="Không cần nữa")
    assert callers["applicant"].post(f"/dossiers/{code}/withdraw", {"reason": "Lần nữa"}).status_code == 409
    assert transition(officer, code, "stop", reason="Tranh chấp").status_code == 409


def test_missing_inputs_of_a_transition_are_named(world: World, callers: dict[str, Caller]) -> None:
    code = factories.submitted(world).code
    officer = callers["officer"]

    def field_of(action: str, **fields: Any) -> tuple[int, str | None]:
        response = transition(officer, code, action, **fields)
        return response.status_code, response.json().get("field")

    assert field_of("refuse") == (422, "reason")
    assert field_of("request_supplement", missing=[" "]) == (422, "missing")
    assert field_of("receive") == (200, None)
    assert field_of("assign") == (422, "assignee")
    assert field_of("assign", assignee=world.other_officer.username) == (422, "assignee")
    assert field_of("assign", assignee=world.officer.username, unit="KHONG.CO") == (422, "unit")
    elsewhere = OfficerRole.objects.get(user=world.other_officer).agency.code
    assert field_of("assign", assignee=world.officer.username, unit=elsewhere) == (422, "unit")
    assert field_of("assign", assignee=world.officer.username) == (200, None)
    assert field_of("apologise", reason="Cần xác minh") == (422, "new_due_on")
    assert field_of("decide") == (422, "approve")
    assert field_of("forward", assignee=world.leader.username) == (200, None)
    assert field_of("decide", approve=False) == (422, "reason")


def test_requests_that_do_not_fit_the_schema_list_the_fields(
    world: World, callers: dict[str, Caller]
) -> None:
    code = factories.submitted(world).code
    officer, applicant = callers["officer"], callers["applicant"]

    unknown = transition(officer, code, "explode")
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "invalid_request"
    assert list(unknown.json()["errors"]) == ["action"]

    bad = transition(officer, code, "apologise", new_due_on="ngày mai", approve="có lẽ", missing="một thứ")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"new_due_on", "approve", "missing"}

    empty = applicant.post("/dossiers/drafts", {})
    assert empty.status_code == 422
    assert list(empty.json()["errors"]) == ["procedure_code"]
    assert applicant.post(f"/dossiers/{code}/rating", {"score": "năm"}).json()["field"] == "score"
    assert officer.get("/office/dossiers/", {"page": 0}).json()["field"] == "page"
    assert officer.get("/office/dossiers/", {"status": 11}).json()["field"] == "status"
    assert officer.get("/office/dossiers/", {"deadline": "soonish"}).json()["field"] == "deadline"
    assert applicant.get("/dossiers/", {"page_size": 1000}).status_code == 422
    assert Dossier.objects.get().status == Status.NEW


def test_the_queue_filters(world: World, callers: dict[str, Caller]) -> None:
    late, soon, later = (factories.submitted(world) for _ in range(3))
    today = timezone.localdate()
    Dossier.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=1))
    Dossier.objects.filter(pk=soon.pk).update(due_on=today)
    Dossier.objects.filter(pk=later.pk).update(due_on=calendar.add_working_days(today, 10))
    services.dossier_receive(dossier=later, officer=world.officer)
    services.dossier_assign(dossier=later, officer=world.officer, assignee=world.officer)
    officer = callers["officer"]

    def codes(**params: Any) -> list[str]:
        response = officer.get("/office/dossiers/", params)
        assert response.status_code == 200, response.content
        return [item["code"] for item in response.json()["results"]]

    assert codes() == [late.code, soon.code, later.code]
    assert codes(deadline="late") == [late.code]
    assert codes(deadline="due_soon") == [soon.code]
    assert codes(mine="true") == [later.code]
    assert codes(status=4) == [later.code]
    assert codes(q=world.person.personal_id, page_size=2) == [late.code, soon.code]
    assert codes(q=late.code) == [late.code]
    assert codes(procedure="KHONG-CO") == []
    page = officer.get("/office/dossiers/", {"page": 2, "page_size": 2}).json()
    assert (page["count"], page["pages"], [item["code"] for item in page["results"]]) == (3, 2, [later.code])


def test_supplement_request_and_answer(world: World, callers: dict[str, Caller]) -> None:
    code = factories.submitted(world).code
    asked = transition(callers["officer"], code, "request_supplement", missing=["Giấy chứng sinh bản rõ"])
    assert asked.status_code == 200, asked.content
    assert asked.json()["deadline"]["code"] == "paused"
    applicant = callers["applicant"]
    assert applicant.get(f"/dossiers/{code}").json()["actions"] == ["supply", "withdraw"]

    assert applicant.upload(f"/dossiers/{code}/supplement", {}).json()["field"] == "file"
    supplied = applicant.upload(
        f"/dossiers/{code}/supplement",
        {
            "files": [factories.pdf_file("ro.pdf")],
            "requirement_id": world.requirement.pk,
            "note": "Bản rõ nét",
        },
    )
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["status"]["code"] == Status.NEW
    assert [doc["supplement"] for doc in supplied.json()["documents"]] == [False, True]
    assert applicant.upload(f"/dossiers/{code}/supplement", {"note": "Lần nữa"}).status_code == 409


def test_withdrawal_through_the_api(world: World, callers: dict[str, Caller]) -> None:
    code = factories.submitted(world).code
    assert (
        callers["applicant"].post(f"/dossiers/{code}/withdraw", {"reason": " "}).json()["field"] == "reason"
    )
    withdrawn = callers["applicant"].post(f"/dossiers/{code}/withdraw", {"reason": "Không cần nữa"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"]["code"] == Status.WITHDRAWN
    assert withdrawn.json()["actions"] == []


# --- The public lookup --------------------------------------------------------------------------
def test_the_public_lookup_shows_the_status_and_no_personal_data(
    world: World, callers: dict[str, Caller]
) -> None:
    dossier = factories.submitted(world)
    services.dossier_receive(dossier=dossier, officer=world.officer)
    public = Client()

    response = public.get(
        f"{API}/dossiers/status", {"code": dossier.code.lower(), "personal_id": world.person.personal_id}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"]["code"] == Status.RECEIVED
    assert [item["status"]["code"] for item in body["history"]] == [1, 2]
    text = response.content.decode()
    assert world.person.full_name not in text
    assert world.person.personal_id not in text
    assert world.officer.full_name not in text

    assert (
        public.get(f"{API}/dossiers/status", {"code": dossier.code, "personal_id": "0" * 12}).status_code
        == 404
    )
    malformed = public.get(f"{API}/dossiers/status", {"code": dossier.code, "personal_id": "12ab"})
    assert (malformed.status_code, malformed.json()["field"]) == (422, "personal_id")
    assert public.get(f"{API}/dossiers/status").json()["field"] == "code"


def test_too_many_missed_lookups_lock_the_address_out(world: World, settings: Any) -> None:
    settings.CONGSO_DOSSIER_LOOKUP_MAX_MISSES = 3
    dossier = factories.submitted(world)
    public = Client()
    wrong = {"code": dossier.code, "personal_id": "0" * 12}
    assert [public.get(f"{API}/dossiers/status", wrong).status_code for _ in range(3)] == [404, 404, 404]

    right = {"code": dossier.code, "personal_id": world.person.personal_id}
    locked = public.get(f"{API}/dossiers/status", right)
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_lookups"
    assert int(locked["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="10.0.0.9").get(f"{API}/dossiers/status", right).status_code == 200


# --- The description ----------------------------------------------------------------------------
def test_openapi_describes_every_dossier_path(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/dossiers/": {"get"},
        "/api/v1/dossiers/{code}": {"get"},
        "/api/v1/dossiers/status": {"get"},
        "/api/v1/dossiers/drafts": {"get", "post"},
        "/api/v1/dossiers/drafts/{draft_id}": {"get", "put"},
        "/api/v1/dossiers/drafts/{draft_id}/prefill": {"post"},
        "/api/v1/dossiers/drafts/{draft_id}/consent": {"post"},
        "/api/v1/dossiers/drafts/{draft_id}/documents": {"post"},
        "/api/v1/dossiers/drafts/{draft_id}/submit": {"post"},
        "/api/v1/dossiers/{code}/withdraw": {"post"},
        "/api/v1/dossiers/{code}/rating": {"post"},
        "/api/v1/dossiers/{code}/supplement": {"post"},
        "/api/v1/office/dossiers/": {"get"},
        "/api/v1/office/dossiers/{code}": {"get"},
        "/api/v1/office/dossiers/{code}/transitions": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["summary"], (path, method)
    transition_op = paths["/api/v1/office/dossiers/{code}/transitions"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(transition_op["responses"])
    assert "security" not in paths["/api/v1/dossiers/status"]["get"]
    components = schema["components"]["schemas"]
    assert set(components["TransitionIn"]["properties"]["action"]["enum"]) == set(OFFICER_ACTIONS)
    assert {"code", "message_vi", "message_en", "field", "errors"} <= set(
        components["DossierErrorOut"]["properties"]
    )

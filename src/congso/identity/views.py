"""Pages of the identity domain: activation, login, recovery, my account, officers' pages.

Thin: parse the form, call one service or selector, render. Domain refusals come back as
:class:`~congso.core.errors.DomainError` and are shown on the form, Vietnamese first.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from congso.core.errors import DomainError, InvalidInput, NotFound
from congso.registry.models import Agency

from . import selectors, services
from .assurance import AMR_PASSKEY, AMR_PASSWORD_PASSKEY, AMR_PASSWORD_SMS, AMR_PASSWORD_TOTP
from .auth import (
    login_complete,
    login_required_mfa,
    officer_required,
    pending_login,
    pending_login_start,
    pending_login_update,
    pending_login_user,
    require_recent_auth,
)
from .errors import TotpUnavailable
from .forms import (
    AuthorisationGrantForm,
    CodeForm,
    CodeRequestForm,
    Level2LookupForm,
    Level2RaiseForm,
    LoginForm,
    OfficerRoleAssignForm,
    PasskeyAddForm,
    PasskeyLoginForm,
    PasswordChangeForm,
    SetPasswordForm,
    TotpCodeForm,
    TotpEnrolForm,
)
from .models import CodePurpose, OfficerRole, OrganisationAuthorisation, User
from .net import client_ip, safe_next, user_agent, webauthn_origins, webauthn_rp_id

FLOW_KEYS = {
    CodePurpose.ACTIVATION: "congso.identity.activation",
    CodePurpose.RECOVERY: "congso.identity.recovery",
}
WEBAUTHN_AUTH_KEY = "congso.identity.webauthn_auth"
WEBAUTHN_REG_KEY = "congso.identity.webauthn_register"
TOTP_SECRET_KEY = "congso.identity.totp_secret"  # noqa: S105 - a session key name, not a secret
# A WebAuthn challenge is good for this long (the browser's own timeout is 60 s).
_WEBAUTHN_SECONDS = 5 * 60


def _show_error(form: Form, error: DomainError) -> None:
    field = (
        error.field if error.field in form.fields and not form.fields[error.field].widget.is_hidden else None
    )
    form.add_error(field, error.message)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next_from(request: HttpRequest) -> str:
    value = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, value, default=settings.LOGIN_REDIRECT_URL)


# --- Login ----------------------------------------------------------------------------------
@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_from(request)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_password_check(
                personal_id=form.cleaned_data["personal_id"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                user_agent=user_agent(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            pending_login_start(request, user, next_url=next_url)
            return _second_factor_begin(request, user)
    return render(
        request,
        "identity/login.html",
        {"form": form, "next": next_url, "passkey_form": PasskeyLoginForm()},
    )


def _second_factor_begin(request: HttpRequest, user: User) -> HttpResponse:
    """The authenticator app if the person has one that can be used now, else a code by SMS."""
    if selectors.totp_usable(user=user):
        pending_login_update(request, method="totp")
    else:
        _login_sms_send(request, user)
    return redirect("identity:login_verify")


def _login_sms_send(request: HttpRequest, user: User) -> bool:
    try:
        challenge = services.login_code_send(user=user)
    except DomainError as error:
        messages.error(request, error.message)
        pending_login_update(request, method="passkey" if selectors.user_has_passkey(user=user) else "none")
        return False
    pending_login_update(request, method="sms", challenge=challenge.pk)
    return True


@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: the SMS code, the authenticator app's code, or a passkey."""
    user = pending_login_user(request)
    pending = pending_login(request)
    if user is None or pending is None:
        messages.warning(request, _("Your login has expired. Please start again."))
        return redirect("identity:login")
    method = pending.get("method", "sms")
    form: Form = TotpCodeForm() if method == "totp" else CodeForm()
    if request.method == "POST":
        action = request.POST.get("action", "verify")
        if action == "use_sms":
            if _login_sms_send(request, user):
                messages.info(request, _("We sent a code by text message to your registered phone."))
            return redirect("identity:login_verify")
        if action == "use_totp" and selectors.totp_usable(user=user):
            pending_login_update(request, method="totp")
            return redirect("identity:login_verify")
        if action == "resend" and method == "sms" and pending.get("challenge"):
            try:
                challenge = services.code_resend(challenge_id=pending["challenge"], ip=client_ip(request))
            except DomainError as error:
                messages.error(request, error.message)
            else:
                pending_login_update(request, challenge=challenge.pk)
                messages.info(request, _("We sent a new code. The previous code no longer works."))
            return redirect("identity:login_verify")
        if action == "verify" and method in ("sms", "totp"):
            form = TotpCodeForm(request.POST) if method == "totp" else CodeForm(request.POST)
            if form.is_valid():
                try:
                    if method == "totp":
                        services.login_totp_verify(
                            user=user,
                            code=form.cleaned_data["code"],
                            ip=client_ip(request),
                            user_agent=user_agent(request),
                        )
                        amr = AMR_PASSWORD_TOTP
                    else:
                        services.login_sms_verify(
                            user=user,
                            challenge_id=int(pending.get("challenge") or 0),
                            code=form.cleaned_data["code"],
                            ip=client_ip(request),
                            user_agent=user_agent(request),
                        )
                        amr = AMR_PASSWORD_SMS
                except TotpUnavailable as error:
                    messages.error(request, error.message)
                    if _login_sms_send(request, user):
                        messages.info(request, _("We sent a code by text message to your registered phone."))
                    return redirect("identity:login_verify")
                except DomainError as error:
                    _show_error(form, error)
                else:
                    next_url = safe_next(request, pending.get("next"), default=settings.LOGIN_REDIRECT_URL)
                    login_complete(request, user, amr=amr, method=method)
                    return HttpResponseRedirect(next_url)
    context = {
        "form": form,
        "method": method,
        "has_totp": selectors.totp_usable(user=user),
        "has_passkey": selectors.user_has_passkey(user=user),
        "factors": selectors.factors_for(user=user),
        "passkey_form": PasskeyLoginForm(),
        "lifetime_minutes": max(1, settings.CONGSO_OTP_LIFETIME_SECONDS // 60),
    }
    return render(request, "identity/login_verify.html", context)


@require_POST
@never_cache
def passkey_login_options(request: HttpRequest) -> JsonResponse:
    """navigator.credentials.get() options: any passkey (passwordless) or the pending person's."""
    second_factor = request.POST.get("mode") == "second_factor"
    user = pending_login_user(request) if second_factor else None
    if second_factor and user is None:
        return JsonResponse({"error": _("Your login has expired. Please start again.")}, status=400)
    options, challenge = services.passkey_authentication_options(rp_id=webauthn_rp_id(request), user=user)
    request.session[WEBAUTHN_AUTH_KEY] = {
        "challenge": bytes_to_base64url(challenge),
        "at": int(time.time()),
        "second_factor": second_factor,
    }
    return JsonResponse({"options": options})


def _webauthn_state(request: HttpRequest, key: str) -> dict[str, Any] | None:
    state = request.session.pop(key, None)
    if not isinstance(state, dict) or time.time() - state.get("at", 0) > _WEBAUTHN_SECONDS:
        return None
    return state


@require_POST
@never_cache
def passkey_login(request: HttpRequest) -> HttpResponse:
    state = _webauthn_state(request, WEBAUTHN_AUTH_KEY)
    second_factor = bool(state and state.get("second_factor"))
    user = pending_login_user(request) if second_factor else None
    pending = pending_login(request) if second_factor else None
    try:
        if state is None or (second_factor and user is None):
            raise InvalidInput(
                "Yêu cầu đăng nhập bằng khoá truy cập đã hết hạn. Hãy thử lại.",
                "The passkey request has expired. Try again.",
                code="passkey_expired",
            )
        passkey = services.passkey_authenticate(
            credential=request.POST.get("credential", ""),
            challenge=base64url_to_bytes(state["challenge"]),
            rp_id=webauthn_rp_id(request),
            origins=webauthn_origins(request),
            ip=client_ip(request),
            user_agent=user_agent(request),
            user=user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("identity:login_verify" if second_factor else "identity:login")
    if second_factor and pending is not None:
        next_url = safe_next(request, pending.get("next"), default=settings.LOGIN_REDIRECT_URL)
        login_complete(request, passkey.user, amr=AMR_PASSWORD_PASSKEY, method="passkey")
    else:
        next_url = _next_from(request)
        login_complete(request, passkey.user, amr=AMR_PASSKEY, method="passkey")
    return HttpResponseRedirect(next_url)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.session.session_key:
        services.session_logout(user=_user(request), session_key=request.session.session_key)
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Activation and recovery ------------------------------------------------------------------
_FLOW_TEXT = {
    CodePurpose.ACTIVATION: {
        "start_url": "identity:activation_start",
        "code_url": "identity:activation_code",
        "password_url": "identity:activation_password",
    },
    CodePurpose.RECOVERY: {
        "start_url": "identity:recovery_start",
        "code_url": "identity:recovery_code",
        "password_url": "identity:recovery_password",
    },
}


def _flow(request: HttpRequest, purpose: str) -> dict[str, Any] | None:
    state = request.session.get(FLOW_KEYS[CodePurpose(purpose)])
    return state if isinstance(state, dict) else None


@never_cache
def _code_request_view(request: HttpRequest, purpose: str) -> HttpResponse:
    form = CodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start = services.activation_start if purpose == CodePurpose.ACTIVATION else services.recovery_start
        try:
            challenge = start(
                personal_id=form.cleaned_data["personal_id"],
                phone=form.cleaned_data["phone"],
                ip=client_ip(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            request.session[FLOW_KEYS[CodePurpose(purpose)]] = {"challenge": challenge.pk, "verified": False}
            return redirect(_FLOW_TEXT[CodePurpose(purpose)]["code_url"])
    template = (
        "identity/activation_start.html"
        if purpose == CodePurpose.ACTIVATION
        else "identity/recovery_start.html"
    )
    return render(request, template, {"form": form})


@never_cache
def _code_entry_view(request: HttpRequest, purpose: str) -> HttpResponse:
    state = _flow(request, purpose)
    urls = _FLOW_TEXT[CodePurpose(purpose)]
    if state is None:
        return redirect(urls["start_url"])
    form = CodeForm(
        request.POST if request.method == "POST" and request.POST.get("action") != "resend" else None
    )
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            try:
                challenge = services.code_resend(challenge_id=state["challenge"], ip=client_ip(request))
            except DomainError as error:
                messages.error(request, error.message)
            else:
                request.session[FLOW_KEYS[CodePurpose(purpose)]] = {
                    "challenge": challenge.pk,
                    "verified": False,
                }
                messages.info(
                    request,
                    _(
                        "If the details match our records, we sent a new code. The previous code no longer works."
                    ),
                )
            return redirect(urls["code_url"])
        if form.is_valid():
            try:
                services.code_verify(
                    challenge_id=state["challenge"], purpose=purpose, code=form.cleaned_data["code"]
                )
            except DomainError as error:
                _show_error(form, error)
            else:
                request.session[FLOW_KEYS[CodePurpose(purpose)]] = {**state, "verified": True}
                return redirect(urls["password_url"])
    context = {
        "form": form,
        "purpose": purpose,
        "lifetime_minutes": max(1, settings.CONGSO_OTP_LIFETIME_SECONDS // 60),
        "start_url": reverse(urls["start_url"]),
    }
    return render(request, "identity/code_entry.html", context)


@never_cache
@sensitive_post_parameters("password", "password_confirm")
def _password_set_view(request: HttpRequest, purpose: str) -> HttpResponse:
    state = _flow(request, purpose)
    urls = _FLOW_TEXT[CodePurpose(purpose)]
    if state is None or not state.get("verified"):
        return redirect(urls["start_url"])
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complete = (
            services.account_activate if purpose == CodePurpose.ACTIVATION else services.recovery_complete
        )
        try:
            complete(challenge_id=state["challenge"], password=form.cleaned_data["password"])
        except DomainError as error:
            _show_error(form, error)
        else:
            request.session.pop(FLOW_KEYS[CodePurpose(purpose)], None)
            if purpose == CodePurpose.ACTIVATION:
                messages.success(
                    request,
                    _(
                        "Your account is activated. Log in with your personal identification number and password."
                    ),
                )
            else:
                messages.success(request, _("Your password has been changed. Log in with the new password."))
            return redirect("identity:login")
    return render(request, "identity/password_set.html", {"form": form, "purpose": purpose})


def activation_start(request: HttpRequest) -> HttpResponse:
    return _code_request_view(request, CodePurpose.ACTIVATION)


def activation_code(request: HttpRequest) -> HttpResponse:
    return _code_entry_view(request, CodePurpose.ACTIVATION)


def activation_password(request: HttpRequest) -> HttpResponse:
    return _password_set_view(request, CodePurpose.ACTIVATION)


def recovery_start(request: HttpRequest) -> HttpResponse:
    return _code_request_view(request, CodePurpose.RECOVERY)


def recovery_code(request: HttpRequest) -> HttpResponse:
    return _code_entry_view(request, CodePurpose.RECOVERY)


def recovery_password(request: HttpRequest) -> HttpResponse:
    return _password_set_view(request, CodePurpose.RECOVERY)


# --- My account -------------------------------------------------------------------------------
@login_required_mfa
def account_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    citizen = user.citizen
    context = {
        "account": user,
        "citizen": citizen,
        "address": selectors.citizen_address_formatted(citizen) if citizen else "",
        "is_officer": selectors.is_officer(user=user),
        "can_verify": bool(selectors.police_agencies_of(user=user)),
        "administers": bool(selectors.agencies_administered_by(user=user)),
        "organisations": selectors.organisations_user_may_act_for(user),
        "assurance": selectors.session_assurance(request),
    }
    return render(request, "identity/account.html", context)


@login_required_mfa
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "factors": selectors.factors_for(user=user),
        "sessions_count": selectors.sessions_active(user=user).count(),
    }
    return render(request, "identity/security.html", context)


@login_required_mfa
@sensitive_post_parameters("current_password", "password", "password_confirm")
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request, _("Your password has been changed. You are signed out on your other devices.")
            )
            return redirect("identity:security")
    return render(request, "identity/password_change.html", {"form": form})


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI (the CSP allows data: images, not inline markup)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c", light="#ffffff"))


@require_recent_auth
def totp_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    secret = request.session.get(TOTP_SECRET_KEY)
    if not isinstance(secret, str) or request.method == "GET":
        secret = services.totp_secret_new()
        request.session[TOTP_SECRET_KEY] = secret
    form = TotpEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enrol(
                user=user, secret=secret, code=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            request.session.pop(TOTP_SECRET_KEY, None)
            messages.success(
                request, _("Your authenticator app is set up. We will ask for its code when you log in.")
            )
            return redirect("identity:security")
    uri = services.totp_provisioning_uri(user=user, secret=secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request, "identity/totp_add.html", {"form": form, "qr": _qr_data_uri(uri), "secret": grouped}
    )


@require_POST
@require_recent_auth
def totp_remove(request: HttpRequest) -> HttpResponse:
    try:
        services.totp_remove(user=_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The authenticator app was removed."))
    return redirect("identity:security")


@require_POST
@login_required_mfa
def passkey_register_options(request: HttpRequest) -> JsonResponse:
    options, challenge = services.passkey_registration_options(
        user=_user(request), rp_id=webauthn_rp_id(request)
    )
    request.session[WEBAUTHN_REG_KEY] = {"challenge": bytes_to_base64url(challenge), "at": int(time.time())}
    return JsonResponse({"options": options})


@require_recent_auth
def passkey_add(request: HttpRequest) -> HttpResponse:
    form = PasskeyAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        state = _webauthn_state(request, WEBAUTHN_REG_KEY)
        try:
            if state is None:
                raise InvalidInput(
                    "Yêu cầu thêm khoá truy cập đã hết hạn. Hãy thử lại.",
                    "The passkey request has expired. Try again.",
                    code="passkey_expired",
                )
            services.passkey_register(
                user=_user(request),
                credential=form.cleaned_data["credential"],
                challenge=base64url_to_bytes(state["challenge"]),
                rp_id=webauthn_rp_id(request),
                origins=webauthn_origins(request),
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Your passkey was added. You can now log in with it, without a password.")
            )
            return redirect("identity:security")
    return render(request, "identity/passkey_add.html", {"form": form})


@require_POST
@require_recent_auth
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    try:
        services.passkey_remove(user=_user(request), passkey_id=passkey_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The passkey was removed."))
    return redirect("identity:security")


@require_POST
@require_recent_auth
def single_device(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    ended = services.single_device_set(
        user=_user(request), enabled=enabled, current_session_key=request.session.session_key
    )
    if enabled:
        messages.success(
            request,
            _("Only one device can be logged in now. Signed out devices: %(count)s.") % {"count": ended},
        )
    else:
        messages.success(request, _("You can be logged in on several devices again."))
    return redirect("identity:security")


@login_required_mfa
def sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        if request.POST.get("action") == "end_all":
            count = services.sessions_end_all(user=user, keep_key=request.session.session_key)
            messages.success(request, _("Signed out on %(count)s other devices.") % {"count": count})
        else:
            try:
                session_id = int(request.POST.get("session", "0"))
            except ValueError:
                raise Http404 from None
            is_current = (
                selectors.sessions_active(user=user)
                .filter(pk=session_id, session_key=request.session.session_key)
                .exists()
            )
            try:
                services.session_end(user=user, session_id=session_id)
            except NotFound as error:
                raise Http404(error.message) from error
            if is_current:
                logout(request)
                messages.success(request, _("You have logged out."))
                return redirect(settings.LOGOUT_REDIRECT_URL)
            messages.success(request, _("That device has been signed out."))
        return redirect("identity:sessions")
    context = {"sessions": selectors.sessions_active(user=user), "current_key": request.session.session_key}
    return render(request, "identity/sessions.html", context)


@login_required_mfa
def login_history(request: HttpRequest) -> HttpResponse:
    return render(
        request, "identity/login_history.html", {"events": selectors.login_history(user=_user(request))}
    )


# --- Organisations ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@login_required_mfa
def organisations(request: HttpRequest) -> HttpResponse:
    """What the person may act for; the registry is asked again when its answer is old, or on request."""
    user = _user(request)
    if request.method == "POST":
        # Asked on request at most once a minute: every question is a call through the exchange.
        if services.representation_refresh(user=user, max_age_seconds=60):
            messages.success(request, _("The registry answered: the list is up to date."))
        else:
            messages.warning(
                request,
                _("The registry did not answer. The list below is its previous answer; try again later."),
            )
        return redirect("identity:organisations")
    services.representation_refresh(
        user=user, max_age_seconds=settings.CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS
    )
    context = {
        "acting": selectors.organisations_user_may_act_for(user),
        "checked_at": user.representation_checked_at,
    }
    return render(request, "identity/organisations.html", context)


@login_required_mfa
def organisation_manage(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    try:
        organisation = services.organisation_get_for_representative(actor=user, code=code)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    form = AuthorisationGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_authorisation_grant(
                actor=user,
                organisation=organisation,
                employee_personal_id=form.cleaned_data["employee_personal_id"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The employee can now act for the organisation."))
            return redirect("identity:organisation_manage", code=organisation.organisation_code)
    context = {
        "organisation": organisation,
        "form": form,
        "authorisations": selectors.organisation_authorisations(organisation=organisation),
    }
    return render(request, "identity/organisation_manage.html", context)


@require_POST
@login_required_mfa
def organisation_authorisation_revoke(request: HttpRequest, code: str, authorisation_id: int) -> HttpResponse:
    user = _user(request)
    authorisation = (
        OrganisationAuthorisation.objects.select_related("organisation_account", "employee")
        .filter(pk=authorisation_id, organisation_account__organisation_code=code)
        .first()
    )
    if authorisation is None:
        raise Http404
    try:
        services.organisation_authorisation_revoke(actor=user, authorisation=authorisation)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The authorisation was revoked."))
    return redirect("identity:organisation_manage", code=code)


# --- Officers ---------------------------------------------------------------------------------
def _agency_choices(agencies: list[Agency]) -> list[tuple[str, str]]:
    return [(str(agency.pk), agency.name) for agency in agencies]


def _chosen_agency(agencies: list[Agency], value: str) -> Agency:
    chosen = next((agency for agency in agencies if str(agency.pk) == value), None)
    if chosen is None:
        raise PermissionDenied
    return chosen


@officer_required
def level2(request: HttpRequest) -> HttpResponse:
    """Back office: a police officer verifies a person in person and raises their account to level 2."""
    officer = _user(request)
    agencies = selectors.police_agencies_of(user=officer)
    if not agencies:
        raise PermissionDenied
    lookup = Level2LookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    raise_form: Level2RaiseForm | None = None
    candidate = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "lookup" and lookup.is_valid():
            try:
                candidate = services.level2_lookup(
                    officer=officer, agency=agencies[0], personal_id=lookup.cleaned_data["personal_id"]
                )
            except DomainError as error:
                _show_error(lookup, error)
            else:
                raise_form = Level2RaiseForm(
                    initial={"personal_id": candidate.citizen.personal_id, "agency": str(agencies[0].pk)},
                    agencies=_agency_choices(agencies),
                )
        elif action == "raise":
            raise_form = Level2RaiseForm(request.POST, agencies=_agency_choices(agencies))
            personal_id = request.POST.get("personal_id", "")
            if raise_form.is_valid():
                agency = _chosen_agency(agencies, raise_form.cleaned_data["agency"])
                try:
                    candidate = services.level2_lookup(
                        officer=officer, agency=agency, personal_id=personal_id
                    )
                    if candidate.account is None:
                        raise InvalidInput(
                            "Người này chưa kích hoạt tài khoản định danh điện tử.",
                            "This person has not activated an electronic identity account yet.",
                            code="no_account",
                        )
                    services.assurance_level_raise(
                        officer=officer,
                        agency=agency,
                        user=candidate.account,
                        checked_in_person=raise_form.cleaned_data["checked_in_person"],
                        reason=raise_form.cleaned_data["reason"],
                        guardian_request=raise_form.cleaned_data["guardian_request"],
                    )
                except DomainError as error:
                    _show_error(raise_form, error)
                else:
                    messages.success(
                        request,
                        _("The account of %(name)s is now at level 2.")
                        % {"name": candidate.citizen.full_name},
                    )
                    return redirect("identity:level2")
            else:
                try:
                    candidate = services.level2_lookup(
                        officer=officer, agency=agencies[0], personal_id=personal_id
                    )
                except DomainError:
                    candidate = None
    context: dict[str, Any] = {
        "lookup": lookup,
        "raise_form": raise_form,
        "candidate": candidate,
        "agencies": agencies,
    }
    if candidate is not None:
        context["address"] = selectors.citizen_address_formatted(candidate.citizen)
    return render(request, "identity/level2.html", context)


@officer_required
def officer_roles(request: HttpRequest) -> HttpResponse:
    """An agency administrator gives and takes back roles in their agencies."""
    actor = _user(request)
    agencies = selectors.agencies_administered_by(user=actor)
    if not agencies:
        raise PermissionDenied
    form = OfficerRoleAssignForm(
        request.POST if request.POST.get("action") == "assign" else None, agencies=_agency_choices(agencies)
    )
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            role = (
                OfficerRole.objects.select_related("agency", "user")
                .filter(pk=request.POST.get("role") or 0)
                .first()
            )
            if role is None:
                raise Http404
            try:
                services.officer_role_revoke(actor=actor, officer_role=role)
            except DomainError as error:
                raise PermissionDenied(error.message) from error
            messages.success(request, _("The role was revoked."))
            return redirect("identity:officer_roles")
        if form.is_valid():
            agency = _chosen_agency(agencies, form.cleaned_data["agency"])
            target = User.objects.filter(username=form.cleaned_data["personal_id"]).first()
            try:
                if target is None:
                    raise InvalidInput(
                        "Không có tài khoản đã kích hoạt với số định danh này.",
                        "No activated account has this personal ID number.",
                        field="personal_id",
                    )
                services.officer_role_assign(
                    actor=actor, user=target, agency=agency, role=form.cleaned_data["role"]
                )
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The role was given."))
                return redirect("identity:officer_roles")
    roles = [(agency, selectors.officer_roles_in_agency(agency=agency)) for agency in agencies]
    return render(request, "identity/officer_roles.html", {"form": form, "roles": roles})


# --- Django admin behind this login -----------------------------------------------------------------
def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """admin.site.login: the admin has no login form of its own; ours, with its second factor."""
    next_url = safe_next(request, request.GET.get("next"), default=reverse("admin:index"))
    if request.user.is_authenticated and selectors.session_assurance(request).multi_factor:
        if not request.user.is_staff:
            raise PermissionDenied
        return HttpResponseRedirect(next_url)
    return redirect_to_login_with_next(next_url)


def redirect_to_login_with_next(next_url: str) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(next_url, settings.LOGIN_URL)

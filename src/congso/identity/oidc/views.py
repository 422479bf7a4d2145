"""Endpoints of the OpenID Connect provider and the portal's own login through it.

Thin: oauthlib (through django-oauth-toolkit) validates the protocol, :mod:`.selectors`
answers the questions, :mod:`.services` records every change and refusal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import structlog
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from jwcrypto import jws, jwt
from jwcrypto.common import JWException
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import FatalClientError, InvalidOIDCClientError, OAuthToolkitError, OIDCError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from congso.identity import selectors as identity_selectors
from congso.identity import services as identity_services
from congso.identity.errors import seconds_until
from congso.identity.net import client_ip

from . import selectors, services
from .errors import BearerTokenError, TokenRequestsThrottled
from .keys import keyring
from .models import PORTAL_CLIENT_ID, Application
from .scopes import ACR_LEVELS, SCOPE_OPENID, SCOPES, scope_descriptions
from .selectors import PORTAL_SESSION_KEY
from .validators import authenticated_client

logger = structlog.get_logger(__name__)

PORTAL_FLOWS_KEY = "congso.oidc.portal_flows"
PORTAL_SCOPES = "openid profile"
_PORTAL_FLOWS_KEPT = 5
_PORTAL_FLOW_SECONDS = 15 * 60


def issuer_of(request: HttpRequest) -> str:
    return str(oauth2_settings.oidc_issuer(request))


def _endpoint(request: HttpRequest, name: str) -> str:
    path = reverse(f"oauth2_provider:{name}")
    if settings.CONGSO_OIDC_ISSUER:
        return settings.CONGSO_OIDC_ISSUER + path
    return request.build_absolute_uri(path)


# --- Discovery and keys ---------------------------------------------------------------------
_CLAIMS_SUPPORTED = [
    *("iss", "aud", "exp", "iat", "nonce", "acr", "amr", "auth_time"),
    *(claim for _scope, (_text, claims) in SCOPES.items() for claim in claims),
]


@method_decorator(never_cache, name="dispatch")
class DiscoveryView(View):
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3)."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest) -> JsonResponse:
        data = {
            "issuer": issuer_of(request),
            "authorization_endpoint": _endpoint(request, "authorize"),
            "token_endpoint": _endpoint(request, "token"),
            "userinfo_endpoint": _endpoint(request, "user-info"),
            "jwks_uri": _endpoint(request, "jwks-info"),
            "end_session_endpoint": _endpoint(request, "rp-initiated-logout"),
            "revocation_endpoint": _endpoint(request, "revoke-token"),
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": list(ACR_LEVELS),
            "claims_supported": _CLAIMS_SUPPORTED,
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "prompt_values_supported": ["none", "login", "consent"],
            "ui_locales_supported": [code for code, _name in settings.LANGUAGES],
            "claims_locales_supported": ["vi"],
            "authorization_response_iss_parameter_supported": True,
        }
        response = JsonResponse(data)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class JwksView(View):
    """The published signing keys: the active one and those still valid for verification."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest) -> JsonResponse:
        response = JsonResponse(keyring().jwks())
        response["Access-Control-Allow-Origin"] = "*"
        # Short: a rotation must reach relying parties well within a token's lifetime.
        response["Cache-Control"] = "public, max-age=300"
        return response


# --- Authorization endpoint -----------------------------------------------------------------
_FATAL_TEXTS = (
    _("This sign-in request cannot be processed"),
    _(
        "The service that sent you here made a request we cannot accept, so nothing has been sent "
        "to it. Go back to the service and try again; if it happens again, contact the service."
    ),
)


def _error_page(
    request: HttpRequest,
    *,
    title: Any,
    advice: Any,
    status: int,
    error: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {"title": title, "advice": advice, "error": error, **(extra or {})}
    response = render(request, "oidc/error.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _with_iss(request: HttpRequest, uri: str) -> str:
    return str(_add_iss_to_redirect(uri, issuer_of(request)))


@method_decorator(never_cache, name="dispatch")
class AuthorizeView(OAuthLibMixin, View):
    """The authorization endpoint: validate, authenticate, check level and consent, issue a code.

    The consent form posts back to the same URL with the same query string, so the POST is a
    complete authorization request again and goes through every check of the GET: nothing in
    the form can be tampered with to widen what was asked.
    """

    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "POST"):
            return self.http_method_not_allowed(request)
        self._activate_ui_locale(request)
        return self.authorize(request)

    @staticmethod
    def _activate_ui_locale(request: HttpRequest) -> None:
        supported = {code for code, _name in settings.LANGUAGES}
        for tag in request.GET.get("ui_locales", "").split():
            language = tag.split("-")[0].lower()
            if language in supported:
                translation.activate(language)
                request.LANGUAGE_CODE = language
                return

    # A refused request: audited; the relying party learns why through its redirect URI.
    def _refuse(
        self,
        request: HttpRequest,
        application: Application,
        error: oauth_errors.OAuth2Error,
        redirect_uri: str,
        details: dict[str, Any] | None = None,
    ) -> HttpResponse:
        services.authorization_refuse(
            actor=request.user,
            application=application,
            client_id=application.client_id,
            error=error.error,
            details={"description": error.description or "", **(details or {})},
        )
        return OAuth2ResponseRedirect(
            _with_iss(request, error.in_uri(redirect_uri)), application.get_allowed_schemes()
        )

    def _refuse_fatal(self, request: HttpRequest, error: str, description: str) -> HttpResponse:
        """Client or redirect URI cannot be trusted: never redirect, explain on our own page."""
        client_id = request.GET.get("client_id", "")
        application = Application.objects.filter(client_id=client_id).first() if client_id else None
        services.authorization_refuse(
            actor=request.user,
            application=application,
            client_id=client_id,
            error=error,
            details={"description": description, "redirect_uri": request.GET.get("redirect_uri", "")[:300]},
        )
        title, advice = _FATAL_TEXTS
        return _error_page(request, title=title, advice=advice, status=400, error=f"{error}: {description}")

    def authorize(self, request: HttpRequest) -> HttpResponse:
        if not request.GET.get("redirect_uri"):
            return self._refuse_fatal(request, "invalid_request", "redirect_uri is required")
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except FatalClientError as fatal:
            oauthlib_error = fatal.oauthlib_error
            return self._refuse_fatal(request, oauthlib_error.error, oauthlib_error.description or "")
        except OAuthToolkitError as failure:
            # redirect_uri was checked against the registration before any such error.
            oauthlib_error = failure.oauthlib_error
            application = Application.objects.get(client_id=request.GET["client_id"])
            return self._refuse(request, application, oauthlib_error, oauthlib_error.redirect_uri)

        application = Application.objects.get(client_id=credentials["client_id"])
        redirect_uri = credentials["redirect_uri"]
        state = credentials.get("state")
        prompt = set(request.GET.get("prompt", "").split())

        def refuse(
            error_class: type[oauth_errors.OAuth2Error], description: str, **details: Any
        ) -> HttpResponse:
            error = error_class(description=description, state=state)
            return self._refuse(request, application, error, redirect_uri, details)

        if request.GET.get("response_type") != "code":
            return refuse(oauth_errors.UnsupportedResponseTypeError, "only response_type=code is supported")
        if SCOPE_OPENID not in scopes:
            return refuse(oauth_errors.InvalidScopeError, "the openid scope is required")
        if credentials.get("code_challenge_method") != "S256":
            return refuse(
                oauth_errors.InvalidRequestError, "PKCE with code_challenge_method=S256 is required"
            )

        # --- who is asking -------------------------------------------------------------------
        if not request.user.is_authenticated:
            if "none" in prompt:
                return refuse(oauth_errors.LoginRequired, "the person is not logged in")
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        assurance = identity_selectors.session_assurance(request)
        if "login" in prompt or self._too_old(request, assurance.auth_time):
            if "none" in prompt:
                return refuse(oauth_errors.LoginRequired, "a fresh login is required")
            # Log out first, so the login page really authenticates again.
            _identity_session_end(request)
            logout(request)
            return redirect_to_login(self._without_prompt_login(request), settings.LOGIN_URL)

        # --- level ---------------------------------------------------------------------------
        required = selectors.required_level(
            application=application, acr_values=request.GET.get("acr_values", "")
        )
        if required is None or assurance.level < required:
            error = oauth_errors.CustomOAuth2Error(
                error="unmet_authentication_requirements",
                description=(
                    f"the service requires assurance level {required}"
                    if required
                    else "none of the requested acr_values is offered"
                ),
                state=state,
            )
            services.authorization_refuse(
                actor=request.user,
                application=application,
                client_id=application.client_id,
                error=error.error,
                details={
                    "required_level": required,
                    "acr": assurance.acr,
                    "acr_values": request.GET.get("acr_values", ""),
                },
            )
            back = _with_iss(request, error.in_uri(redirect_uri))
            if "none" in prompt or required is None:
                # Nothing the person can do about it: the service asked for a level we do not offer.
                return OAuth2ResponseRedirect(back, application.get_allowed_schemes())
            context = {
                "application": application,
                "required_level": required,
                "account_level": getattr(request.user, "assurance_level", assurance.level),
                "back_url": back,
            }
            response = render(request, "oidc/level_required.html", context, status=403)
            response["Cache-Control"] = "no-store"
            return response

        # --- consent -------------------------------------------------------------------------
        needs_consent = not application.skip_authorization and (
            "consent" in prompt
            or not selectors.consent_covers(user=request.user, application=application, scopes=scopes)
        )
        if needs_consent:
            decision = request.POST.get("decision") if request.method == "POST" else None
            if decision == "deny":
                services.consent_deny(user=request.user, application=application, scopes=scopes)
                error = oauth_errors.AccessDeniedError(description="the person did not agree", state=state)
                return OAuth2ResponseRedirect(
                    _with_iss(request, error.in_uri(redirect_uri)), application.get_allowed_schemes()
                )
            if decision == "allow":
                services.consent_grant(user=request.user, application=application, scopes=scopes)
            elif "none" in prompt:
                return refuse(oauth_errors.ConsentRequired, "the person has not agreed to share this")
            else:
                context = {
                    "application": application,
                    "shared": scope_descriptions(scopes),
                    "redirect_host": urlsplit(redirect_uri).netloc,
                }
                response = render(request, "oidc/consent.html", context)
                response["Cache-Control"] = "no-store"
                return response

        # --- issue the code -----------------------------------------------------------------
        credentials["congso_assurance"] = assurance
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as failure:
            return self._refuse(request, application, failure.oauthlib_error, redirect_uri)
        return OAuth2ResponseRedirect(uri, application.get_allowed_schemes())

    @staticmethod
    def _too_old(request: HttpRequest, auth_time: int) -> bool:
        max_age = request.GET.get("max_age", "")
        return max_age.isdigit() and time.time() - auth_time > int(max_age)

    @staticmethod
    def _without_prompt_login(request: HttpRequest) -> str:
        query = request.GET.copy()
        remaining = [value for value in query.get("prompt", "").split() if value != "login"]
        if remaining:
            query["prompt"] = " ".join(remaining)
        else:
            query.pop("prompt", None)
        # After a fresh login max_age is met; drop it so it cannot send the person round again.
        query.pop("max_age", None)
        return f"{request.path}?{query.urlencode()}"


# --- Token, userinfo, revocation, logout ----------------------------------------------------
def _identity_session_end(request: HttpRequest) -> None:
    """Close the identity domain's record of this session before Django forgets it."""
    if request.user.is_authenticated and request.session.session_key:
        identity_services.session_logout(user=request.user, session_key=request.session.session_key)


@method_decorator(
    sensitive_post_parameters("client_secret", "code", "code_verifier", "refresh_token"), name="post"
)
class TokenView(dot_views.TokenView):
    """django-oauth-toolkit's token endpoint, in one transaction per request.

    One commit instead of four (code claim, id_token, tokens, spent grant) and the claim of the
    code is held until the tokens exist. Refusals are audited here; issued tokens by the
    validator. DOT's ``app_authorized`` signal (and the extra read it costs) is not sent:
    nothing here listens to it.

    Refusals are counted per address and per client (``services.token_refusal_count``); past a
    limit, every request from that address or naming that client is turned away with 429
    until the window ends, a correct one too, before anything is checked. A successful
    request costs one read of the counters and is never counted.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ip = client_ip(request)
        client_id = request.POST.get("client_id") or _basic_auth_client_id(request)
        until = selectors.token_requests_locked_until(ip=ip, client_id=client_id)
        if until is not None:
            return TokenRequestsThrottled(seconds_until(until)).response()
        headers, body, status, authenticated = self._token_response(request, client_id)
        if status != 200:
            services.token_refusal_count(ip=ip, client_id=client_id, client_authenticated=authenticated)
        response = HttpResponse(content=body, status=status, content_type="application/json")
        for key, value in headers.items():
            response[key] = value
        response["Cache-Control"] = "no-store"
        return response

    def _token_response(self, request: HttpRequest, client_id: str) -> tuple[dict[str, str], str, int, bool]:
        """oauthlib's answer, the refusal audited, and whether the client proved itself."""
        reset = authenticated_client.set("")
        try:
            with transaction.atomic():
                _url, headers, body, status = self.create_token_response(request)
                if status != 200:
                    try:
                        error = str(json.loads(body).get("error", ""))
                    except ValueError:
                        error = "unknown"
                    services.token_refuse(
                        client_id=client_id, grant_type=request.POST.get("grant_type", ""), error=error
                    )
            return headers, body, status, bool(client_id) and authenticated_client.get() == client_id
        finally:
            authenticated_client.reset(reset)


def _basic_auth_client_id(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value).decode("utf-8").split(":", 1)[0]
    except (ValueError, UnicodeDecodeError):
        return ""


@method_decorator(csrf_exempt, name="dispatch")
class UserInfoView(View):
    """The UserInfo endpoint (Core §5.3): the claims the access token's scopes release."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            token = selectors.access_token_check(
                request.headers.get("Authorization", ""), scopes=[SCOPE_OPENID]
            )
        except BearerTokenError as error:
            return error.response()
        assert token.user is not None  # checked by the selector
        assert token.application is not None
        claims = selectors.claims_for(
            user=token.user, application=token.application, scopes=token.scope.split()
        )
        response = JsonResponse(claims)
        response["Cache-Control"] = "no-store"
        return response

    post = get


class LogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout (end_session_endpoint): the redirect must be registered exactly."""

    template_name = "oidc/logout.html"

    def get_request_application(self, id_token: Any, client_id: str | None) -> Any:
        if client_id:
            application = Application.objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token else None

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponse:
        user = token_user or self.request.user
        _identity_session_end(self.request)
        services.logout_record(
            user=user if getattr(user, "is_authenticated", False) else None,
            application=application,
            redirect_uri=post_logout_redirect_uri or "",
        )
        response: HttpResponse = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        return response

    def error_response(self, error: OIDCError) -> HttpResponse:
        services.logout_refuse(
            actor=self.request.user,
            client_id=self.request.GET.get("client_id") or self.request.POST.get("client_id") or "",
            error=str(error.error),
        )
        response: HttpResponse = super().error_response(error)
        return response


# --- The portal's login through its own provider ----------------------------------------------
def _portal_callback_uri(request: HttpRequest) -> str:
    path = reverse("oidc:portal-callback")
    if settings.CONGSO_OIDC_ISSUER:
        return settings.CONGSO_OIDC_ISSUER + path
    return request.build_absolute_uri(path)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_PORTAL_FAILED = _("We could not log you in")


@never_cache
def portal_login(request: HttpRequest) -> HttpResponse:
    """ "Đăng nhập": start the code flow with PKCE for the portal's own first-party client."""
    callback = _portal_callback_uri(request)
    if not services.portal_callback_allowed(callback):
        logger.warning("oidc_portal_host_not_allowed", callback=callback)
        return _error_page(
            request,
            title=_PORTAL_FAILED,
            advice=_(
                "This address of the site is not configured for logging in. Use the site's main address."
            ),
            status=400,
        )
    services.portal_client_ensure(redirect_uri=callback)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    now = int(time.time())
    flows = {
        key: flow
        for key, flow in request.session.get(PORTAL_FLOWS_KEY, {}).items()
        if now - flow["t"] < _PORTAL_FLOW_SECONDS
    }
    flows[state] = {"v": verifier, "n": nonce, "next": next_url, "t": now}
    request.session[PORTAL_FLOWS_KEY] = dict(
        sorted(flows.items(), key=lambda item: item[1]["t"])[-_PORTAL_FLOWS_KEPT:]
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": PORTAL_CLIENT_ID,
            "redirect_uri": callback,
            "scope": PORTAL_SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": _b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
    )
    return HttpResponseRedirect(f"{reverse('oauth2_provider:authorize')}?{query}")


class IdTokenError(Exception):
    pass


def verify_id_token(id_token: str, *, issuer: str, audience: str, nonce: str) -> dict[str, Any]:
    """Check an id_token as any relying party must (Core §3.1.3.7): signature, iss, aud, exp, nonce."""
    try:
        unverified = jws.JWS()
        unverified.deserialize(id_token)
        header = unverified.jose_header
        key = keyring().find(str(header.get("kid", ""))) if isinstance(header, dict) else None
        if key is None or header.get("alg") != "RS256":
            raise IdTokenError("unknown signing key or algorithm")
        token = jwt.JWT(jwt=id_token, key=key.jwk, algs=["RS256"], check_claims={"exp": None})
        claims: dict[str, Any] = json.loads(token.claims)
    except (JWException, ValueError) as error:
        raise IdTokenError(f"bad id_token: {error}") from error
    if claims.get("iss") != issuer:
        raise IdTokenError("wrong issuer")
    audiences = claims.get("aud")
    if audience not in (audiences if isinstance(audiences, list) else [audiences]):
        raise IdTokenError("wrong audience")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenError("wrong nonce")
    return claims


@never_cache
def portal_callback(request: HttpRequest) -> HttpResponse:
    """Finish the portal's login: exchange the code, verify the id_token, mark the session."""
    flows = request.session.get(PORTAL_FLOWS_KEY, {})
    flow = flows.pop(request.GET.get("state", ""), None)
    request.session[PORTAL_FLOWS_KEY] = flows
    retry = {"retry_url": reverse("oidc:portal-login")}
    if flow is None or time.time() - flow["t"] > _PORTAL_FLOW_SECONDS:
        services.portal_login_record(user=request.user, acr="", outcome="unknown_state")
        advice = _("The login took too long or was started in another window. Please log in again.")
        return _error_page(request, title=_PORTAL_FAILED, advice=advice, status=400, extra=retry)
    issuer = issuer_of(request)
    if request.GET.get("error") or request.GET.get("iss", issuer) != issuer or not request.GET.get("code"):
        error = request.GET.get("error", "invalid_response")
        services.portal_login_record(user=request.user, acr="", outcome=error[:50])
        advice = (
            _("You did not agree to continue, so you are not logged in.")
            if error == "access_denied"
            else _("Something went wrong while logging you in. Please try again.")
        )
        return _error_page(request, title=_PORTAL_FAILED, advice=advice, status=400, error=error, extra=retry)

    tokens = _portal_exchange_code(request, code=request.GET["code"], verifier=flow["v"])
    try:
        if "id_token" not in tokens:
            raise IdTokenError(str(tokens.get("error", "no id_token")))
        claims = verify_id_token(
            tokens["id_token"], issuer=issuer, audience=PORTAL_CLIENT_ID, nonce=flow["n"]
        )
        application = selectors.portal_client()
        if (
            application is None
            or not request.user.is_authenticated
            or claims.get("sub") != selectors.subject_for(user_id=request.user.pk, application=application)
        ):
            raise IdTokenError("the id_token is not about the person logged in here")
    except IdTokenError as failure:
        logger.warning("oidc_portal_login_failed", reason=str(failure))
        services.portal_login_record(
            user=request.user, acr="", outcome="invalid_id_token", details={"reason": str(failure)[:200]}
        )
        advice = _("Something went wrong while logging you in. Please try again.")
        return _error_page(request, title=_PORTAL_FAILED, advice=advice, status=400, extra=retry)

    request.session[PORTAL_SESSION_KEY] = {
        "sub": claims["sub"],
        "acr": claims.get("acr", ""),
        "amr": claims.get("amr", []),
        "auth_time": claims.get("auth_time"),
        "id_token": tokens["id_token"],  # the id_token_hint for logging out
    }
    services.portal_login_record(user=request.user, acr=str(claims.get("acr", "")), outcome="ok")
    return HttpResponseRedirect(flow["next"] or settings.LOGIN_REDIRECT_URL)


def _portal_exchange_code(request: HttpRequest, *, code: str, verifier: str) -> dict[str, Any]:
    """The token request, made in-process through the same oauthlib server as /oidc/token/.

    An HTTP call to ourselves could wait forever for a free worker; this path runs the same
    validation, PKCE check, audit and id_token signing.
    """
    core = TokenView.get_oauthlib_core()
    headers = core.extract_headers(request)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers.pop("Authorization", None)
    headers.pop("HTTP_AUTHORIZATION", None)
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _portal_callback_uri(request),
            "client_id": PORTAL_CLIENT_ID,
            "code_verifier": verifier,
        }
    )
    with transaction.atomic():  # as TokenView does
        _headers, response_body, status = core.server.create_token_response(
            request.build_absolute_uri(reverse("oauth2_provider:token")), "POST", body, headers
        )
        if status != 200:
            try:
                error = str(json.loads(response_body).get("error", ""))
            except ValueError:
                error = "unknown"
            services.token_refuse(client_id=PORTAL_CLIENT_ID, grant_type="authorization_code", error=error)
    try:
        result: dict[str, Any] = json.loads(response_body)
    except ValueError:
        result = {"error": "invalid_response"}
    return result

"""The login as the web sees it: what the session holds between steps, and guards for views.

``login_complete`` is the only place a session becomes logged in: after the second factor,
or after a passkey on its own. It records acr/amr/auth_time in the session for
:func:`congso.identity.selectors.session_assurance`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

import structlog
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from congso.core.errors import PermissionDenied as DomainPermissionDenied

from . import services
from .assurance import ACR_BY_LEVEL, SESSION_AUTH_KEY
from .errors import AssuranceTooLow
from .models import AccountKind, User
from .net import client_ip, user_agent
from .selectors import session_assurance

PENDING_KEY = "congso.identity.pending_login"
# The password step must be followed by the second factor within this time.
PENDING_SECONDS = 10 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

log = structlog.get_logger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


# --- Between the password and the second factor ------------------------------------------------
def pending_login_start(request: HttpRequest, user: User, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "started": int(time.time()),
        "next": next_url,
        "challenge": None,
        "method": "",
    }


def pending_login(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        return None
    return pending


def pending_login_update(request: HttpRequest, **changes: Any) -> None:
    pending = pending_login(request)
    if pending is not None:
        pending.update(changes)
        request.session[PENDING_KEY] = pending


def pending_login_user(request: HttpRequest) -> User | None:
    pending = pending_login(request)
    if pending is None:
        return None
    return User.objects.select_related("citizen").filter(pk=pending["user_id"], is_active=True).first()


def login_complete(request: HttpRequest, user: User, *, amr: Sequence[str], method: str) -> None:
    """Log the person in: new session id, the assurance of this login, the session recorded.

    Then whom the person legally represents is asked again of the business registry, in the
    background (unless asked recently), so the organisations they may act for are current.
    """
    request.session.pop(PENDING_KEY, None)
    auth.login(request, user, backend=MODEL_BACKEND)
    request.session[SESSION_AUTH_KEY] = {
        "acr": ACR_BY_LEVEL[user.assurance_level],
        "amr": list(amr),
        "auth_time": int(time.time()),
    }
    # The key exists now: auth.login() cycled it, which saves the session under a new key.
    session_key = request.session.session_key or ""
    services.session_record(
        user=user,
        session_key=session_key,
        amr=amr,
        method=method,
        ip=client_ip(request),
        user_agent=user_agent(request),
    )
    _representation_refresh_later(user)


def _representation_refresh_later(user: User) -> None:
    """Whom the person represents is asked after the login, so it never waits on that registry."""
    from .tasks import representation_refresh_task

    if user.kind != AccountKind.PERSON or not user.citizen_id:
        return
    try:
        representation_refresh_task.enqueue(user_id=user.pk)
    except Exception:  # the pages that act for an organisation ask again themselves
        log.exception("identity.representation.enqueue_failed", user_id=user.pk)


def session_is_multi_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return session_assurance(request).multi_factor


def auth_age_seconds(request: HttpRequest) -> float:
    recorded = request.session.get(SESSION_AUTH_KEY)
    if not isinstance(recorded, dict):
        return float("inf")
    return time.time() - float(recorded.get("auth_time", 0))


# --- Guards -------------------------------------------------------------------------------------
def login_required_mfa(view: F) -> F:
    """Logged in through the login pages (so with a second factor), else off to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not session_is_multi_factor(request):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return cast(HttpResponse, view(request, *args, **kwargs))

    return cast(F, wrapper)


def require_recent_auth(view: F) -> F:
    """Security changes need a login of the last ``CONGSO_REAUTH_MINUTES`` (like GOV.UK and GitHub)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            not session_is_multi_factor(request)
            or auth_age_seconds(request) > settings.CONGSO_REAUTH_MINUTES * 60
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return cast(HttpResponse, view(request, *args, **kwargs))

    return cast(F, wrapper)


def assurance_level_check(*, user: Any, level: int) -> None:
    """For services: refuse unless ``user``'s account is at ``level`` or above."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DomainPermissionDenied("Chưa đăng nhập.", "Not logged in.", code="not_authenticated")
    if int(getattr(user, "assurance_level", 0) or 0) < level:
        raise AssuranceTooLow(level)


def require_assurance_level(level: int) -> Callable[[F], F]:
    """Guard a view (``request`` first) or a service (keyword ``user`` or ``actor``) by assurance level.

    A view answers an anonymous visitor with the login page and a lower level with a page that
    explains how to get level 2; a service raises :class:`~congso.identity.errors.AssuranceTooLow`.
    """

    def decorator(function: F) -> F:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], HttpRequest):
                request = args[0]
                if not session_is_multi_factor(request):
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
                if request.user.assurance_level < level:  # type: ignore[union-attr]
                    return render(request, "identity/assurance_required.html", {"level": level}, status=403)
                return function(*args, **kwargs)
            subject = kwargs.get("user", kwargs.get("actor"))
            assurance_level_check(user=subject, level=level)
            return function(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def officer_required(view: F) -> F:
    """A back-office page: a second factor in this session and an active role in an agency."""
    from .selectors import is_officer

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not session_is_multi_factor(request):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not is_officer(user=request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        return cast(HttpResponse, view(request, *args, **kwargs))

    return cast(F, wrapper)

"""The site shell's pages: home, health check and the error pages."""

from __future__ import annotations

import functools
from importlib import metadata

import structlog
from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .middleware import request_id_of
from .navigation import (
    ACTIVATION_PATH,
    CONSENTS_PATH,
    DATA_TRACKER_PATH,
    ENTERPRISE_LOOKUP_PATH,
    LOGIN_PATH,
    PROCEDURES_PATH,
    routed_url,
)

logger = structlog.get_logger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """The home page; a service card links to its pages only where a view answers them."""
    context = {
        "procedures_url": routed_url(PROCEDURES_PATH),
        "activation_url": routed_url(ACTIVATION_PATH),
        "login_page_url": routed_url(LOGIN_PATH),
        "data_tracker_url": routed_url(DATA_TRACKER_PATH),
        "consents_url": routed_url(CONSENTS_PATH),
        "enterprise_lookup_url": routed_url(ENTERPRISE_LOOKUP_PATH),
    }
    return render(request, "web/home.html", context)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz_database_failed", exc_info=True)
        return False
    return True


@functools.cache  # reading the installed metadata scans site-packages: once per process
def _version() -> str:
    try:
        return metadata.version("congso")
    except metadata.PackageNotFoundError:
        return "unknown"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the node can serve, 503 when it cannot."""
    database_ok = _database_ok()
    return JsonResponse(
        {
            "status": "ok" if database_ok else "error",
            "database": "ok" if database_ok else "error",
            "version": _version(),
        },
        status=200 if database_ok else 503,
    )


# (title, what the visitor can do about it) per status; shown in the visitor's language.
_ERRORS: dict[int, tuple[Promise, Promise]] = {
    400: (
        _("Sorry, we could not understand that request"),
        _("Go back, check what you entered and try again."),
    ),
    403: (
        _("You do not have permission to see this page"),
        _(
            "If you think you should have access, log in with the right account "
            "or contact the agency that handles your request."
        ),
    ),
    404: (
        _("Page not found"),
        _(
            "If you typed the web address, check it is correct. "
            "If you pasted the web address, check you copied the entire address."
        ),
    ),
}
_CSRF_FAILURE = (
    _("Your form could not be sent"),
    _(
        "For your security, forms expire and need cookies. Go back, reload the page and try "
        "again; if it happens again, allow cookies for this site."
    ),
)


def _error_page(request: HttpRequest, status: int, texts: tuple[Promise, Promise]) -> HttpResponse:
    title, advice = texts
    context = {"status": status, "title": title, "advice": advice, "request_id": request_id_of(request)}
    return render(request, "web/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, _ERRORS[400])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, _ERRORS[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, _ERRORS[404])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often an expired page or blocked cookies, not an attack."""
    return _error_page(request, 403, _CSRF_FAILURE)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: bilingual, rendered without request context, database or URL lookups.

    Whatever broke the request (the database, a context processor, the URL configuration)
    must not break this page too.
    """
    try:
        stylesheet: str | None = static("web/congso.css")
    except Exception:  # a missing manifest entry must not hide the error page
        stylesheet = None
    context = {
        "stylesheet": stylesheet,
        "home_url": get_script_prefix(),
        "request_id": request_id_of(request),
    }
    try:
        body = loader.get_template("web/500.html").render(context)
    except Exception:
        logger.exception("server_error_page_failed")
        body = "<!doctype html><title>500</title><h1>Lỗi hệ thống / Server error</h1>"
    return HttpResponse(body, status=500)

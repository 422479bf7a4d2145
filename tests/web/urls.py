"""The site shell's URLs without other domains, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered input")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test/boom/", boom),
    path("test/suspicious/", suspicious),
    path("test/forbidden/", forbidden),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congso.web.urls")),
]

handler400 = "congso.web.views.bad_request"
handler403 = "congso.web.views.permission_denied"
handler404 = "congso.web.views.page_not_found"
handler500 = "congso.web.views.server_error"

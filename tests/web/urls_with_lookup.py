"""The test URLs with a stand-in for the registry's enterprise lookup page at its public address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from tests.web.urls import handler400, handler403, handler404, handler500
from tests.web.urls import urlpatterns as test_urlpatterns


def enterprise_lookup(request: HttpRequest) -> HttpResponse:
    return render(request, "web/base.html")


urlpatterns = [path("tra-cuu/doanh-nghiep/", enterprise_lookup), *test_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

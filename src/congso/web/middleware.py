"""Request-wide behaviour of the site shell: request ids and the choice of language."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# What a proxy or load balancer plausibly sends (UUIDs, hex, nginx's $request_id, ULIDs).
# Anything else is replaced, so a client cannot forge log lines or bloat them.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def request_id_of(request: HttpRequest) -> str:
    """The id RequestIdMiddleware gave this request ("" before it ran)."""
    return str(request.META.get(_REQUEST_ID_META, ""))


class RequestIdMiddleware:
    """Gives every request an id, logs it and returns it in the ``X-Request-ID`` header.

    Runs just before django-structlog's RequestMiddleware, which binds the id it finds in the
    ``X-Request-ID`` request header to every log line of the request: a sane id from upstream
    is kept (so a proxy's id follows the request through), anything else is replaced by a
    fresh UUID.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.META.get(_REQUEST_ID_META, "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())
        request.META[_REQUEST_ID_META] = request_id
        # request.headers is cached from META on first use; drop a stale copy.
        request.__dict__.pop("headers", None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Vietnamese unless the visitor chose another language with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would greet
    the many Vietnamese users whose phone or browser is set to English in English. A national
    portal speaks Vietnamese first; the switch (a cookie set by ``set_language``) is the only
    way to change that. Language-prefixed URLs, should they ever be used, keep Django's rules.
    """

    def process_request(self, request: HttpRequest) -> None:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_language_prefix_patterns_used(urlconf)[0]:
            super().process_request(request)
            return
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):  # a language we no longer offer
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        # The language comes from a cookie: shared caches must not mix the two versions.
        patch_vary_headers(response, ("Cookie",))
        return response

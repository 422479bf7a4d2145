"""Keeps each signed-in session's "last seen", and ends sessions signed out from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from . import services
from .models import UserSession
from .net import client_ip

# Write "last seen" at most this often per session: one UPDATE a minute, not one per request.
_SEEN_EVERY = timedelta(seconds=60)


class SessionActivityMiddleware:
    """After AuthenticationMiddleware: one indexed read per signed-in request.

    "Sign out everywhere" deletes the other sessions from the session store; a session whose
    record says it ended is logged out here too, whatever the session backend does. Sessions
    that did not come through the login pages (tests' force_login) have no record and are left
    alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        session_key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and session_key:
            record = (
                UserSession.objects.filter(session_key=session_key)
                .only("ended_at", "last_seen_at", "user_id")
                .first()
            )
            if record is not None:
                if record.ended_at is not None or record.user_id != user.pk:
                    logout(request)
                elif timezone.now() - record.last_seen_at >= _SEEN_EVERY:
                    services.session_seen(session_key=session_key, ip=client_ip(request))
                    # Sliding expiry: the session stays alive while it is used.
                    request.session.modified = True
        return self.get_response(request)

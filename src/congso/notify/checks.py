"""System checks: an SMS configuration that would silently never reach a phone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string


def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .backends.sms import DevPhoneBackend, HttpGatewayBackend

    try:
        backend = import_string(settings.CONGSO_SMS_BACKEND)
    except ImportError as exc:
        return [checks.Error(f"CONGSO_SMS_BACKEND cannot be imported: {exc}", id="notify.E001")]
    errors: list[checks.CheckMessage] = []
    if issubclass(backend, HttpGatewayBackend) and not settings.CONGSO_SMS_GATEWAY_URL:
        errors.append(
            checks.Warning(
                "The HTTP SMS gateway is selected but CONGSO_SMS_GATEWAY_URL is empty: SMS will fail.",
                hint="Set CONGSO_SMS_GATEWAY_URL and CONGSO_SMS_GATEWAY_TOKEN, or run with CONGSO_DEMO=true.",
                id="notify.W001",
            )
        )
    if issubclass(backend, DevPhoneBackend) and not (settings.DEMO_MODE or settings.DEBUG):
        errors.append(
            checks.Warning(
                "The development phone is the SMS backend outside demo and debug mode: no SMS reaches a phone.",
                hint="Use congso.notify.backends.sms.HttpGatewayBackend in production.",
                id="notify.W002",
            )
        )
    return errors

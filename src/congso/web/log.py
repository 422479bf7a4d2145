"""Structlog processors for the JSON log configured in settings.LOGGING.

Imported by settings: it must not import Django models or anything that needs settings.
"""

from __future__ import annotations

from typing import Any


def add_request_id_from_record(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Give stdlib records about a request (Django's "Not Found: /x", "Internal Server Error")
    the request id too: Django logs them after django-structlog has unbound it.
    """
    if "request_id" not in event_dict:
        request = getattr(event_dict.get("_record"), "request", None)
        request_id = getattr(request, "META", {}).get("HTTP_X_REQUEST_ID")
        if request_id:
            event_dict["request_id"] = request_id
    return event_dict

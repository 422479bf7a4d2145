"""Dossier status changes published on the exchange, for agency systems that subscribe.

The portal's subsystem publishes ``dossier.status-changed`` when an operator has declared that
event type for it (``exchange.events.event_type_define``); until then nothing is sent. The
payload is metadata only: code, procedure, agency, status. No personal data.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Dossier

EVENT_CODE = "dossier.status-changed"


_CHECK_SECONDS = 60.0
_publisher_cache: tuple[float, Any] = (-_CHECK_SECONDS, None)


def _publisher() -> Any:
    """The portal's subsystem if it declares the event, re-checked once a minute per process."""
    global _publisher_cache
    from congso.exchange import client as exchange_client
    from congso.exchange import selectors as exchange_selectors

    checked_at, portal = _publisher_cache
    now = time.monotonic()
    if now - checked_at < _CHECK_SECONDS:
        return portal
    portal = exchange_selectors.subsystem_get(client_id=exchange_client.portal_client_id())
    if portal is not None and not exchange_selectors.event_type_declared(provider=portal, code=EVENT_CODE):
        portal = None
    _publisher_cache = (now, portal)
    return portal


def dossier_status_publish(dossier: Dossier) -> None:
    from congso.exchange import events as exchange_events

    portal = _publisher()
    if portal is None:
        return
    exchange_events.event_publish(
        provider=portal,
        code=EVENT_CODE,
        payload={
            "code": dossier.code,
            "procedure": dossier.procedure.code,
            "agency": dossier.agency.code,
            "status": dossier.status,
            "at": dossier.updated_at.isoformat() if dossier.updated_at else "",
        },
    )

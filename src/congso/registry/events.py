"""Changes the population registry announces on the exchange, for systems that subscribe.

``residence.changed`` names the person (the data subject) and when, nothing else: a
subscriber with a right to the residence service, and the person's consent or a legal basis
for its purpose, reads the new address through that service, so the change is delivered only
where the data itself may go (``exchange.events``). Until the exchange declares the event
(``exchange_demo_setup`` does, with the built-in services) nothing is published.

A change made by the registry's services or its admin is announced; a CSV import is a bulk
load of the registry by its owner and is not (subscribers resynchronise through the service).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Citizen

RESIDENCE_CHANGED = "residence.changed"
RESIDENCE_SERVICE = "registry.residence"
RESIDENCE_FIELDS = frozenset(
    {"permanent_address", "permanent_commune", "temporary_address", "temporary_commune"}
)


def _publisher() -> Any:
    """The residence service's system, if it declares the event (looked up at each change:
    changes of residence are rare, and a stale answer would publish to a system gone)."""
    from congso.exchange import selectors as exchange_selectors

    service = exchange_selectors.service_get(service=RESIDENCE_SERVICE)
    publisher = service.provider if service is not None else None
    if publisher is None or not exchange_selectors.event_type_declared(
        provider=publisher, code=RESIDENCE_CHANGED
    ):
        return None
    return publisher


def residence_changed_publish(citizen: Citizen, *, actor: Any = None) -> bool:
    """Announce that the person's residence changed; inside the change's own transaction."""
    from congso.exchange import events as exchange_events

    publisher = _publisher()
    if publisher is None:
        return False
    exchange_events.event_publish(
        provider=publisher,
        code=RESIDENCE_CHANGED,
        data_subject=citizen.personal_id,
        payload={"personal_id": citizen.personal_id, "changed_at": timezone.now().isoformat()},
        actor=actor,
    )
    return True

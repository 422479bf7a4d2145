"""Background jobs of the exchange (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from . import events


@task()
def delivery_attempt_task(delivery_id: int) -> str:
    """Try one webhook delivery; a duplicate or early task finds nothing to claim."""
    return events.delivery_attempt(delivery_id=delivery_id)

"""Background jobs of the notify domain (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def message_deliver_task(message_id: int) -> str:
    """Deliver one message; a duplicate or late task finds nothing to claim and does nothing."""
    return services.message_deliver(message_id=message_id)


@task()
def notify_sweep_task() -> int:
    """Re-enqueue stuck messages, then schedule the next sweep (a chain kept in the database)."""
    try:
        return services.notify_sweep()
    finally:
        services.notify_sweep_schedule()

"""After ``migrate``: a template row for every registered message, and a running sweep chain."""

from __future__ import annotations

from typing import Any

import structlog
from django.db import DatabaseError

log = structlog.get_logger(__name__)


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from . import services

    # On a partial migrate (``migrate notify``) the audit or task tables may not exist yet;
    # the next full migrate does this again.
    try:
        services.templates_install_defaults(using=using)
    except DatabaseError:
        log.warning("notify.templates_install_skipped", exc_info=True)
    try:
        services.notify_sweep_schedule()
    except DatabaseError:
        log.warning("notify.sweep_schedule_skipped", exc_info=True)

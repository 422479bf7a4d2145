"""Counters with locks, in the database so that every worker and node shares them.

A throttle counts events under a key in a fixed window; when the count reaches the limit the
key is locked until a moment. Each change runs in its own transaction with the row locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), so
two workers never both see "4 of 5" and let a sixth attempt through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Throttle


@dataclass(frozen=True)
class Limit:
    limit: int
    window: timedelta
    lock_for: timedelta


def _locked_row(key: str, now: datetime) -> Throttle:
    row = Throttle.objects.select_for_update().filter(key=key).first()
    if row is None:
        try:
            # A savepoint: a concurrent first hit on the same key makes this insert fail.
            with transaction.atomic():
                row = Throttle.objects.create(key=key, count=0, window_started_at=now)
        except IntegrityError:
            row = Throttle.objects.select_for_update().get(key=key)
    return row


def throttle_locked_until(key: str) -> datetime | None:
    """When the key's lock ends, if it is locked now."""
    until = Throttle.objects.filter(key=key).values_list("locked_until", flat=True).first()
    if until is not None and until > timezone.now():
        return until
    return None


def throttle_locked_until_any(keys: list[str]) -> datetime | None:
    """When the last lock among ``keys`` ends, if any of them is locked now (one query)."""
    now = timezone.now()
    rows = Throttle.objects.filter(key__in=keys, locked_until__gt=now).values_list("locked_until", flat=True)
    return max((end for end in rows if end is not None), default=None)


def _hit(key: str, limit: Limit) -> tuple[datetime | None, bool]:
    now = timezone.now()
    with transaction.atomic():
        row = _locked_row(key, now)
        lock_over = row.locked_until is not None and row.locked_until <= now
        if lock_over or row.window_started_at + limit.window <= now:
            row.count = 0
            row.window_started_at = now
            row.locked_until = None
        row.count += 1
        newly_locked = row.count >= limit.limit and row.locked_until is None
        if newly_locked:
            row.locked_until = now + limit.lock_for
        row.save(update_fields=["count", "window_started_at", "locked_until"])
        return row.locked_until, newly_locked


def throttle_hit(key: str, limit: Limit) -> datetime | None:
    """Count one event; return the end of the lock if this event reached the limit."""
    return _hit(key, limit)[0]


def throttle_hit_locking(key: str, limit: Limit) -> datetime | None:
    """Count one event; return the end of the lock only if this very event set it.

    Two events counted at once past the limit both see the key locked, but only one of them
    set the lock: whoever reports the lock (an audit entry) does so once per lock.
    """
    until, newly_locked = _hit(key, limit)
    return until if newly_locked else None


def throttle_take(key: str, limit: Limit) -> datetime | None:
    """Take one unit of an allowance; return when to retry if none was left (nothing taken).

    For things that are allowed ``limit`` times per window (SMS sent, requests made), unlike
    :func:`throttle_hit`, which counts failures and locks on the last one.
    """
    now = timezone.now()
    with transaction.atomic():
        row = _locked_row(key, now)
        if row.window_started_at + limit.window <= now:
            row.count = 0
            row.window_started_at = now
            row.locked_until = None
        if row.count >= limit.limit:
            return row.window_started_at + limit.window
        row.count += 1
        row.save(update_fields=["count", "window_started_at", "locked_until"])
        return None


def throttle_reset(key: str) -> None:
    Throttle.objects.filter(key=key).delete()

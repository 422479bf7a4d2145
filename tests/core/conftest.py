"""Fixtures for the shared-kernel tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from congso.core.calendar import calendar_cache_clear

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_time(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given in Vietnam's local time."""
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # A test's overrides are rolled back with its transaction, which no signal reports:
    # without this the next test would see them through the per-process cache.
    calendar_cache_clear()
    yield
    calendar_cache_clear()

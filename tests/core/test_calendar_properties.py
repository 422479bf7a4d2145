"""Properties of the working-day arithmetic, over random dates and random operator overrides.

These build their own :class:`WorkingCalendar` with overrides from Hypothesis, so no
database is involved; the holidays are the real ones from the package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from congso.core.calendar import LEGAL_TZ, WorkingCalendar
from congso.core.models import CalendarOverride

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
OVERRIDES = st.dictionaries(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31)),
    st.sampled_from(CalendarOverride.Kind.values),
    max_size=40,
)


def _calendar(overrides: dict[date, str]) -> WorkingCalendar:
    return WorkingCalendar(load_overrides=lambda year: {d: k for d, k in overrides.items() if d.year == year})


def _naive_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    return sum(
        1 for offset in range(1, (end - start).days + 1) if calendar.is_working_day(start + timedelta(offset))
    )


@settings(deadline=None)
@given(start=DAYS, n=st.integers(min_value=1, max_value=400), overrides=OVERRIDES)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_away(
    start: date, n: int, overrides: dict[date, str]
) -> None:
    calendar = _calendar(overrides)
    end = calendar.add_working_days(start, n)
    assert end > start
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n
    # ... and it is the first such day: the day before is still short of n.
    assert calendar.working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(deadline=None)
@given(start=DAYS, n=st.integers(min_value=1, max_value=400), overrides=OVERRIDES)
def test_going_back_n_working_days_undoes_going_forward(
    start: date, n: int, overrides: dict[date, str]
) -> None:
    calendar = _calendar(overrides)
    working_start = calendar.add_working_days(start, 0)
    assert calendar.add_working_days(calendar.add_working_days(working_start, n), -n) == working_start


@settings(deadline=None)
@given(a=DAYS, span=st.integers(min_value=-800, max_value=800), overrides=OVERRIDES)
def test_counting_by_arithmetic_matches_counting_day_by_day(
    a: date, span: int, overrides: dict[date, str]
) -> None:
    calendar = _calendar(overrides)
    b = a + timedelta(days=span)
    expected = _naive_between(calendar, a, b) if b >= a else -_naive_between(calendar, b, a)
    assert calendar.working_days_between(a, b) == expected


@settings(deadline=None)
@given(
    at=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)),
    n=st.integers(min_value=0, max_value=60),
    overrides=OVERRIDES,
)
def test_reception_is_a_working_day_never_before_the_local_date(
    at: datetime, n: int, overrides: dict[date, str]
) -> None:
    calendar = _calendar(overrides)
    received = calendar.reception_date(at)
    assert calendar.is_working_day(received)
    assert received >= at.astimezone(LEGAL_TZ).date()
    due = calendar.due_date(received_at=at, working_days=n)
    assert calendar.working_days_between(received, due) == n

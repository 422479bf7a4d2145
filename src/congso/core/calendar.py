"""The working-day calendar: which days an agency works, and deadline arithmetic on them.

Working days are Monday to Friday (Labour Code 2019 art. 112: agencies rest on Saturday and
Sunday), minus the public holidays the ``holidays`` package computes for Vietnam (Tết and the
Hùng Kings day from the lunar calendar, compensation days), corrected by the operator's
:class:`~congso.core.models.CalendarOverride` rows for the government's yearly announcements.

Deadlines follow Civil Code 2015 arts. 147-148: a period counted in days starts on the day
*after* the triggering event, and a period that would end on a non-working day ends on the
next working day. Statutory processing times are in working days, so a due date is the n-th
working day after the legal reception date.

Hot paths (a due date on every submission) read the overrides from a per-process cache, one
query per year, refreshed when an override is saved or deleted in this process and at the
latest ``CONGSO_CALENDAR_CACHE_SECONDS`` (default 60) after a change made by another process.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import transaction

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput
from congso.core.models import CalendarOverride

# Legal dates are dates in Vietnam whatever the server's or the user's zone (STYLE.md).
LEGAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
Kind = CalendarOverride.Kind


@dataclass(frozen=True)
class _YearDays:
    """The exceptions to "Monday-Friday is worked" in one year, sorted for range counts."""

    off: tuple[date, ...]  # Monday-Friday days not worked (holidays)
    on: tuple[date, ...]  # Saturdays and Sundays worked (swapped days)
    off_set: frozenset[date] = field(init=False)
    on_set: frozenset[date] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "off_set", frozenset(self.off))
        object.__setattr__(self, "on_set", frozenset(self.on))


@lru_cache(maxsize=256)
def package_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of ``year`` per the ``holidays`` package, named in Vietnamese."""
    # Read-only: the cached mapping is shared by every caller in the process.
    return MappingProxyType(dict(holidays.VN(years=year, language="vi")))


def _weekdays_through(ordinal: int) -> int:
    """How many Monday-Friday days lie in ordinals 1..ordinal (ordinal 1, 1/1/0001, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _require_date(value: date, name: str = "day") -> date:
    # A datetime is a date subclass but never equal to one, and its date may be a UTC date:
    # refuse it rather than answer for the wrong day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date (use reception_date() for an instant), got {value!r}")
    return value


class WorkingCalendar:
    """Working days given a source of operator overrides per year.

    The module-level functions use one instance backed by the database; tests and tools can
    build their own with overrides from anywhere.
    """

    def __init__(
        self,
        *,
        load_overrides: Callable[[int], Mapping[date, str]],
        ttl_seconds: Callable[[], float | None] | None = None,
    ) -> None:
        self._load_overrides = load_overrides
        self._ttl_seconds = ttl_seconds
        self._years: dict[int, tuple[float, _YearDays]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    # --- cache -------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget every cached year; the next question reloads it."""
        with self._lock:
            self._years = {}
            self._generation += 1

    def _year(self, year: int) -> _YearDays:
        now = time.monotonic()
        cached = self._years.get(year)
        if cached is not None:
            ttl = self._ttl_seconds() if self._ttl_seconds is not None else None
            if ttl is None or now - cached[0] < ttl:
                return cached[1]
        generation = self._generation
        days = self._build(year)
        with self._lock:
            # An invalidation while we were loading means what we loaded may be stale.
            if generation == self._generation:
                self._years[year] = (now, days)
        return days

    def _build(self, year: int) -> _YearDays:
        off = {day for day in package_holidays(year) if day.weekday() < _SATURDAY}
        on: set[date] = set()
        for day, kind in self._load_overrides(year).items():
            weekend = day.weekday() >= _SATURDAY
            if kind == Kind.HOLIDAY:
                if weekend:
                    on.discard(day)
                else:
                    off.add(day)
            elif kind == Kind.WORKING_DAY:
                off.discard(day)
                if weekend:
                    on.add(day)
            elif kind == Kind.NOT_HOLIDAY:
                # Removing a listed holiday leaves the day what the week makes it.
                off.discard(day)
        return _YearDays(off=tuple(sorted(off)), on=tuple(sorted(on)))

    # --- questions ---------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        _require_date(day)
        days = self._year(day.year)
        if day.weekday() >= _SATURDAY:
            return day in days.on_set
        return day not in days.off_set

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        _require_date(day)
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        _require_date(day)
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (Civil Code 2015 arts. 147-148).

        The day of the event itself is not counted, so ``add_working_days(monday, 1)`` is the
        Tuesday (if worked). With ``days == 0`` the answer is ``start`` when it is a working
        day, else the next working day. With ``days < 0`` it is the ``-days``-th working day
        before ``start``.
        """
        _require_date(start, "start")
        if days == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        step = self.next_working_day if days > 0 else self.previous_working_day
        day = start
        for _ in range(abs(days)):
            day = step(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in the half-open range (start, end].

        ``start`` itself is not counted and ``end`` is, matching :meth:`add_working_days`:
        for ``n >= 1``, ``working_days_between(d, add_working_days(d, n)) == n`` for every
        ``d``. A dossier received (legally) on Monday and decided on Wednesday took 2 working
        days; ``working_days_between(due, done) > 0`` means it was that many days late. The
        result is 0 when ``start == end`` and negative when ``end`` is before ``start``.
        Counted arithmetically per year, so long ranges cost no more than short ones.
        """
        _require_date(start, "start")
        _require_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        count = _weekdays_through(end.toordinal()) - _weekdays_through(start.toordinal())
        for year in range(start.year, end.year + 1):
            days = self._year(year)
            count -= _count_in(days.off, start, end)
            count += _count_in(days.on, start, end)
        return count

    def reception_date(self, at: datetime) -> date:
        """The legal date of reception of something received at instant ``at``.

        ``at`` is read in Asia/Ho_Chi_Minh. At or after the cut-off hour
        (``CONGSO_WORKDAY_CUTOFF_HOUR``, default 15, i.e. from 15:00:00 local time), or on a
        non-working day, reception counts from the next working day (vietnam.md section 2).
        """
        if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
            raise TypeError(f"at must be an aware datetime, got {at!r}")
        local = at.astimezone(LEGAL_TZ)
        day = local.date()
        cutoff = int(getattr(settings, "CONGSO_WORKDAY_CUTOFF_HOUR", 15))
        if not self.is_working_day(day) or local.hour >= cutoff:
            return self.next_working_day(day)
        return day

    def due_date(self, *, received_at: datetime, working_days: int) -> date:
        """The date a procedure with a statutory time of ``working_days`` is due.

        The ``working_days``-th working day after the legal reception date: the period starts
        the day after reception (Civil Code 2015 art. 147).
        """
        if working_days < 0:
            raise ValueError(f"working_days must be >= 0, got {working_days}")
        return self.add_working_days(self.reception_date(received_at), working_days)


def _count_in(sorted_days: tuple[date, ...], start: date, end: date) -> int:
    """How many of ``sorted_days`` fall in (start, end]."""
    return bisect.bisect_right(sorted_days, end) - bisect.bisect_right(sorted_days, start)


# --- The database-backed calendar everybody uses ----------------------------------------------
def _db_overrides(year: int) -> dict[date, str]:
    return dict(CalendarOverride.objects.filter(day__year=year).values_list("day", "kind"))


def _cache_seconds() -> float | None:
    return float(getattr(settings, "CONGSO_CALENDAR_CACHE_SECONDS", 60))


default_calendar = WorkingCalendar(load_overrides=_db_overrides, ttl_seconds=_cache_seconds)


def is_working_day(day: date) -> bool:
    """Whether agencies work on ``day``."""
    return default_calendar.is_working_day(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    return default_calendar.next_working_day(day)


def previous_working_day(day: date) -> date:
    """The last working day strictly before ``day``."""
    return default_calendar.previous_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """See :meth:`WorkingCalendar.add_working_days`."""
    return default_calendar.add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range (start, end]; see :meth:`WorkingCalendar.working_days_between`."""
    return default_calendar.working_days_between(start, end)


def reception_date(at: datetime) -> date:
    """See :meth:`WorkingCalendar.reception_date`."""
    return default_calendar.reception_date(at)


def due_date(*, received_at: datetime, working_days: int) -> date:
    """See :meth:`WorkingCalendar.due_date`."""
    return default_calendar.due_date(received_at=received_at, working_days=working_days)


def calendar_cache_clear() -> None:
    """Forget the cached overrides in this process (tests call it between cases)."""
    default_calendar.invalidate()


def _on_override_change(**kwargs: Any) -> None:
    default_calendar.invalidate()
    # Another thread may reload between now and commit and cache the old rows: once more
    # after commit. (A rolled-back change is undone within CONGSO_CALENDAR_CACHE_SECONDS.)
    transaction.on_commit(default_calendar.invalidate, using=kwargs.get("using"))


@dataclass(frozen=True)
class CalendarDay:
    """A non-working Monday-Friday or a worked weekend day, for display."""

    day: date
    working: bool
    name: str
    source: str  # "package" or "override"


def calendar_exceptions(*, year: int) -> list[CalendarDay]:
    """The days of ``year`` that differ from the Monday-Friday week, with their names."""
    days = default_calendar._year(year)
    names = dict(package_holidays(year))
    overrides = {o.day: o for o in CalendarOverride.objects.filter(day__year=year)}
    result = []
    for day in sorted(days.off + days.on):
        override = overrides.get(day)
        name = (override.name if override and override.name else "") or names.get(day, "")
        result.append(
            CalendarDay(
                day=day,
                working=day in days.on_set,
                name=name,
                source="override" if override is not None else "package",
            )
        )
    return result


# --- Operator changes ------------------------------------------------------------------------
@transaction.atomic
def calendar_override_set(
    *, actor: Any = None, day: date, kind: str, name: str = "", note: str = ""
) -> tuple[CalendarOverride, bool]:
    """Create or update the override for ``day``; returns it and whether anything changed."""
    _require_date(day)
    if kind not in Kind.values:
        raise InvalidInput(
            f"Loại ngày '{kind}' không hợp lệ (dùng: {', '.join(Kind.values)})",
            f"Unknown kind '{kind}' (use: {', '.join(Kind.values)})",
            field="kind",
        )
    override = CalendarOverride.objects.select_for_update().filter(day=day).first()
    created = override is None
    if override is None:
        override = CalendarOverride(day=day)
    elif (override.kind, override.name, override.note) == (kind, name, note):
        return override, False
    override.kind, override.name, override.note = kind, name, note
    override.full_clean()
    override.save()
    audit_record(
        actor=actor,
        action="core.calendar_override.create" if created else "core.calendar_override.update",
        target=override,
        details={"day": day.isoformat(), "kind": kind, "name": name},
    )
    return override, True


@transaction.atomic
def calendar_override_delete(*, actor: Any = None, day: date) -> bool:
    """Remove the override for ``day``, if any; returns whether there was one."""
    override = CalendarOverride.objects.filter(day=day).first()
    if override is None:
        return False
    audit_record(
        actor=actor,
        action="core.calendar_override.delete",
        target=override,
        details={"day": day.isoformat(), "kind": override.kind, "name": override.name},
    )
    override.delete()
    return True


# --- Loading overrides from a file ------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    line: int
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"Dòng {self.line}: {self.message_vi} / Line {self.line}: {self.message_en}"


@dataclass
class CalendarLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class CalendarFileError(InvalidInput):
    """The file as a whole cannot be read (no row can be trusted)."""


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def _parse_day(text: str) -> date:
    text = text.strip()
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        raise ValueError(text)
    return date.fromisoformat(text)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.strip().lower() for name in reader.fieldnames or []}
    if not {"date", "kind"} <= fields:
        raise CalendarFileError(
            "Tệp CSV phải có dòng tiêu đề với các cột date, kind (và tuỳ chọn name, note)",
            "The CSV file needs a header row with columns date, kind (optionally name, note)",
        )
    for row in reader:
        clean = {(key or "").strip().lower(): value for key, value in row.items()}
        if not any((value or "").strip() for value in clean.values() if isinstance(value, str)):
            continue  # blank line
        yield reader.line_num, clean


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of a top-level JSON array with the line each starts on."""
    decoder = json.JSONDecoder()
    not_array = CalendarFileError(
        "Tệp JSON phải là một mảng các đối tượng {date, kind, name, note}",
        "The JSON file must be an array of {date, kind, name, note} objects",
    )

    def skip_space(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    pos = skip_space(0)
    if not text.startswith("[", pos):
        raise not_array
    pos = skip_space(pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise CalendarFileError(
                f"JSON không hợp lệ ở dòng {exc.lineno}: {exc.msg}",
                f"Invalid JSON at line {exc.lineno}: {exc.msg}",
            ) from exc
        yield line_of(pos), item if isinstance(item, dict) else {"__not_object__": item}
        pos = skip_space(end)
        if text.startswith(",", pos):
            pos = skip_space(pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise CalendarFileError(
                f"JSON không hợp lệ ở dòng {line_of(pos)}: thiếu ',' hoặc ']'",
                f"Invalid JSON at line {line_of(pos)}: expected ',' or ']'",
            )


def calendar_load_file(*, path: Path, actor: Any = None) -> CalendarLoadResult:
    """Upsert the overrides listed in a CSV or JSON file, keyed by date.

    Each row has ``date`` (YYYY-MM-DD or DD/MM/YYYY), ``kind`` (holiday, working_day,
    not_holiday), optional ``name`` and ``note``. Good rows are saved even when others are
    wrong; the wrong ones are returned with their line numbers. Loading the same file twice
    changes nothing the second time. One audit entry records the load (ADR 0002: bulk
    operations write one entry per operation).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarFileError(
            f"Không đọc được tệp {path}: {exc}", f"Cannot read file {path}: {exc}"
        ) from exc
    is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and text.lstrip()[:1] == "[")
    rows = _json_rows(text) if is_json else _csv_rows(text)

    result = CalendarLoadResult()
    seen: dict[date, int] = {}
    good: list[tuple[date, str, str, str]] = []
    for line, row in rows:
        if "__not_object__" in row:
            result.errors.append(RowError(line, "mục không phải là một đối tượng", "item is not an object"))
            continue
        raw_day = str(row.get("date") or "").strip()
        kind = str(row.get("kind") or "").strip()
        name = str(row.get("name") or "").strip()
        note = str(row.get("note") or "").strip()
        try:
            day = _parse_day(raw_day)
        except ValueError:
            result.errors.append(
                RowError(
                    line,
                    f"ngày '{raw_day}' không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
                    f"invalid date '{raw_day}' (use YYYY-MM-DD or DD/MM/YYYY)",
                )
            )
            continue
        if kind not in Kind.values:
            allowed = ", ".join(Kind.values)
            result.errors.append(
                RowError(
                    line,
                    f"loại '{kind}' không hợp lệ (dùng: {allowed})",
                    f"unknown kind '{kind}' (use: {allowed})",
                )
            )
            continue
        if len(name) > 200:
            result.errors.append(RowError(line, "tên dài quá 200 ký tự", "name longer than 200 characters"))
            continue
        if day in seen:
            result.errors.append(
                RowError(
                    line,
                    f"ngày {day:%d/%m/%Y} đã có ở dòng {seen[day]}",
                    f"date {day.isoformat()} already given on line {seen[day]}",
                )
            )
            continue
        seen[day] = line
        good.append((day, kind, name, note))

    with transaction.atomic():
        existing = {o.day: o for o in CalendarOverride.objects.select_for_update().filter(day__in=list(seen))}
        for day, kind, name, note in good:
            current = existing.get(day)
            if current is None:
                CalendarOverride.objects.create(day=day, kind=kind, name=name, note=note)
                result.created += 1
            elif (current.kind, current.name, current.note) == (kind, name, note):
                result.unchanged += 1
            else:
                current.kind, current.name, current.note = kind, name, note
                current.save(update_fields=["kind", "name", "note", "updated_at"])
                result.updated += 1
        if result.created or result.updated:
            audit_record(
                actor=actor,
                action="core.calendar_override.load",
                details={
                    "file": path.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "rejected_lines": [error.line for error in result.errors],
                },
            )
    return result

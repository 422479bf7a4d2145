"""The working-day calendar: holidays, Civil Code deadline rules, cut-off hour, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import LazySettings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congso.core.audit import AuditEntry
from congso.core.calendar import (
    add_working_days,
    calendar_exceptions,
    calendar_override_delete,
    calendar_override_set,
    due_date,
    is_working_day,
    next_working_day,
    package_holidays,
    reception_date,
    working_days_between,
)
from congso.core.errors import InvalidInput
from congso.core.models import CalendarOverride
from congso.identity.testing import force_login_mfa
from tests.core.conftest import vn_time

pytestmark = pytest.mark.django_db

Kind = CalendarOverride.Kind


# --- Holidays from the package (Labour Code 2019 art. 112) -------------------------------------
def test_tet_2027_falls_on_6_february_and_its_days_are_not_worked() -> None:
    assert package_holidays(2027)[date(2027, 2, 6)] == "Tết Nguyên Đán"
    # The package gives Thursday 4/2 (29 Tết) to Wednesday 10/2 (mùng 5).
    for day in range(4, 11):
        assert not is_working_day(date(2027, 2, day)), f"{day}/2/2027 should be a Tết holiday"
    assert is_working_day(date(2027, 2, 3))
    assert is_working_day(date(2027, 2, 11))


def test_hung_kings_2027_is_16_april() -> None:
    assert package_holidays(2027)[date(2027, 4, 16)] == "Ngày Giỗ Tổ Hùng Vương"
    assert not is_working_day(date(2027, 4, 16))
    assert is_working_day(date(2027, 4, 15))


def test_saturday_and_sunday_are_not_worked() -> None:
    assert not is_working_day(date(2027, 3, 6))  # Saturday
    assert not is_working_day(date(2027, 3, 7))  # Sunday
    assert is_working_day(date(2027, 3, 8))  # Monday
    assert next_working_day(date(2027, 3, 5)) == date(2027, 3, 8)


def test_a_year_of_working_days() -> None:
    # 2027 has 261 weekdays; 12 holidays fall on weekdays (1/1, 4-5/2, 8-10/2, 16/4, 30/4,
    # 3/5 compensating 1/5, 2-3/9, 24/11).
    assert working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 249


def test_a_datetime_is_refused_where_a_date_is_meant() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2027, 3, 8, 10, tzinfo=UTC))


# --- Adding working days (Civil Code 2015 arts. 147-148) --------------------------------------
def test_the_period_starts_the_day_after_the_event() -> None:
    assert add_working_days(date(2027, 3, 8), 1) == date(2027, 3, 9)
    assert add_working_days(date(2027, 3, 8), 0) == date(2027, 3, 8)
    # Zero days from a Saturday: a period cannot end on a non-working day.
    assert add_working_days(date(2027, 3, 6), 0) == date(2027, 3, 8)


def test_adding_working_days_across_a_weekend() -> None:
    assert add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)  # Fri → Mon
    assert add_working_days(date(2027, 3, 4), 3) == date(2027, 3, 9)  # Thu → Fri, Mon, Tue
    assert add_working_days(date(2027, 3, 6), 1) == date(2027, 3, 8)  # Sat → Mon


def test_adding_working_days_across_tet_2027() -> None:
    # Wednesday 3/2 is the last working day before Tết; Thursday 11/2 the first after.
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 15)  # 11, 12, (weekend), 15
    # Monday 1/2 + 5: 2/2, 3/2, 11/2, 12/2, 15/2.
    assert add_working_days(date(2027, 2, 1), 5) == date(2027, 2, 15)


def test_counting_backwards() -> None:
    assert add_working_days(date(2027, 2, 11), -1) == date(2027, 2, 3)
    assert add_working_days(date(2027, 3, 8), -1) == date(2027, 3, 5)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert working_days_between(date(2027, 3, 8), date(2027, 3, 8)) == 0
    assert working_days_between(date(2027, 3, 8), date(2027, 3, 9)) == 1
    assert working_days_between(date(2027, 3, 5), date(2027, 3, 8)) == 1  # Fri → Mon
    assert working_days_between(date(2027, 3, 5), date(2027, 3, 7)) == 0  # the weekend only
    assert working_days_between(date(2027, 2, 3), date(2027, 2, 11)) == 1  # across Tết
    assert working_days_between(date(2027, 3, 9), date(2027, 3, 8)) == -1


# --- Reception date and due date --------------------------------------------------------------
def test_cut_off_hour_moves_reception_to_the_next_working_day() -> None:
    assert reception_date(vn_time(2027, 3, 8, 14, 59)) == date(2027, 3, 8)
    assert reception_date(vn_time(2027, 3, 8, 15, 1)) == date(2027, 3, 9)
    # From the cut-off hour itself.
    assert reception_date(vn_time(2027, 3, 8, 15, 0)) == date(2027, 3, 9)


def test_reception_is_judged_in_vietnam_time_whatever_zone_the_instant_is_in() -> None:
    # 07:59 UTC is 14:59 in Hà Nội; 08:01 UTC is 15:01.
    assert reception_date(datetime(2027, 3, 8, 7, 59, tzinfo=UTC)) == date(2027, 3, 8)
    assert reception_date(datetime(2027, 3, 8, 8, 1, tzinfo=UTC)) == date(2027, 3, 9)
    # Sunday 23:30 UTC is already Monday morning in Vietnam.
    assert reception_date(datetime(2027, 3, 7, 23, 30, tzinfo=UTC)) == date(2027, 3, 8)
    with pytest.raises(TypeError):
        reception_date(datetime(2027, 3, 8, 10, 0))  # naive: which zone?


def test_a_saturday_submission_is_received_on_monday() -> None:
    assert reception_date(vn_time(2027, 3, 6, 9, 0)) == date(2027, 3, 8)
    # Received Monday; 3 working days: Tue, Wed, Thu.
    assert due_date(received_at=vn_time(2027, 3, 6, 9, 0), working_days=3) == date(2027, 3, 11)


def test_due_date_does_not_count_the_day_of_reception() -> None:
    assert due_date(received_at=vn_time(2027, 3, 8, 10, 0), working_days=1) == date(2027, 3, 9)
    # After the cut-off on Friday: received Monday, due Tuesday.
    assert due_date(received_at=vn_time(2027, 3, 5, 16, 0), working_days=1) == date(2027, 3, 9)
    # Before Tết: received Wednesday 3/2, 2 working days → 11/2, 12/2.
    assert due_date(received_at=vn_time(2027, 2, 3, 9, 0), working_days=2) == date(2027, 2, 12)
    with pytest.raises(ValueError, match="working_days"):
        due_date(received_at=vn_time(2027, 3, 8), working_days=-1)


def test_cut_off_hour_is_configurable(settings: LazySettings) -> None:
    settings.CONGSO_WORKDAY_CUTOFF_HOUR = 17
    assert reception_date(vn_time(2027, 3, 8, 16, 30)) == date(2027, 3, 8)
    assert reception_date(vn_time(2027, 3, 8, 17, 0)) == date(2027, 3, 9)


# --- Operator overrides ------------------------------------------------------------------------
def test_an_extra_holiday_moves_a_due_date() -> None:
    received = vn_time(2027, 3, 8, 10, 0)
    assert due_date(received_at=received, working_days=1) == date(2027, 3, 9)
    calendar_override_set(day=date(2027, 3, 9), kind=Kind.HOLIDAY, name="Nghỉ đột xuất")
    assert not is_working_day(date(2027, 3, 9))
    assert due_date(received_at=received, working_days=1) == date(2027, 3, 10)


def test_a_swapped_working_saturday_counts() -> None:
    calendar_override_set(day=date(2027, 3, 13), kind=Kind.WORKING_DAY, name="Làm bù")
    assert is_working_day(date(2027, 3, 13))
    assert add_working_days(date(2027, 3, 12), 1) == date(2027, 3, 13)
    assert working_days_between(date(2027, 3, 12), date(2027, 3, 15)) == 2
    # A submission on a worked Saturday morning is received that Saturday.
    assert reception_date(vn_time(2027, 3, 13, 9, 0)) == date(2027, 3, 13)


def test_removing_a_holiday_the_package_lists() -> None:
    calendar_override_set(day=date(2027, 2, 4), kind=Kind.NOT_HOLIDAY, name="29 Tết làm việc")
    assert is_working_day(date(2027, 2, 4))
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 4)
    assert working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 250


def test_not_holiday_on_a_weekend_leaves_it_a_weekend() -> None:
    # Tết day 1 in 2027 is a Saturday: removing the holiday does not make it worked.
    calendar_override_set(day=date(2027, 2, 6), kind=Kind.NOT_HOLIDAY)
    assert not is_working_day(date(2027, 2, 6))


def test_editing_an_override_takes_effect_at_once() -> None:
    received = vn_time(2027, 3, 8, 10, 0)
    override = CalendarOverride.objects.create(day=date(2027, 3, 9), kind=Kind.HOLIDAY, name="Nghỉ")
    assert due_date(received_at=received, working_days=1) == date(2027, 3, 10)

    # Edited as the admin does, with a plain save.
    override.kind = Kind.NOT_HOLIDAY
    override.save()
    assert due_date(received_at=received, working_days=1) == date(2027, 3, 9)

    override.day = date(2027, 3, 10)
    override.kind = Kind.HOLIDAY
    override.save()
    assert due_date(received_at=received, working_days=2) == date(2027, 3, 11)

    override.delete()
    assert due_date(received_at=received, working_days=2) == date(2027, 3, 10)


def test_hot_path_uses_the_cache_not_one_query_per_day() -> None:
    with CaptureQueriesContext(connection) as first:
        # 21-24/12 and 27-31/12 (9); 3/1/2028 compensates New Year's Saturday; 4-7/1, 10-14/1,
        # 17-21/1 (23); Tết 24-28/1; 31/1-4/2 (28); 7/2, 8/2 (30).
        assert add_working_days(date(2027, 12, 20), 30) == date(2028, 2, 8)
    # One query per calendar year touched, not per day.
    assert len(first.captured_queries) == 2
    with CaptureQueriesContext(connection) as again:
        due_date(received_at=vn_time(2027, 12, 20), working_days=30)
        working_days_between(date(2027, 1, 1), date(2028, 6, 1))
    assert len(again.captured_queries) == 0


def test_a_change_made_elsewhere_is_seen_once_the_cache_expires(settings: LazySettings) -> None:
    assert is_working_day(date(2027, 3, 9))
    # queryset.update() sends no signal, like a change made by another process.
    CalendarOverride.objects.bulk_create([CalendarOverride(day=date(2027, 3, 9), kind=Kind.WORKING_DAY)])
    CalendarOverride.objects.filter(day=date(2027, 3, 9)).update(kind=Kind.HOLIDAY)
    settings.CONGSO_CALENDAR_CACHE_SECONDS = 0
    assert not is_working_day(date(2027, 3, 9))


def test_override_service_validates_and_audits() -> None:
    user = get_user_model().objects.create_user(username="001090000001", password="x" * 12)
    override, changed = calendar_override_set(
        actor=user, day=date(2027, 3, 9), kind=Kind.HOLIDAY, name="Nghỉ bù"
    )
    assert changed
    _, changed_again = calendar_override_set(
        actor=user, day=date(2027, 3, 9), kind=Kind.HOLIDAY, name="Nghỉ bù"
    )
    assert not changed_again
    assert calendar_override_delete(actor=user, day=date(2027, 3, 9))
    assert not calendar_override_delete(actor=user, day=date(2027, 3, 9))
    # Other apps may audit their own setup: look at the calendar's entries only.
    actions = list(
        AuditEntry.objects.filter(action__startswith="core.calendar").values_list(
            "action", "actor_id", "target_id"
        )
    )
    assert actions == [
        ("core.calendar_override.create", str(user.pk), str(override.pk)),
        ("core.calendar_override.delete", str(user.pk), str(override.pk)),
    ]
    with pytest.raises(InvalidInput) as refused:
        calendar_override_set(day=date(2027, 3, 9), kind="vacation")
    assert refused.value.field == "kind"
    assert "holiday" in refused.value.message_en


def test_calendar_exceptions_lists_holidays_and_swaps_with_names() -> None:
    calendar_override_set(day=date(2027, 2, 4), kind=Kind.NOT_HOLIDAY)
    calendar_override_set(day=date(2027, 2, 20), kind=Kind.WORKING_DAY, name="Làm bù Tết")
    days = {d.day: d for d in calendar_exceptions(year=2027)}
    assert date(2027, 2, 4) not in days
    assert days[date(2027, 2, 8)].name == "Mùng ba Tết Nguyên Đán"
    assert not days[date(2027, 2, 8)].working
    assert days[date(2027, 2, 20)].working
    assert days[date(2027, 2, 20)].source == "override"
    assert date(2027, 2, 6) not in days  # a Saturday off is the ordinary week


def test_operator_adds_a_holiday_in_the_admin(client: Client) -> None:
    admin = get_user_model().objects.create_superuser(username="001090000002", password="x" * 12)
    force_login_mfa(client, admin)
    response = client.post(
        "/admin/core/calendaroverride/add/",
        {"day": "09/03/2027", "kind": Kind.HOLIDAY, "name": "Nghỉ đột xuất", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Day first, as Vietnamese write dates: 9 March, not 3 September.
    assert CalendarOverride.objects.get().day == date(2027, 3, 9)
    assert due_date(received_at=vn_time(2027, 3, 8), working_days=1) == date(2027, 3, 10)
    entry = AuditEntry.objects.get(action="core.calendar_override.create")
    assert entry.actor_id == str(admin.pk)


def test_the_audit_log_is_read_only_in_the_admin(client: Client) -> None:
    from congso.core.audit import audit_record

    admin = get_user_model().objects.create_superuser(username="001090000003", password="x" * 12)
    force_login_mfa(client, admin)
    entry = audit_record(action="test.thing.create")
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{entry.seq}/change/").status_code == 200
    assert client.post(f"/admin/core/auditentry/{entry.seq}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_long_ranges_cost_no_more_than_short_ones() -> None:
    # Ten years: every year loaded once, arithmetic per year; equals the day-by-day count.
    start, end = date(2024, 1, 1), date(2034, 1, 1)
    naive = sum(
        1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset))
    )
    assert working_days_between(start, end) == naive

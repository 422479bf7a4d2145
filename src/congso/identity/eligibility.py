"""Who may hold which electronic identity account, by age (Decree 69/2024/NĐ-CP).

Citizens aged 14 and over get accounts of level 1 and 2 for themselves. From 6 to under 14 a
citizen gets a level 1 account, and level 2 only on request of their parent or legal guardian;
under 6, an account only on the guardian's request, and of level 1. Every account of a person
under 14 is therefore asked for by the guardian, at the commune police: the portal's own
activation is for people of 14 and over.

Age is counted in full years on the day of the request in Vietnam's calendar: a person is 14
from the morning of their fourteenth birthday, Vietnam time, wherever the server runs. Someone
born on 29 February has their birthday on 1 March in other years (never early).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Decree 69/2024/NĐ-CP: the ages at which the rules change.
SELF_SERVICE_MIN_AGE = 14
LEVEL2_WITH_GUARDIAN_MIN_AGE = 6


def vietnam_today(now: datetime | None = None) -> date:
    """The date in Vietnam at ``now`` (default: this moment)."""
    return timezone.localtime(now or timezone.now(), VIETNAM).date()


def age_on(date_of_birth: date, day: date) -> int:
    """Full years of age on ``day``; the birthday itself counts."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def age_today(date_of_birth: date) -> int:
    return age_on(date_of_birth, vietnam_today())


def may_activate_alone(age: int) -> bool:
    """Self-service activation: 14 and over; younger people's accounts come through the guardian."""
    return age >= SELF_SERVICE_MIN_AGE


def level2_needs_guardian(age: int) -> bool:
    return age < SELF_SERVICE_MIN_AGE


def level2_allowed(age: int) -> bool:
    """Level 2 is not offered under 6, even on the guardian's request."""
    return age >= LEVEL2_WITH_GUARDIAN_MIN_AGE

"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>`` (Circular 01/2018/TT-VPCP art. 19).

Example ``H15.50.05.13-261008-0975``: the receiving agency's code in the national agency-code
standard, the date received, and the dossier's number within that agency's day. The number
has at least four digits and simply grows wider past 9999 (ministry portals use wider
sequences); a busy day never makes submission fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from congso.core.errors import InvalidInput
from congso.core.models import DailySequence

# Letters and digits in dot-separated groups (e.g. "H15.50.05.13", "000.00.00.H15"). A hyphen
# would make the code ambiguous to split, so it is refused.
_AGENCY_CODE = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*", re.ASCII)
_DOSSIER_CODE = re.compile(r"([A-Z0-9]+(?:\.[A-Z0-9]+)*)-(\d{2})(\d{2})(\d{2})-(\d{4,})", re.ASCII)
AGENCY_CODE_MAX_LENGTH = 64


def agency_code_clean(agency_code: str) -> str:
    """The agency code in its canonical form (capitals), or InvalidInput.

    The national standard writes agency codes in capitals; "h15" and "H15" are one agency
    and must share one sequence.
    """
    code = agency_code.strip().upper() if isinstance(agency_code, str) else ""
    if not code or len(code) > AGENCY_CODE_MAX_LENGTH or not _AGENCY_CODE.fullmatch(code):
        raise InvalidInput(
            f"Mã cơ quan '{agency_code}' không hợp lệ: chỉ gồm chữ cái, chữ số và dấu chấm "
            f"(ví dụ H15.50.05.13), tối đa {AGENCY_CODE_MAX_LENGTH} ký tự",
            f"Invalid agency code '{agency_code}': letters, digits and dots only "
            f"(e.g. H15.50.05.13), at most {AGENCY_CODE_MAX_LENGTH} characters",
            field="agency_code",
        )
    return code


def daily_sequence_next(*, agency_code: str, day: date) -> int:
    """The next number of ``agency_code``'s sequence for ``day``, starting at 1.

    One atomic upsert statement: concurrent callers can neither get the same number nor
    fail on the unique constraint (PostgreSQL; SQLite >= 3.35 for RETURNING). Inside a
    transaction the row stays locked until commit, and a rollback gives the number back.
    """
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_code, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - table name from model meta
        f"ON CONFLICT (agency_code, day) DO UPDATE SET last_value = {table}.last_value + 1 "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return int(row[0])


def dossier_code_next(*, agency_code: str, on: date) -> str:
    """A new dossier code for a dossier received by ``agency_code`` on ``on``.

    ``on`` is the legal (Asia/Ho_Chi_Minh) date received, e.g. from
    :func:`congso.core.calendar.reception_date`; a datetime is refused because its date could
    be the UTC one.
    """
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError(f"on must be a date, got {on!r}")
    code = agency_code_clean(agency_code)
    number = daily_sequence_next(agency_code=code, day=on)
    return f"{code}-{on:%y%m%d}-{number:04d}"


@dataclass(frozen=True)
class DossierCode:
    agency_code: str
    on: date
    number: int


def dossier_code_parse(code: str) -> DossierCode:
    """Split a dossier code into its parts, or InvalidInput (e.g. for a code typed into a search)."""
    match = _DOSSIER_CODE.fullmatch(code.strip().upper()) if isinstance(code, str) else None
    try:
        if match is None:
            raise ValueError(code)
        yy, mm, dd = (int(part) for part in match.group(2, 3, 4))
        return DossierCode(agency_code=match.group(1), on=date(2000 + yy, mm, dd), number=int(match.group(5)))
    except ValueError:
        raise InvalidInput(
            f"Mã hồ sơ '{code}' không đúng dạng <mã cơ quan>-<YYMMDD>-<NNNN>",
            f"Dossier code '{code}' is not of the form <agency code>-<YYMMDD>-<NNNN>",
            field="code",
        ) from None

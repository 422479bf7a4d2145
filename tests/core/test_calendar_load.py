"""``manage.py calendar_load``: operator files of holidays and swapped days."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congso.core.audit import AuditEntry
from congso.core.calendar import add_working_days, due_date, is_working_day
from congso.core.models import CalendarOverride
from tests.core.conftest import vn_time

pytestmark = pytest.mark.django_db

CSV_WITH_BAD_ROWS = """date,kind,name,note
2027-03-09,holiday,Nghỉ đột xuất,Quyết định số 1
2027-13-01,holiday,Tháng 13,
13/03/2027,working_day,Làm bù,
2027-03-10,vacation,Nghỉ mát,
2027-02-04,not_holiday,29 Tết làm việc,
2027-03-09,working_day,Trùng ngày,
"""


def _load(path: Path) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("calendar_load", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_bad_rows_are_reported_by_line_and_good_rows_still_load(tmp_path: Path) -> None:
    path = tmp_path / "lich-2027.csv"
    path.write_text(CSV_WITH_BAD_ROWS, encoding="utf-8")

    out, err, failure = _load(path)

    assert failure is not None  # a script sees that something was refused
    assert "Dòng 3: ngày '2027-13-01' không hợp lệ" in err
    assert "Line 3: invalid date '2027-13-01'" in err
    assert "Line 5: unknown kind 'vacation'" in err
    assert "Dòng 5: loại 'vacation' không hợp lệ" in err
    assert "Line 7: date 2027-03-09 already given on line 2" in err
    assert "Line 2" not in err
    assert "Line 4" not in err
    assert "Line 6" not in err
    assert "Loaded: 3 created, 0 updated, 0 unchanged; 3 rows rejected" in out

    assert dict(CalendarOverride.objects.values_list("day", "kind")) == {
        date(2027, 3, 9): "holiday",
        date(2027, 3, 13): "working_day",
        date(2027, 2, 4): "not_holiday",
    }
    # And deadlines follow at once.
    assert due_date(received_at=vn_time(2027, 3, 8), working_days=1) == date(2027, 3, 10)
    assert is_working_day(date(2027, 3, 13))
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 4)


def test_reloading_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lich-2027.csv"
    path.write_text(CSV_WITH_BAD_ROWS, encoding="utf-8")
    _load(path)
    before = list(CalendarOverride.objects.values("day", "kind", "name", "note", "updated_at"))
    audits_before = AuditEntry.objects.filter(action="core.calendar_override.load").count()

    out, _, _ = _load(path)

    assert "Loaded: 0 created, 0 updated, 3 unchanged; 3 rows rejected" in out
    assert list(CalendarOverride.objects.values("day", "kind", "name", "note", "updated_at")) == before
    assert audits_before == 1
    assert AuditEntry.objects.filter(action="core.calendar_override.load").count() == 1


def test_a_corrected_file_updates_rows_in_place(tmp_path: Path) -> None:
    path = tmp_path / "lich.csv"
    path.write_text("date,kind,name\n2027-03-09,holiday,Nghỉ\n", encoding="utf-8")
    _load(path)
    path.write_text("date,kind,name\n2027-03-09,working_day,Đi làm\n", encoding="utf-8")

    out, err, failure = _load(path)

    assert failure is None, err
    assert "Loaded: 0 created, 1 updated, 0 unchanged; 0 rows rejected" in out
    assert CalendarOverride.objects.get().kind == "working_day"
    assert is_working_day(date(2027, 3, 9))


def test_json_files_report_the_line_each_bad_item_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "lich.json"
    path.write_text(
        """[
  {"date": "2027-03-09", "kind": "holiday", "name": "Nghỉ đột xuất"},
  {"date": "2027-02-30", "kind": "holiday"},
  {"date": "2027-03-13",
   "kind": "weekend"},
  "2027-03-20",
  {"date": "20/03/2027", "kind": "working_day", "name": "Làm bù"}
]
""",
        encoding="utf-8",
    )

    out, err, failure = _load(path)

    assert failure is not None
    assert "Line 3: invalid date '2027-02-30'" in err
    assert "Line 4: unknown kind 'weekend'" in err
    assert "Line 6: item is not an object" in err
    assert "Loaded: 2 created" in out
    assert set(CalendarOverride.objects.values_list("day", flat=True)) == {
        date(2027, 3, 9),
        date(2027, 3, 20),
    }


def test_a_file_that_cannot_be_read_as_a_whole_is_refused(tmp_path: Path) -> None:
    no_header = tmp_path / "no-header.csv"
    no_header.write_text("2027-03-09,holiday\n", encoding="utf-8")
    broken_json = tmp_path / "broken.json"
    broken_json.write_text(
        '[\n  {"date": "2027-03-09", "kind": "holiday"}\n  {"date": 1}\n]', encoding="utf-8"
    )

    _, _, header_failure = _load(no_header)
    _, _, json_failure = _load(broken_json)
    _, _, missing_failure = _load(tmp_path / "missing.csv")

    assert header_failure is not None
    assert "header row with columns date, kind" in str(header_failure)
    assert json_failure is not None
    assert "line 3" in str(json_failure)
    assert missing_failure is not None
    assert "Cannot read file" in str(missing_failure)
    assert not CalendarOverride.objects.exists()


def test_an_excel_csv_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("date,kind,name\r\n09/03/2027,holiday,Nghỉ\r\n".encode("utf-8-sig"))

    _, err, failure = _load(path)

    assert failure is None, err
    assert CalendarOverride.objects.get().day == date(2027, 3, 9)

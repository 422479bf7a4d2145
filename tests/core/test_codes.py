"""Dossier codes ``<agency>-<YYMMDD>-<NNNN>`` (Circular 01/2018 art. 19)."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from django.db import connection, transaction

from congso.core.codes import dossier_code_next, dossier_code_parse
from congso.core.errors import InvalidInput
from congso.core.models import DailySequence

AGENCY = "H15.50.05.13"
DAY = date(2026, 10, 8)


@pytest.mark.django_db
def test_codes_follow_the_circular_format_and_count_up() -> None:
    assert dossier_code_next(agency_code=AGENCY, on=DAY) == "H15.50.05.13-261008-0001"
    assert dossier_code_next(agency_code=AGENCY, on=DAY) == "H15.50.05.13-261008-0002"


@pytest.mark.django_db
def test_a_new_day_restarts_at_0001() -> None:
    dossier_code_next(agency_code=AGENCY, on=DAY)
    dossier_code_next(agency_code=AGENCY, on=DAY)
    assert dossier_code_next(agency_code=AGENCY, on=date(2026, 10, 9)) == "H15.50.05.13-261009-0001"


@pytest.mark.django_db
def test_agencies_have_independent_sequences() -> None:
    dossier_code_next(agency_code=AGENCY, on=DAY)
    dossier_code_next(agency_code=AGENCY, on=DAY)
    assert dossier_code_next(agency_code="000.00.00.H15", on=DAY) == "000.00.00.H15-261008-0001"
    assert dossier_code_next(agency_code=AGENCY, on=DAY) == "H15.50.05.13-261008-0003"


@pytest.mark.django_db
def test_lowercase_agency_codes_share_the_capitalised_sequence() -> None:
    assert dossier_code_next(agency_code="h15.50", on=DAY) == "H15.50-261008-0001"
    assert dossier_code_next(agency_code="H15.50", on=DAY) == "H15.50-261008-0002"


@pytest.mark.django_db
def test_the_number_widens_past_9999_instead_of_failing() -> None:
    DailySequence.objects.create(agency_code=AGENCY, day=DAY, last_value=9999)
    assert dossier_code_next(agency_code=AGENCY, on=DAY) == "H15.50.05.13-261008-10000"


@pytest.mark.django_db
def test_a_rolled_back_submission_gives_its_number_back() -> None:
    @transaction.atomic
    def failing_submission() -> None:
        dossier_code_next(agency_code=AGENCY, on=DAY)
        raise RuntimeError("submission failed")

    with pytest.raises(RuntimeError):
        failing_submission()
    assert dossier_code_next(agency_code=AGENCY, on=DAY) == "H15.50.05.13-261008-0001"


@pytest.mark.parametrize("bad", ["", "H15-50", "H15..50", ".H15", "H15.", "H 15", "Hà15", "H15/50", "A" * 65])
def test_a_malformed_agency_code_is_refused_clearly(bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        dossier_code_next(agency_code=bad, on=DAY)
    assert refused.value.field == "agency_code"
    assert "letters, digits and dots only" in refused.value.message_en
    assert "chỉ gồm chữ cái, chữ số và dấu chấm" in refused.value.message_vi


def test_a_datetime_is_refused_because_its_date_may_be_utc() -> None:
    with pytest.raises(TypeError):
        dossier_code_next(agency_code=AGENCY, on=datetime(2026, 10, 8, 20, 0))


def test_a_code_parses_back_into_its_parts() -> None:
    parsed = dossier_code_parse("H15.50.05.13-261008-0975")
    assert (parsed.agency_code, parsed.on, parsed.number) == ("H15.50.05.13", DAY, 975)
    assert dossier_code_parse("h15-261008-12345").number == 12345
    for bad in ["H15.50.05.13-261308-0975", "H15.50.05.13-261008-97", "261008-0975", "H15 261008 0975"]:
        with pytest.raises(InvalidInput):
            dossier_code_parse(bad)


def _generate_concurrently(threads_count: int, per_thread: int, *, in_transaction: bool) -> list[str]:
    barrier = threading.Barrier(threads_count)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                if in_transaction:
                    with transaction.atomic():
                        code = dossier_code_next(agency_code=AGENCY, on=DAY)
                else:
                    code = dossier_code_next(agency_code=AGENCY, on=DAY)
                with lock:
                    codes.append(code)
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return codes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_get_fifty_consecutive_codes_on_postgresql() -> None:
    codes = _generate_concurrently(50, 1, in_transaction=False)
    assert sorted(codes) == [f"H15.50.05.13-261008-{n:04d}" for n in range(1, 51)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_codes() -> None:
    # Runs on SQLite (and PostgreSQL): writers in transactions, as dossier_submit will be.
    codes = _generate_concurrently(8, 5, in_transaction=True)
    assert sorted(codes) == [f"H15.50.05.13-261008-{n:04d}" for n in range(1, 41)]

"""The hash-chained audit log: recording, tamper detection, transactions, concurrency."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import execute_from_command_line
from django.db import connection, transaction

from congso.core.audit import GENESIS_HASH, AuditEntry, audit_record, audit_verify
from congso.core.models import AuditLogImmutable


def _last_seq() -> int:
    # Other apps may have audited their own setup (post_migrate) before the test starts.
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _tamper_details(seq: int, details: dict[str, object]) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditentry SET details = {cast} WHERE seq = %s", [json.dumps(details), seq]
        )


def _record_some(count: int) -> list[AuditEntry]:
    return [
        audit_record(action="test.thing.update", target_type="test.thing", target_id=str(i), details={"i": i})
        for i in range(count)
    ]


@pytest.mark.django_db
def test_a_chain_of_entries_links_and_verifies() -> None:
    base = _last_seq()
    entries = _record_some(4)

    assert [e.seq for e in entries] == [base + 1, base + 2, base + 3, base + 4]
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    if base == 0:
        assert entries[0].prev_hash == GENESIS_HASH
    result = audit_verify()
    assert result.ok, result.message
    assert result.count == base + 4
    assert result.message == f"OK: {base + 4} entries"


@pytest.mark.django_db
def test_the_hash_covers_a_documented_canonical_encoding() -> None:
    entry = audit_record(
        action="test.thing.create", target_type="test.thing", target_id="7", details={"b": 1}
    )
    stored = AuditEntry.objects.get(seq=entry.seq)

    canonical = json.dumps(
        {
            "action": "test.thing.create",
            "actor_id": "",
            "actor_label": "system",
            "at": stored.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "details": {"b": 1},
            "prev_hash": stored.prev_hash,
            "seq": stored.seq,
            "target_id": "7",
            "target_type": "test.thing",
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    # An outside auditor can recompute the hash from the row with nothing but this recipe.
    assert stored.hash == hashlib.sha256(canonical).hexdigest()


@pytest.mark.django_db
def test_details_hash_the_same_after_a_round_trip_through_the_database() -> None:
    entry = audit_record(
        action="test.thing.create",
        details={
            "tên": "Nguyễn Thị Ánh",
            "lat": 10.762622,
            "huge": 1e100,  # jsonb would rewrite this number; the log must not cry tamper
            "fee": Decimal("1250000"),
            "on": date(2027, 2, 6),
            "codes": ("a", "b"),
            3: "int key",
        },
    )
    stored = AuditEntry.objects.get(seq=entry.seq)

    assert stored.details == {
        "tên": "Nguyễn Thị Ánh",
        "lat": "10.762622",
        "huge": "1e+100",
        "fee": "1250000",
        "on": "2027-02-06",
        "codes": ["a", "b"],
        "3": "int key",
    }
    assert stored.compute_hash() == stored.hash
    assert audit_verify().ok


@pytest.mark.django_db
def test_actor_and_target_are_recorded() -> None:
    user = get_user_model().objects.create_user(
        username="079099000123", password="x" * 12, full_name="Nguyễn Văn An"
    )

    by_user = audit_record(actor=user, action="identity.user.update", target=user)
    by_system = audit_record(action="core.job.run")
    by_visitor = audit_record(actor=AnonymousUser(), action="web.form.submit")

    assert (by_user.actor_id, by_user.actor_label) == (str(user.pk), "Nguyễn Văn An (079099000123)")
    assert (by_user.target_type, by_user.target_id) == ("identity.user", str(user.pk))
    assert (by_system.actor_id, by_system.actor_label) == ("", "system")
    assert (by_visitor.actor_id, by_visitor.actor_label) == ("", "anonymous")
    assert by_user.at.tzinfo is not None
    assert by_user.at.utcoffset() == UTC.utcoffset(None)
    with pytest.raises(ValueError, match="action"):
        audit_record(action="not an action")
    with pytest.raises(ValueError, match="primary key"):
        audit_record(action="identity.user.create", target=get_user_model()(username="x"))


@pytest.mark.django_db
def test_changed_details_are_detected_at_that_entry() -> None:
    entries = _record_some(5)
    target = entries[2]

    _tamper_details(target.seq, {"i": 999})

    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == target.seq
    assert result.reason == "hash_mismatch"
    assert f"seq {target.seq}" in result.message


@pytest.mark.django_db
def test_a_forger_who_recomputes_the_hash_breaks_the_next_link() -> None:
    entries = _record_some(5)
    target = entries[2]
    _tamper_details(target.seq, {"i": 999})
    forged = AuditEntry.objects.get(seq=target.seq)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET hash = %s WHERE seq = %s", [forged.compute_hash(), target.seq]
        )

    result = audit_verify()

    assert (result.broken_seq, result.reason) == (target.seq + 1, "prev_hash_mismatch")


@pytest.mark.django_db
def test_a_deleted_middle_entry_is_detected() -> None:
    entries = _record_some(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [entries[2].seq])

    result = audit_verify()

    assert not result.ok
    assert (result.broken_seq, result.reason) == (entries[3].seq, "seq_gap")
    assert f"entries {entries[2].seq} are missing" in result.message_en


@pytest.mark.django_db
def test_entries_cut_off_the_end_are_detected() -> None:
    entries = _record_some(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [entries[-1].seq])

    result = audit_verify()

    assert (result.broken_seq, result.reason) == (entries[-1].seq, "seq_gap")
    assert "removed from the end" in result.message_en


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_entries() -> None:
    entry = _record_some(1)[0]
    entry.details = {"i": 42}

    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=entry.seq).update(details={})
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=entry.seq).delete()
    assert AuditEntry.objects.get(seq=entry.seq).details == {"i": 0}
    assert audit_verify().ok


@pytest.mark.django_db
def test_an_entry_rolls_back_with_the_change_it_records() -> None:
    base = _last_seq()

    @transaction.atomic
    def failing_change() -> None:
        audit_record(action="test.thing.create", target_type="test.thing", target_id="1")
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert _last_seq() == base

    # A savepoint rolled back inside a transaction that commits: only the kept entry stays,
    # and the chain continues without a hole.
    with transaction.atomic():
        try:
            with transaction.atomic():
                audit_record(action="test.thing.create", target_type="test.thing", target_id="2")
                raise RuntimeError("inner failure")
        except RuntimeError:
            pass
        kept = audit_record(action="test.thing.create", target_type="test.thing", target_id="3")
    assert kept.seq == base + 1
    assert list(AuditEntry.objects.filter(seq__gt=base).values_list("target_id", flat=True)) == ["3"]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_linear_chain() -> None:
    threads_count, per_thread = 8, 6
    base = _last_seq()
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(
                        action="test.thing.update", target_type="test.thing", target_id=f"{n}-{i}", details={}
                    )
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    total = threads_count * per_thread
    seqs = list(AuditEntry.objects.filter(seq__gt=base).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(base + 1, base + total + 1))
    assert AuditEntry.objects.filter(seq__gt=base).values("target_id").distinct().count() == total
    result = audit_verify()
    assert result.ok, result.message
    assert result.count == base + total


@pytest.mark.django_db(transaction=True)
def test_audit_verify_command_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    entries = _record_some(3)
    count = _last_seq()

    execute_from_command_line(["manage.py", "audit_verify"])  # returns normally: exit code 0
    assert f"OK: {count} entries" in capsys.readouterr().out

    _tamper_details(entries[1].seq, {"i": "forged"})
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"Audit chain broken at seq {entries[1].seq}" in err
    assert f"Chuỗi nhật ký hỏng tại số {entries[1].seq}" in err


@pytest.mark.django_db
def test_timestamps_never_run_backwards_along_the_chain() -> None:
    entries = _record_some(5)
    stored = list(AuditEntry.objects.filter(seq__gte=entries[0].seq).order_by("seq"))
    assert all(a.at <= b.at for a, b in itertools.pairwise(stored))
    assert all(isinstance(e.at, datetime) for e in stored)

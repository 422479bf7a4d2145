"""The message log: every call through the exchange, append-only, hash-chained, signed.

Appends are serialised as core's audit chain serialises them (``core/audit.py``, ADR 0002):
by the row lock on the single :class:`MessageLogHead` row on PostgreSQL, by ``BEGIN
IMMEDIATE`` on SQLite. Two differences, because this log takes a write per call on the
gateway's hot path: each append is its own short transaction, run after the provider has
answered (never across a call to a provider); and on PostgreSQL it is one statement, an
``UPDATE`` of the head that computes the chain hash with ``sha256()`` feeding an ``INSERT``
of the entry, so the lock is held for that statement and its commit only. The content hash
(which covers everything but the entry's place in the log) is computed in Python before.

Every ``CONGSO_EXCHANGE_CHECKPOINT_EVERY`` entries, or when the last checkpoint is older than
``CONGSO_EXCHANGE_CHECKPOINT_SECONDS``, the appender that notices signs the head (seq, hash,
time) with the gateway's Ed25519 key; :func:`log_checkpoint_now` signs on demand. Bodies
are never stored: only their sizes and SHA-256.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from .conf import setting
from .evidence import (
    BUNDLE_FORMAT,
    ENTRY_FIELDS,
    GENESIS_HASH,
    chain_hash,
    checkpoint_message,
    content_hash,
    document_sign,
    entry_values,
    signature_valid,
    timestamp,
)
from .keys import gateway_key_publish, gateway_signing_key, trusted_log_keys
from .models import MessageLogCheckpoint, MessageLogEntry, MessageLogHead

_HEAD_ID = 1


@dataclass
class LogRecord:
    """One call, as the gateway describes it to the log (everything but seq and hashes)."""

    message_id: str
    correlation_id: str
    client: str
    service: str
    service_version: str
    transport: str
    method: str
    path: str
    data_subject: str
    purpose: str
    dossier_ref: str
    user_id: str
    basis: str
    requested_at: datetime
    responded_at: datetime
    status: int
    error_code: str
    request_size: int
    response_size: int
    request_hash: str
    response_hash: str


_RECORD_FIELDS = tuple(field.name for field in fields(LogRecord))
assert _RECORD_FIELDS == ENTRY_FIELDS, "LogRecord and ENTRY_FIELDS must list the same fields"
_LIMITS = {
    "path": 1000,
    "user_id": 100,
    "basis": 300,
    "correlation_id": 128,
    "purpose": 64,
    "dossier_ref": 64,
}


def _lock_head() -> MessageLogHead:
    head = MessageLogHead.objects.select_for_update().filter(pk=_HEAD_ID).first()
    if head is None:
        # First append ever (or after a test flush): start from whatever the table holds.
        last = MessageLogEntry.objects.order_by("-seq").values_list("seq", "hash", "prev_hash").first()
        last_seq, last_hash, prev_hash = last if last is not None else (0, GENESIS_HASH, GENESIS_HASH)
        checkpoint = MessageLogCheckpoint.objects.order_by("-seq").values_list("seq", "at").first()
        MessageLogHead.objects.bulk_create(
            [
                MessageLogHead(
                    id=_HEAD_ID,
                    last_seq=last_seq,
                    last_hash=last_hash,
                    prev_hash=prev_hash,
                    checkpoint_seq=checkpoint[0] if checkpoint else 0,
                    checkpoint_at=checkpoint[1] if checkpoint else None,
                )
            ],
            ignore_conflicts=True,
        )
        head = MessageLogHead.objects.select_for_update().get(pk=_HEAD_ID)
    return head


def _values(record: LogRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _RECORD_FIELDS}
    for name, limit in _LIMITS.items():
        values[name] = values[name][:limit]
    return values


def _checkpoint_due(
    last_seq: int, checkpoint_seq: int, checkpoint_at: datetime | None, now: datetime
) -> bool:
    if last_seq - checkpoint_seq >= setting("CONGSO_EXCHANGE_CHECKPOINT_EVERY"):
        return True
    age = timedelta(seconds=setting("CONGSO_EXCHANGE_CHECKPOINT_SECONDS"))
    return checkpoint_at is None or now - checkpoint_at >= age


def _checkpoint(head: MessageLogHead, *, at: datetime) -> MessageLogCheckpoint:
    key = gateway_key_publish()
    instance = setting("CONGSO_EXCHANGE_INSTANCE")
    message = checkpoint_message(
        instance=instance, seq=head.last_seq, hash=head.last_hash, at=timestamp(at), key_id=key.key_id
    )
    checkpoint = MessageLogCheckpoint.objects.create(
        seq=head.last_seq,
        instance=instance,
        hash=head.last_hash,
        at=at,
        key_id=key.key_id,
        signature=key.sign(message),
    )
    head.checkpoint_seq, head.checkpoint_at = head.last_seq, at
    return checkpoint


@functools.cache
def _postgres_append_sql() -> str:
    """One statement that takes the head's row lock, chains, and inserts (PostgreSQL).

    The UPDATE locks the head row until commit; a concurrent appender waits on it and then
    re-reads the new head (READ COMMITTED re-evaluates the row), so the chain never forks. In
    autocommit the lock is held for this statement and its commit only.
    """
    quote = connection.ops.quote_name
    head = quote(MessageLogHead._meta.db_table)
    entry = quote(MessageLogEntry._meta.db_table)
    columns = ", ".join(quote(name) for name in ("seq", "prev_hash", "hash", *ENTRY_FIELDS))
    placeholders = ", ".join(["%s"] * len(ENTRY_FIELDS))
    return (
        f"WITH head AS (UPDATE {head} SET prev_hash = last_hash, last_seq = last_seq + 1, "  # noqa: S608 - names from model meta
        "last_hash = encode(sha256(convert_to(last_hash || ':' || (last_seq + 1)::text || ':' || %s, 'UTF8')), 'hex') "
        "WHERE id = 1 RETURNING last_seq, prev_hash, last_hash, checkpoint_seq, checkpoint_at) "
        f"INSERT INTO {entry} ({columns}) SELECT head.last_seq, head.prev_hash, head.last_hash, {placeholders} FROM head "
        "RETURNING seq, (SELECT checkpoint_seq FROM head), (SELECT checkpoint_at FROM head)"
    )


def _append_postgres(values: dict[str, Any], content: str) -> tuple[int, int, datetime | None] | None:
    with connection.cursor() as cursor:
        cursor.execute(_postgres_append_sql(), [content, *(values[name] for name in ENTRY_FIELDS)])
        row = cursor.fetchone()
    return (int(row[0]), int(row[1]), row[2]) if row else None


def _append_locked(values: dict[str, Any], content: str) -> tuple[int, int, datetime | None]:
    # SQLite: the transaction starts with BEGIN IMMEDIATE (settings), which serialises appenders.
    with transaction.atomic():
        head = _lock_head()
        seq = head.last_seq + 1
        entry = MessageLogEntry(
            seq=seq, prev_hash=head.last_hash, hash=chain_hash(head.last_hash, seq, content), **values
        )
        entry.save()
        head.prev_hash, head.last_seq, head.last_hash = head.last_hash, seq, entry.hash
        head.save(update_fields=["prev_hash", "last_seq", "last_hash"])
        return seq, head.checkpoint_seq, head.checkpoint_at


def log_append(record: LogRecord) -> int:
    """Append one call to the log; return its ``seq``. Signs a checkpoint when one is due."""
    values = _values(record)
    content = content_hash(entry_values(values))
    appended = _append_postgres(values, content) if connection.vendor == "postgresql" else None
    if appended is None:
        # Not PostgreSQL, or no head row yet (the first append creates it).
        appended = _append_locked(values, content)
    seq, checkpoint_seq, checkpoint_at = appended
    if _checkpoint_due(seq, checkpoint_seq, checkpoint_at, timezone.now()):
        log_checkpoint_now(only_if_due=True)
    return seq


def log_append_many(records: Iterable[LogRecord], *, batch_size: int = 5000) -> int:
    """Append many calls at once (imports from another gateway's archive, benchmarks).

    One lock for the whole run; checkpoints every ``CONGSO_EXCHANGE_CHECKPOINT_EVERY``
    entries as single appends would make them.
    """
    count = 0
    with transaction.atomic():
        head = _lock_head()
        batch: list[MessageLogEntry] = []
        every = setting("CONGSO_EXCHANGE_CHECKPOINT_EVERY")
        for record in records:
            values = _values(record)
            seq = head.last_seq + 1
            entry_hash = chain_hash(head.last_hash, seq, content_hash(entry_values(values)))
            batch.append(MessageLogEntry(seq=seq, prev_hash=head.last_hash, hash=entry_hash, **values))
            head.prev_hash, head.last_seq, head.last_hash = head.last_hash, seq, entry_hash
            count += 1
            if len(batch) >= batch_size or head.last_seq - head.checkpoint_seq >= every:
                MessageLogEntry.objects.bulk_create(batch)
                batch = []
                if head.last_seq - head.checkpoint_seq >= every:
                    _checkpoint(head, at=timezone.now())
        if batch:
            MessageLogEntry.objects.bulk_create(batch)
        head.save()
    return count


def log_checkpoint_now(*, only_if_due: bool = False) -> MessageLogCheckpoint | None:
    """Sign the current head now (None while the log is empty); reuses one already at the head.

    With ``only_if_due`` (after an append), signs only if a checkpoint is still due once the
    lock is held: of several appenders that saw it due, one signs.
    """
    with transaction.atomic():
        head = _lock_head()
        if head.last_seq == 0:
            return None
        now = timezone.now()
        if only_if_due and not _checkpoint_due(head.last_seq, head.checkpoint_seq, head.checkpoint_at, now):
            return None
        existing = MessageLogCheckpoint.objects.filter(seq=head.last_seq).first()
        if existing is not None:
            return existing
        checkpoint = _checkpoint(head, at=now)
        head.save(update_fields=["checkpoint_seq", "checkpoint_at"])
    return checkpoint


# --- Verification ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LogVerification:
    """The outcome of :func:`log_verify`; ``reason`` names the first problem found.

    Reasons: ``seq_gap``, ``prev_hash_mismatch``, ``hash_mismatch`` (an entry was altered),
    ``checkpoint_mismatch`` (a checkpoint names another hash than the entry's),
    ``bad_signature``, ``unknown_key`` (signed by a key not trusted), ``checkpoint_orphan``
    (a checkpoint beyond the last entry: entries removed), ``head_mismatch``.
    """

    ok: bool
    count: int
    checkpoints: int
    broken_seq: int | None = None
    reason: str | None = None
    message_vi: str = ""
    message_en: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return (
                f"OK: {self.count} mục, {self.checkpoints} điểm kiểm tra có chữ ký hợp lệ / "
                f"{self.count} entries, {self.checkpoints} signed checkpoints valid"
            )
        return f"{self.message_vi} / {self.message_en}"


def _broken(count: int, checkpoints: int, seq: int, reason: str, vi: str, en: str) -> LogVerification:
    return LogVerification(
        ok=False,
        count=count,
        checkpoints=checkpoints,
        broken_seq=seq,
        reason=reason,
        message_vi=f"Nhật ký thông điệp hỏng tại số {seq}: {vi}",
        message_en=f"Message log broken at seq {seq}: {en}",
    )


_TIME_FIELDS = ("requested_at", "responded_at")


@functools.cache
def _postgres_page_sql() -> str:
    """A page of entries with the times already in the log's text form (timestamp()).

    Formatting in PostgreSQL spares parsing each timestamptz into a datetime and formatting
    it back, which is most of a verifier's time in Python.
    """
    quote = connection.ops.quote_name
    columns = []
    for name in ("seq", *ENTRY_FIELDS, "prev_hash", "hash"):
        if name in _TIME_FIELDS:
            columns.append(
                f"to_char({quote(name)} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
            )
        else:
            columns.append(quote(name))
    table = quote(MessageLogEntry._meta.db_table)
    return f"SELECT {', '.join(columns)} FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s"  # noqa: S608


def _page(last: int, batch: int) -> list[tuple[Any, ...]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_postgres_page_sql(), [last, batch])
            return cursor.fetchall()
    columns = ("seq", *ENTRY_FIELDS, "prev_hash", "hash")
    time_indexes = [columns.index(name) for name in _TIME_FIELDS]
    page = []
    for values in MessageLogEntry.objects.filter(seq__gt=last).order_by("seq").values_list(*columns)[:batch]:
        row = list(values)
        for index in time_indexes:
            row[index] = timestamp(row[index])
        page.append(tuple(row))
    return page


def _page_in_thread(last: int, batch: int) -> list[tuple[Any, ...]]:
    try:
        return _page(last, batch)
    finally:
        connections.close_all()  # this thread's own connections


def _rows(batch: int) -> Iterator[tuple[Any, ...]]:
    """Every entry in ``seq`` order, times as text; keyset pages keep memory flat.

    Outside a transaction the next page is read on a second connection while this one is
    being hashed, so the database's work and Python's overlap (another connection would not
    see a transaction's own rows, so inside one the pages are read in turn).
    """
    if connection.in_atomic_block:
        last = 0
        while page := _page(last, batch):
            yield from page
            last = page[-1][0]
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-verify") as reader:
        page = _page(0, batch)
        while page:
            following = reader.submit(_page_in_thread, page[-1][0], batch)
            yield from page
            page = following.result()


def log_verify(*, batch: int = 10000) -> LogVerification:
    """Walk the whole log: chain, hashes, and every checkpoint's signature with a trusted key."""
    head = MessageLogHead.objects.filter(pk=_HEAD_ID).first()
    trusted = trusted_log_keys()
    checkpoints = {cp.seq: cp for cp in MessageLogCheckpoint.objects.order_by("seq")}
    field_count = len(ENTRY_FIELDS)
    expected_seq, expected_prev = 1, GENESIS_HASH
    count = signed = 0
    hash_at_head: str | None = None
    for row in _rows(batch):
        seq = row[0]
        if seq != expected_seq:
            return _broken(
                count,
                signed,
                seq,
                "seq_gap",
                f"thiếu mục {expected_seq}..{seq - 1} ngay trước mục này",
                f"entries {expected_seq}..{seq - 1} are missing before this one",
            )
        prev_hash, stored_hash = row[field_count + 1], row[field_count + 2]
        if prev_hash != expected_prev:
            return _broken(
                count,
                signed,
                seq,
                "prev_hash_mismatch",
                "mã băm trước không khớp mục liền trước",
                "prev_hash does not match the previous entry's hash",
            )
        if chain_hash(prev_hash, seq, content_hash(row[1 : field_count + 1])) != stored_hash:
            return _broken(
                count,
                signed,
                seq,
                "hash_mismatch",
                "nội dung mục không khớp mã băm (đã bị sửa)",
                "the entry's content does not match its hash (altered)",
            )
        checkpoint = checkpoints.pop(seq, None)
        if checkpoint is not None:
            problem = _checkpoint_problem(checkpoint, stored_hash, trusted)
            if problem is not None:
                return _broken(count, signed, seq, *problem)
            signed += 1
        if head is not None and seq == head.last_seq:
            hash_at_head = stored_hash
        expected_prev, expected_seq = stored_hash, seq + 1
        count += 1
    if checkpoints:
        orphan = min(checkpoints)
        return _broken(
            count,
            signed,
            orphan,
            "checkpoint_orphan",
            f"có điểm kiểm tra ở số {orphan} nhưng nhật ký dừng ở {count} (mục cuối bị xoá)",
            f"a checkpoint is at {orphan} but the log ends at {count} (entries removed from the end)",
        )
    if head is not None and head.last_seq > 0:
        if head.last_seq > count:
            return _broken(
                count,
                signed,
                count + 1,
                "seq_gap",
                f"đầu nhật ký ghi số cuối là {head.last_seq} nhưng nhật ký dừng ở {count}",
                f"the head says the last entry is {head.last_seq} but the log ends at {count}",
            )
        if hash_at_head != head.last_hash:
            return _broken(
                count,
                signed,
                head.last_seq,
                "head_mismatch",
                "mã băm của mục không khớp đầu nhật ký",
                "the entry's hash does not match the log head",
            )
    return LogVerification(ok=True, count=count, checkpoints=signed)


def _checkpoint_problem(
    checkpoint: MessageLogCheckpoint, entry_hash: str, trusted: dict[str, str]
) -> tuple[str, str, str] | None:
    if checkpoint.hash != entry_hash:
        return (
            "checkpoint_mismatch",
            "điểm kiểm tra ghi mã băm khác mã băm của mục",
            "the checkpoint names another hash than the entry's",
        )
    public_b64 = trusted.get(checkpoint.key_id)
    if public_b64 is None:
        return (
            "unknown_key",
            f"điểm kiểm tra được ký bằng khoá {checkpoint.key_id} không được tin cậy",
            f"the checkpoint is signed with key {checkpoint.key_id}, which is not trusted",
        )
    message = checkpoint_message(
        instance=checkpoint.instance,
        seq=checkpoint.seq,
        hash=checkpoint.hash,
        at=timestamp(checkpoint.at),
        key_id=checkpoint.key_id,
    )
    if not signature_valid(public_b64, message, checkpoint.signature):
        return (
            "bad_signature",
            "chữ ký của điểm kiểm tra không hợp lệ",
            "the checkpoint's signature is invalid",
        )
    return None


# --- Evidence ---------------------------------------------------------------------------------
def _plain(entry: MessageLogEntry) -> dict[str, Any]:
    values = {"seq": entry.seq, **{name: getattr(entry, name) for name in ENTRY_FIELDS}}
    values["requested_at"] = timestamp(entry.requested_at)
    values["responded_at"] = timestamp(entry.responded_at)
    return values


def log_bundle_export(*, message_id: str) -> dict[str, Any]:
    """The signed evidence of one call, verifiable offline (:func:`evidence.bundle_verify`).

    Holds the call's entry, the content hashes (only) of the entries up to the first
    checkpoint after it (signing one now if there is none yet), the checkpoint and the key.
    """
    entry = MessageLogEntry.objects.get(message_id=message_id)
    checkpoint = MessageLogCheckpoint.objects.filter(seq__gte=entry.seq).order_by("seq").first()
    if checkpoint is None:
        checkpoint = log_checkpoint_now()
    assert checkpoint is not None  # the log holds at least this entry
    between = MessageLogEntry.objects.filter(seq__gt=entry.seq, seq__lte=checkpoint.seq).order_by("seq")
    following = [content_hash(entry_values(_plain(row))) for row in between.iterator()]
    key = gateway_signing_key()
    checkpoint_document: dict[str, Any] = {
        "instance": checkpoint.instance,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": timestamp(checkpoint.at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
    if checkpoint.key_id != key.key_id:
        checkpoint_document["public_key"] = trusted_log_keys().get(checkpoint.key_id, "")
    bundle = {
        "format": BUNDLE_FORMAT,
        "instance": setting("CONGSO_EXCHANGE_INSTANCE"),
        "exported_at": timestamp(timezone.now()),
        "entry": _plain(entry),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.hash,
        "following": following,
        "checkpoint": checkpoint_document,
    }
    return document_sign(bundle, key.private)

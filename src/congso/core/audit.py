"""The audit log: append-only entries chained with SHA-256 (ADR 0002).

Every write in the platform records who did what to which object with :func:`audit_record`,
inside the transaction of the change, so the entry exists if and only if the change does.
Each entry's hash covers a canonical encoding of its fields and the previous entry's hash
(see :meth:`AuditEntry.canonical_bytes`); :func:`audit_verify` walks the chain and names the
first broken link.

Appends are serialised so the chain never forks:

* PostgreSQL: ``SELECT ... FOR UPDATE`` on the single :class:`AuditChainHead` row. We chose a
  row lock over ``pg_advisory_xact_lock`` because the head row is needed anyway (it gives the
  last hash in one primary-key read and lets the verifier detect a truncated tail), the lock
  is visible in ``pg_locks`` against a named table rather than a magic number shared with
  every other advisory-lock user, and the same ORM code runs on SQLite, where
  ``select_for_update`` is a no-op.
* SQLite: settings open every transaction with ``BEGIN IMMEDIATE``, so a writer holds the
  database's write lock from its first statement; two appenders queue.

Either way the lock is held until the *caller's* transaction ends: audit late in a long
transaction. ``seq`` is the primary key, so a fork would fail loudly on insert.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from congso.core.models import GENESIS_HASH, AuditChainHead, AuditEntry

__all__ = ["GENESIS_HASH", "AuditEntry", "AuditVerification", "audit_record", "audit_verify"]

_HEAD_ID = 1


def _normalise(value: Any) -> Any:
    """The JSON value that will read back identically from any database.

    PostgreSQL's jsonb rewrites numbers (1e100 comes back as a 101-digit integer, -0.0 as
    0.0), which would break the hash after a round trip; floats are therefore kept as their
    shortest repr string. Dates, decimals and UUIDs become strings via DjangoJSONEncoder.
    """
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def _clean_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    if not details:
        return {}
    # One trip through JSON turns tuples into lists, non-string keys into strings, dates into
    # ISO strings, exactly as the JSONField would store them.
    plain = json.loads(json.dumps(dict(details), cls=DjangoJSONEncoder))
    result: dict[str, Any] = _normalise(plain)
    return result


def _actor_fields(actor: Any) -> tuple[str, str]:
    if actor is None:
        return "", "system"
    if not getattr(actor, "is_authenticated", False):
        return "", "anonymous"
    username = str(actor.get_username())
    name = str(actor)
    label = username if name in {"", username} else f"{name} ({username})"
    return str(actor.pk), label[:200]


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=_HEAD_ID).first()
    if head is None:
        # First append ever (or after a test flush): start the head from whatever the table
        # holds. ignore_conflicts: a concurrent first appender may create it at the same time.
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        last_seq, last_hash = last if last is not None else (0, GENESIS_HASH)
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(id=_HEAD_ID, last_seq=last_seq, last_hash=last_hash)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=_HEAD_ID)
    return head


def audit_record(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain inside the caller's transaction.

    ``actor`` is the user who acted, or None for the system. ``action`` names what happened,
    ``<app>.<entity>.<verb>`` (e.g. ``registry.citizen.create``). ``target`` is the saved
    object acted upon; ``target_type``/``target_id`` name it when there is no model instance
    (and win over what ``target`` would give). ``details`` must be JSON-serialisable
    (DjangoJSONEncoder types allowed); floats are stored as strings.
    """
    if not action or len(action) > 100 or any(char.isspace() for char in action):
        raise ValueError(f"action must be a non-empty dotted name without spaces, got {action!r}")
    if target is not None:
        if target.pk is None:
            raise ValueError("audit a target after saving it: it has no primary key yet")
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if len(target_type) > 100 or len(target_id) > 100:
        raise ValueError("target_type and target_id are limited to 100 characters")
    actor_id, actor_label = _actor_fields(actor)
    clean_details = _clean_details(details)

    # atomic() nests as a savepoint: the entry commits or rolls back with the caller's change.
    with transaction.atomic():
        head = _lock_head()
        entry = AuditEntry(
            seq=head.last_seq + 1,
            # Taken under the lock, so timestamps never run backwards along the chain.
            at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=clean_details,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class AuditVerification:
    """The outcome of :func:`audit_verify`.

    ``reason`` is one of ``hash_mismatch`` (the entry's content no longer matches its
    hash), ``prev_hash_mismatch`` (the entry does not point at its predecessor), ``seq_gap``
    (entries are missing before ``broken_seq``, including at the end of the chain) or
    ``head_mismatch`` (the chain head names a different last hash).
    """

    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str | None = None
    message_vi: str = ""
    message_en: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"OK: {self.count} entries"
        return f"{self.message_vi} / {self.message_en}"


def _broken(count: int, seq: int, reason: str, vi: str, en: str) -> AuditVerification:
    return AuditVerification(
        ok=False,
        count=count,
        broken_seq=seq,
        reason=reason,
        message_vi=f"Chuỗi nhật ký hỏng tại số {seq}: {vi}",
        message_en=f"Audit chain broken at seq {seq}: {en}",
    )


def audit_verify(*, chunk_size: int = 2000) -> AuditVerification:
    """Walk the whole chain in ``seq`` order and report the first broken link.

    Streams with ``.iterator()`` so memory stays flat for millions of entries. Entries
    appended while the walk runs are simply not reached or verified as they come.
    """
    # Read before the walk: whatever the head names was committed before the walk started,
    # so the walk must reach it.
    head = AuditChainHead.objects.filter(pk=_HEAD_ID).first()
    expected_seq = 1
    expected_prev = GENESIS_HASH
    hash_at_head: str | None = None
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            missing = (
                f"{expected_seq}" if entry.seq == expected_seq + 1 else f"{expected_seq}..{entry.seq - 1}"
            )
            return _broken(
                count,
                entry.seq,
                "seq_gap",
                f"thiếu mục số {missing} ngay trước mục này",
                f"entries {missing} are missing before this one",
            )
        if entry.prev_hash != expected_prev:
            return _broken(
                count,
                entry.seq,
                "prev_hash_mismatch",
                "mã băm trước không khớp mục liền trước",
                "prev_hash does not match the previous entry's hash",
            )
        if entry.compute_hash() != entry.hash:
            return _broken(
                count,
                entry.seq,
                "hash_mismatch",
                "nội dung mục không khớp mã băm của nó (đã bị sửa)",
                "the entry's content does not match its hash (altered)",
            )
        if head is not None and entry.seq == head.last_seq:
            hash_at_head = entry.hash
        expected_prev = entry.hash
        expected_seq += 1
        count += 1
    if head is not None and head.last_seq > 0:
        if head.last_seq > count:
            return _broken(
                count,
                count + 1,
                "seq_gap",
                f"đầu chuỗi ghi số cuối là {head.last_seq} nhưng chuỗi dừng ở {count} (mục cuối bị xoá)",
                f"the chain head says the last entry is {head.last_seq} but the chain ends at {count}"
                " (entries removed from the end)",
            )
        if hash_at_head != head.last_hash:
            return _broken(
                count,
                head.last_seq,
                "head_mismatch",
                "mã băm của mục không khớp đầu chuỗi",
                "the entry's hash does not match the chain head",
            )
    return AuditVerification(ok=True, count=count)

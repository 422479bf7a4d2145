"""Operational monitoring: calls, errors and latency per service and client; metadata only.

The gateway counts each call in memory (no query on the hot path); every
``CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS`` the counts are added to the hourly
:class:`ServiceMetric` rows with one UPDATE per (client, service), so every process of every
node adds into the same table. The admin's monitoring page and ``/metrics`` (Prometheus text
format) read the table; p50/p95 are estimated from the histogram buckets as Prometheus's
``histogram_quantile`` does.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .conf import setting
from .models import BUCKET_FIELDS, LATENCY_BUCKETS, MessageLogHead, ServiceMetric

log = structlog.get_logger(__name__)

_SLOTS = 3 + len(BUCKET_FIELDS)  # count, errors, duration_sum_us, buckets...
_lock = threading.Lock()
_pending: dict[tuple[str, str], list[int]] = {}
_last_flush = [time.monotonic()]


def metrics_observe(*, client: str, service: str, seconds: float, error: bool) -> None:
    """Count one call in this process; flush to the database when the interval has passed."""
    bucket = bisect.bisect_left(LATENCY_BUCKETS, seconds)
    with _lock:
        slot = _pending.get((client, service))
        if slot is None:
            slot = _pending[(client, service)] = [0] * _SLOTS
        slot[0] += 1
        slot[1] += int(error)
        slot[2] += int(seconds * 1_000_000)
        slot[3 + bucket] += 1
        due = time.monotonic() - _last_flush[0] >= float(setting("CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS"))
    if due:
        metrics_flush()


def _take() -> dict[tuple[str, str], list[int]]:
    with _lock:
        taken = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    return taken


def _put_back(taken: dict[tuple[str, str], list[int]]) -> None:
    with _lock:
        for key, values in taken.items():
            slot = _pending.setdefault(key, [0] * _SLOTS)
            for index, value in enumerate(values):
                slot[index] += value


def metrics_flush() -> None:
    """Add this process's pending counts to the current hour's rows."""
    taken = _take()
    if not taken:
        return
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    try:
        for key, values in list(taken.items()):
            _add(hour, key, values)
            del taken[key]
    except Exception:
        log.exception("exchange.metrics_flush_failed")
        _put_back(taken)


def _add(hour: datetime, key: tuple[str, str], values: list[int]) -> None:
    client, service = key
    increments = {
        "count": F("count") + values[0],
        "errors": F("errors") + values[1],
        "duration_sum_us": F("duration_sum_us") + values[2],
    }
    for name, value in zip(BUCKET_FIELDS, values[3:], strict=True):
        if value:
            increments[name] = F(name) + value
    with transaction.atomic():
        rows = ServiceMetric.objects.filter(hour=hour, client=client, service=service)
        if rows.update(**increments):
            return
        try:
            with transaction.atomic():
                ServiceMetric.objects.create(
                    hour=hour,
                    client=client,
                    service=service,
                    count=values[0],
                    errors=values[1],
                    duration_sum_us=values[2],
                    **dict(zip(BUCKET_FIELDS, values[3:], strict=True)),
                )
        except IntegrityError:
            # Another process created the row first: add to it.
            rows.update(**increments)


def metrics_reset() -> None:
    """Drop this process's pending counts (tests)."""
    _take()


# --- Reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceStats:
    client: str
    service: str
    count: int
    errors: int
    duration_sum_us: int
    buckets: tuple[int, ...]

    @property
    def mean_ms(self) -> float:
        return self.duration_sum_us / self.count / 1000 if self.count else 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    def quantile(self, q: float) -> float:
        """Estimated latency (seconds) below which ``q`` of the calls fell."""
        return histogram_quantile(q, self.buckets)

    @property
    def p50_ms(self) -> float:
        return self.quantile(0.5) * 1000

    @property
    def p95_ms(self) -> float:
        return self.quantile(0.95) * 1000


def histogram_quantile(q: float, buckets: Sequence[int]) -> float:
    """Linear interpolation inside the bucket holding the q-th call (Prometheus' method)."""
    total = sum(buckets)
    if not total:
        return 0.0
    rank = q * total
    cumulative = 0
    for index, count in enumerate(buckets):
        if cumulative + count >= rank and count:
            lower = LATENCY_BUCKETS[index - 1] if index > 0 else 0.0
            if index >= len(LATENCY_BUCKETS):
                return LATENCY_BUCKETS[-1]
            upper = LATENCY_BUCKETS[index]
            return lower + (upper - lower) * (rank - cumulative) / count
        cumulative += count
    return LATENCY_BUCKETS[-1]


def service_stats(*, since: datetime | None = None) -> list[ServiceStats]:
    """Totals per (service, client), from ``since`` (an hour boundary is enough) or ever."""
    rows = ServiceMetric.objects.all()
    if since is not None:
        rows = rows.filter(hour__gte=since.replace(minute=0, second=0, microsecond=0))
    sums = {name: Sum(name) for name in ("count", "errors", "duration_sum_us", *BUCKET_FIELDS)}
    grouped: list[dict[str, Any]] = [
        dict(row) for row in rows.values("client", "service").annotate(**sums).order_by("service", "client")
    ]
    return [
        ServiceStats(
            client=row["client"],
            service=row["service"],
            count=row["count"] or 0,
            errors=row["errors"] or 0,
            duration_sum_us=row["duration_sum_us"] or 0,
            buckets=tuple(row[name] or 0 for name in BUCKET_FIELDS),
        )
        for row in grouped
    ]


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def prometheus_text() -> str:
    """Every counter since the log began, in the Prometheus text exposition format 0.0.4."""
    metrics_flush()
    stats = service_stats()
    recent = {(s.client, s.service): s for s in service_stats(since=timezone.now() - timedelta(hours=1))}
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(samples)

    def labels(stat: ServiceStats, extra: str = "") -> str:
        return f'client="{_label(stat.client)}",service="{_label(stat.service)}"{extra}'

    family(
        "congso_exchange_requests_total",
        "counter",
        "Calls through the exchange gateway, by client and service.",
        (f"congso_exchange_requests_total{{{labels(s)}}} {s.count}" for s in stats),
    )
    family(
        "congso_exchange_errors_total",
        "counter",
        "Calls refused by the gateway or failed at the provider (5xx).",
        (f"congso_exchange_errors_total{{{labels(s)}}} {s.errors}" for s in stats),
    )
    histogram: list[str] = []
    for stat in stats:
        cumulative = 0
        for bound, count in zip(LATENCY_BUCKETS, stat.buckets, strict=False):
            cumulative += count
            le = f',le="{bound}"'
            histogram.append(
                f"congso_exchange_request_duration_seconds_bucket{{{labels(stat, le)}}} {cumulative}"
            )
        infinity = ',le="+Inf"'
        histogram.append(
            f"congso_exchange_request_duration_seconds_bucket{{{labels(stat, infinity)}}} {stat.count}"
        )
        histogram.append(
            f"congso_exchange_request_duration_seconds_sum{{{labels(stat)}}} {_number(stat.duration_sum_us / 1e6)}"
        )
        histogram.append(f"congso_exchange_request_duration_seconds_count{{{labels(stat)}}} {stat.count}")
    family(
        "congso_exchange_request_duration_seconds",
        "histogram",
        "Time from the gateway receiving a call to its answer, provider included.",
        histogram,
    )
    for quantile, name in ((0.5, "p50"), (0.95, "p95")):
        family(
            f"congso_exchange_request_duration_{name}_seconds",
            "gauge",
            f"Estimated {name} latency over the current and previous hour.",
            (
                f"congso_exchange_request_duration_{name}_seconds{{{labels(s)}}} {_number(s.quantile(quantile))}"
                for s in recent.values()
            ),
        )
    head = MessageLogHead.objects.filter(pk=1).values_list("last_seq", "checkpoint_seq").first() or (0, 0)
    family(
        "congso_exchange_message_log_entries",
        "gauge",
        "Entries in the message log.",
        [f"congso_exchange_message_log_entries {head[0]}"],
    )
    family(
        "congso_exchange_message_log_unsigned_entries",
        "gauge",
        "Entries after the last signed checkpoint.",
        [f"congso_exchange_message_log_unsigned_entries {head[0] - head[1]}"],
    )
    return "\n".join(lines) + "\n"

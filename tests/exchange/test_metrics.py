"""Monitoring: counts, errors and latency per service and client; metadata only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from congso.exchange import services
from congso.exchange.metrics import histogram_quantile, service_stats
from congso.exchange.models import LATENCY_BUCKETS
from congso.identity.models import User

from . import factories
from .conftest import World

SECRET_BODY = "so-tai-khoan-0123456789"


def _traffic(world: World, call: Any) -> str:
    person = factories.citizen(commune=factories.units())
    services.consent_grant(
        citizen_user=factories.person_user(person),
        consumer_subsystem=world.consumer,
        services=[world.personal_service],
        purpose=world.purpose,
        valid_until=factories.in_days(1),
    )
    personal = {
        "Information-Mediator-Data-Subject": person.personal_id,
        "Information-Mediator-Purpose": "administrative-procedure",
    }
    call(world.service_path(rest="/status/200"))
    call(
        world.service_path(rest="/echo"), method="post", data=SECRET_BODY.encode(), content_type="text/plain"
    )
    call(world.service_path(rest="/status/503"))
    call(world.service_path(world.personal_service, "/status/200"), headers=personal)
    call("/r1/VN/GOV/000.00.00.G10/THUE/khong-co")
    return person.personal_id


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    assert match, f"{name}{{{wanted}}} not in /metrics"
    return float(match.group(1))


def test_metrics_count_calls_and_errors_without_payloads(client: Client, world: World, call: Any) -> None:
    subject = _traffic(world, call)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    labels = {"client": world.consumer.client_id, "service": world.service.service_id}
    assert _sample(text, "congso_exchange_requests_total", **labels) == 3
    assert _sample(text, "congso_exchange_errors_total", **labels) == 1  # the provider's 503
    assert _sample(text, "congso_exchange_request_duration_seconds_count", **labels) == 3
    assert _sample(text, "congso_exchange_request_duration_seconds_bucket", **labels, le="+Inf") == 3
    unknown = {"client": world.consumer.client_id, "service": "unknown"}
    assert _sample(text, "congso_exchange_errors_total", **unknown) == 1
    assert "# TYPE congso_exchange_request_duration_seconds histogram" in text
    assert re.search(r"^congso_exchange_message_log_entries 5$", text, re.M)
    assert subject not in text
    assert SECRET_BODY not in text
    assert "khong-co" not in text  # an unknown service name never becomes a label


def test_metrics_are_not_public(client: Client, world: World, settings: Any) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.CONGSO_EXCHANGE_METRICS_TOKEN = "prometheus-bi-mat"
    assert client.get("/metrics").status_code == 401
    assert (
        client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer prometheus-bi-mat", REMOTE_ADDR="203.0.113.9"
        ).status_code
        == 200
    )


def test_the_monitoring_page_shows_latency_per_service_and_client(
    client: Client, world: World, call: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The admin's second-factor gate is the identity domain's (and tested there).
    monkeypatch.setattr(
        admin.site, "has_permission", lambda request: request.user.is_active and request.user.is_staff
    )
    _traffic(world, call)
    operator = User.objects.create_user(username="van-hanh", password=None, is_staff=True, is_superuser=True)
    client.force_login(operator)

    response = client.get("/admin/exchange/servicemetric/?hours=24")

    assert response.status_code == 200
    page = response.content.decode()
    assert world.service.service_id in page
    assert world.consumer.client_id in page
    assert "p95" in page
    [stat] = [s for s in service_stats() if s.service == world.service.service_id]
    assert (stat.count, stat.errors) == (3, 1)
    assert 0 < stat.p50_ms <= stat.p95_ms


def test_histogram_quantiles() -> None:
    buckets = [0] * (len(LATENCY_BUCKETS) + 1)
    buckets[2] = 90  # (0.0025, 0.005]
    buckets[6] = 10  # (0.05, 0.1]

    assert histogram_quantile(0.5, buckets) == 0.0025 + 0.0025 * 50 / 90
    assert 0.05 < histogram_quantile(0.95, buckets) <= 0.1
    assert histogram_quantile(0.5, [0] * len(buckets)) == 0.0

"""Submissions at the same moment, through the API: codes never collide, a draft never doubles.

Each thread has its own database connection, so these run with real commits
(``transaction=True``). On SQLite the writers queue on the database lock (WAL, ``BEGIN
IMMEDIATE`` and a busy timeout, see settings); on PostgreSQL on row locks.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from congso.core.codes import dossier_code_parse
from congso.dossiers.choices import Action
from congso.dossiers.models import Dossier, DossierDraft, DossierEvent

from . import factories
from .test_api import API, bearer

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _client_secrets(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "congso.identity.oidc.hashers.ClientSecretHasher",
    ]


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; each thread closes its connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=60)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def copies_of(draft: DossierDraft, count: int) -> list[DossierDraft]:
    """Complete drafts like ``draft`` (same answers, same documents), each its own application."""
    return [
        DossierDraft.objects.create(
            applicant=draft.applicant,
            procedure=draft.procedure,
            agency=draft.agency,
            data=draft.data,
            prefilled=draft.prefilled,
            documents=draft.documents,
            step="review",
        )
        for _ in range(count)
    ]


def submit(headers: dict[str, str], draft: DossierDraft) -> Callable[[], Any]:
    return lambda: Client().post(f"{API}/dossiers/drafts/{draft.public_id}/submit", **headers)


def test_fifty_drafts_submitted_at_once_get_fifty_consecutive_codes(world: factories.World) -> None:
    first = factories.ready_draft(world)
    drafts = [first, *copies_of(first, 49)]
    headers = bearer(world.applicant)

    responses = all_at_once([submit(headers, draft) for draft in drafts])

    assert [response.status_code for response in responses] == [201] * 50, [
        response.content[:300] for response in responses if response.status_code != 201
    ]
    codes = [response.json()["code"] for response in responses]
    assert len(set(codes)) == 50
    # Numbers run 0001, 0002, ... within each reception day (one day unless the test straddles
    # the cut-off hour), without gaps or repeats.
    numbers_by_day: dict[Any, list[int]] = defaultdict(list)
    for code in codes:
        parsed = dossier_code_parse(code)
        numbers_by_day[parsed.on].append(parsed.number)
    for numbers in numbers_by_day.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert min(len(code.rsplit("-", 1)[1]) for code in codes) == 4
    assert Dossier.objects.count() == 50
    assert DossierEvent.objects.filter(action=Action.SUBMIT).count() == 50
    assert sorted(Dossier.objects.values_list("code", flat=True)) == sorted(codes)


def test_one_draft_submitted_ten_times_at_once_makes_one_dossier(world: factories.World) -> None:
    draft = factories.ready_draft(world)
    headers = bearer(world.applicant)

    responses = all_at_once([submit(headers, draft) for _ in range(10)])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 9 + [201], [response.content[:300] for response in responses]
    assert {response.json()["code"] for response in responses} == {Dossier.objects.get().code}
    assert DossierEvent.objects.filter(action=Action.SUBMIT).count() == 1
    draft.refresh_from_db()
    assert draft.dossier is not None

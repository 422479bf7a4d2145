"""Dossier API benchmark on PostgreSQL: submissions, the public status lookup, the officer's queue.

What it does:
1. Recreates the database ``congso_bench_dossiers`` and migrates it; in a child process with
   Django loaded, builds the world of the dossier tests (the exchange's registries, ward
   H15.50, an officer, a leader, a level-2 applicant) plus a procedure whose form needs no
   uploaded file, completes one draft of it through the services (consent, prefill from the
   population registry, answers) and copies it in bulk: each copy is a complete application
   of its own, ready to submit. Also drafts of the birth procedure without their file, and
   access tokens for the applicant and the officer.
2. (a) Submission throughput: gunicorn (sync workers) on loopback; wrk posts
   ``/api/v1/dossiers/drafts/{id}/submit``, every request its own draft, after a warm-up on
   other drafts. Only the submit calls are timed. Then, with a 1 MB PDF per dossier, an
   aiohttp client uploads the file (``/documents``) and submits, 16 at a time.
   (b) The public status lookup ``/api/v1/dossiers/status`` at 32 connections (wrk), against
   the floor of the same run (``/healthz``).
   (c) The officer's queue over 1,000,000 dossiers of the ward: rows generated with one
   ``INSERT … SELECT generate_series`` (realistic statuses: ~5 % open, due dates from 20 days
   late to 20 days ahead), ``VACUUM ANALYZE``, then each page asked 100 times in a row over
   HTTP (p50/p95/p99 per case), and the same selector timed in-process.

Usage: .venv/bin/python bench/dossiers_bench.py [--duration 15] [--warmup 5] [--dossiers 1000000]
       [--skip-queue] [--reuse-queue]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, ROOT, django_env, manage, percentile, pg_recreate, pg_url
from oidc_bench import Server, report, wrk

DATABASE = "congso_bench_dossiers"
DATA_DIR = ROOT / "var" / "bench-dossiers"

_SUBMIT_LUA = """
local ids, n = {}, 0
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
function init(args)
  local path, threads = args[1], tonumber(args[2])
  local i = 0
  for line in io.lines(path) do
    if i % threads == tid then ids[#ids + 1] = line end
    i = i + 1
  end
end
function request()
  n = n + 1
  local id = ids[n] or "00000000-0000-4000-8000-000000000000"
  return wrk.format("POST", "/api/v1/dossiers/drafts/" .. id .. "/submit",
    {["Authorization"] = "Bearer TOKEN", ["Content-Length"] = "0"}, "")
end
"""

_LOOKUP_LUA = """
local paths, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
"""


# --- Fixtures, in a child process that has Django loaded ----------------------------------------
def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _token(user: Any, application: Any) -> str:
    """An access token as the provider issues it after a login with password and SMS code."""
    from tests.oidc.flows import access_token_issued

    return access_token_issued(user, application, hours=6)


def setup_fixtures(out: Path, plain_drafts: int, pdf_drafts: int) -> None:
    _django()
    from tests.catalog import factories as catalog_factories
    from tests.dossiers import factories

    from congso.dossiers import services
    from congso.dossiers.models import DossierDraft
    from congso.identity.oidc.models import Application

    world = factories.world()
    plain = catalog_factories.procedure(
        name="Xác nhận tình trạng hôn nhân",
        documents=[
            {"name": "Tờ khai", "online_form": True},
            {"name": "Giấy tờ tùy thân", "registry_source": "population"},
        ],
        processing_days=3,
    )
    plain.agencies.set([world.ward])
    user = world.applicant
    template = services.draft_start(user=user, procedure_code=plain.code)
    services.prefill_consent_grant(
        draft=template, user=user, services=services.prefill_services(procedure=template.procedure)
    )
    services.draft_prefill(draft=template, user=user)
    services.draft_save(draft=template, user=user, data=factories.answers(world))
    problems = services.draft_problems(draft=template)
    assert problems == ({}, {}), problems

    def copies(procedure: Any, count: int) -> list[str]:
        drafts = [
            DossierDraft(
                applicant=user,
                procedure=procedure,
                agency=world.ward,
                data=template.data,
                prefilled=template.prefilled,
                step="review",
            )
            for _ in range(count)
        ]
        DossierDraft.objects.bulk_create(drafts, batch_size=2000)
        return [str(draft.public_id) for draft in drafts]

    application = Application(
        name="Bench client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        client_secret=secrets.token_urlsafe(32),
        redirect_uris="https://bench.example.vn/callback",
    )
    application.full_clean()
    application.save()
    (out / "plain.txt").write_text("\n".join(copies(plain, plain_drafts)) + "\n")
    (out / "pdf.txt").write_text("\n".join(copies(world.procedure, pdf_drafts)) + "\n")
    (out / "fixtures.json").write_text(
        json.dumps(
            {
                "applicant_token": _token(user, application),
                "officer_token": _token(world.officer, application),
                "personal_id": world.person.personal_id,
                "requirement_id": world.requirement.pk,
                "agency_id": world.ward.pk,
                "procedure_id": plain.pk,
                "applicant_id": user.pk,
                "officer_id": world.officer.pk,
            }
        )
    )


def generate_dossiers(count: int, fixtures: dict[str, Any]) -> float:
    """``count`` dossiers of the ward in one INSERT … SELECT generate_series, then VACUUM ANALYZE.

    Statuses by ``i``: 1 % new, 0.5 % received, 3 % processing, 0.5 % waiting for a
    supplement, then refused, withdrawn, stopped, processed, and most (≈ 88 %) returned.
    Open dossiers fall due from 20 days ago to 20 days ahead; a third of those in processing
    are held by the benchmark's officer.
    """
    import psycopg

    started = time.perf_counter()
    sql = """
    WITH g AS (
      SELECT i, ((i * 7919) %% 1000)::int AS s, ((i * 31) %% 41 - 20)::int AS due_shift,
             (i %% 730)::int AS age
      FROM generate_series(1::bigint, %(count)s::bigint) AS i
    ), r AS (
      SELECT i, age, due_shift,
        CASE WHEN s < 10 THEN 1 WHEN s < 15 THEN 2 WHEN s < 45 THEN 4 WHEN s < 50 THEN 5
             WHEN s < 70 THEN 3 WHEN s < 80 THEN 7 WHEN s < 85 THEN 8 WHEN s < 110 THEN 9
             ELSE 10 END AS status
      FROM g
    )
    INSERT INTO dossiers_dossier (
      code, procedure_id, agency_id, applicant_id, applicant_personal_id, applicant_name, data,
      prefilled, channel, status, idempotency_key, submitted_at, received_on, due_on,
      original_due_on, paused_working_days, step, holder_id, outcome, decision_reason,
      result_sha256, return_mode, updated_at, paused_since, closed_at
    )
    SELECT
      'H15.50-' || to_char(current_date - (CASE WHEN status IN (1, 2, 4, 5) THEN age %% 20 ELSE age + 30 END),
                           'YYMMDD') || '-' || lpad(i::text, 7, '0'),
      %(procedure)s, %(agency)s, %(applicant)s, %(personal_id)s, 'Người nộp ' || i, '{}'::jsonb,
      '{}'::jsonb, 2, status, md5('bench-' || i)::uuid,
      now() - make_interval(days => CASE WHEN status IN (1, 2, 4, 5) THEN age %% 20 ELSE age + 30 END),
      current_date - (CASE WHEN status IN (1, 2, 4, 5) THEN age %% 20 ELSE age + 30 END),
      CASE WHEN status IN (1, 2, 4, 5) THEN current_date + due_shift
           ELSE current_date - age - 25 END,
      CASE WHEN status IN (1, 2, 4, 5) THEN current_date + due_shift
           ELSE current_date - age - 25 END,
      0, CASE WHEN status = 4 THEN 1 ELSE 0 END,
      CASE WHEN status = 4 AND i %% 3 = 0 THEN %(officer)s END,
      CASE WHEN status IN (9, 10) THEN 'approved' ELSE '' END, '', '', '', now(),
      CASE WHEN status = 5 THEN now() - interval '2 days' END,
      CASE WHEN status IN (3, 7, 8, 10) THEN now() - make_interval(days => age + 20) END
    FROM r
    """
    with psycopg.connect(pg_url(DATABASE), autocommit=True) as conn:
        conn.execute(
            sql,
            {
                "count": count,
                "procedure": fixtures["procedure_id"],
                "agency": fixtures["agency_id"],
                "applicant": fixtures["applicant_id"],
                "personal_id": fixtures["personal_id"],
                "officer": fixtures["officer_id"],
            },
        )
        conn.execute("VACUUM ANALYZE dossiers_dossier")
    return time.perf_counter() - started


def queue_in_process(cases: list[tuple[str, dict[str, str]]], rounds: int) -> None:
    """The queue selector and its page, timed without HTTP, with the plan of the first page."""
    _django()
    from django.db import connection

    from congso.dossiers import api_reads, selectors
    from congso.dossiers.models import Dossier
    from congso.identity.models import OfficerRole

    officer = OfficerRole.objects.select_related("user").get(agency__code="H15.50", role="officer").user
    results = {}
    for name, params in cases:
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            queue = selectors.dossier_queue(
                officer=officer,
                deadline=params.get("deadline", ""),
                mine=params.get("mine") == "true",
                query=params.get("q", ""),
            )
            page = api_reads.page_of(queue, page=1, page_size=20)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        results[name] = {
            "p50": percentile(timings, 0.5),
            "p95": percentile(timings, 0.95),
            "count": page.count,
        }
    queue = selectors.dossier_queue(officer=officer)
    with connection.cursor() as cursor:
        plans = {}
        for label, query in (("count", queue.order_by()), ("page", queue[:20])):
            sql, sql_params = (query.values("pk") if label == "count" else query).query.sql_with_params()
            statement = f"SELECT count(*) FROM ({sql}) AS q" if label == "count" else sql
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", sql_params)
            plans[label] = "\n".join(row[0] for row in cursor.fetchall())
    results["total_dossiers"] = Dossier.objects.count()  # type: ignore[assignment]
    print(json.dumps({"results": results, "plans": plans}))


# --- Load ----------------------------------------------------------------------------------------
def pdf_of(size: int) -> bytes:
    """A PDF of ``size`` bytes: one stream of random bytes between a header and a trailer."""
    head = b"%PDF-1.4\n1 0 obj<< /Length " + str(size).encode() + b" >>stream\n"
    tail = b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


async def upload_and_submit(
    base: str, token: str, drafts: list[str], requirement_id: int, concurrency: int, seconds_max: float
) -> dict[str, Any]:
    import aiohttp

    content = pdf_of(1024 * 1024)
    headers = {"Authorization": f"Bearer {token}"}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for draft in drafts:
        queue.put_nowait(draft)
    uploads: list[float] = []
    submits: list[float] = []
    failures: list[str] = []

    stop_at = time.perf_counter() + seconds_max

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty() and time.perf_counter() < stop_at:
            draft = queue.get_nowait()
            form = aiohttp.FormData()
            form.add_field("requirement_id", str(requirement_id))
            form.add_field("file", content, filename="giay-chung-sinh.pdf", content_type="application/pdf")
            started = time.perf_counter()
            async with session.post(
                f"{base}/api/v1/dossiers/drafts/{draft}/documents", data=form
            ) as response:
                body = await response.read()
                if response.status != 201:
                    failures.append(f"upload {response.status} {body[:200]!r}")
                    continue
            uploaded = time.perf_counter()
            async with session.post(f"{base}/api/v1/dossiers/drafts/{draft}/submit") as response:
                body = await response.read()
                if response.status != 201:
                    failures.append(f"submit {response.status} {body[:200]!r}")
                    continue
            done = time.perf_counter()
            uploads.append((uploaded - started) * 1000)
            submits.append((done - uploaded) * 1000)

    started = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    uploads.sort()
    submits.sort()
    return {
        "dossiers": len(submits),
        "seconds": seconds,
        "rate": len(submits) / seconds,
        "upload_p50": percentile(uploads, 0.5),
        "upload_p95": percentile(uploads, 0.95),
        "submit_p50": percentile(submits, 0.5),
        "submit_p95": percentile(submits, 0.95),
        "failures": failures[:5],
        "failure_count": len(failures),
    }


def sequential(port: int, path: str, token: str, rounds: int, warmup: int = 10) -> dict[str, float]:
    """``rounds`` requests one after the other (a fresh connection each: gunicorn sync closes it)."""
    timings = []
    status = 0
    size = 0
    for round_number in range(warmup + rounds):
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        status, size = response.status, len(body)
        if round_number >= warmup:
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50": percentile(timings, 0.5),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "mean": statistics.fmean(timings),
        "status": status,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--submit-connections", type=int, default=16)
    parser.add_argument("--write-workers", type=int, default=8)
    parser.add_argument("--read-workers", type=int, default=2)
    parser.add_argument("--plain-drafts", type=int, default=8_000)
    parser.add_argument("--pdf-dossiers", type=int, default=400)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--queue-rounds", type=int, default=100)
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument(
        "--queue-only", action="store_true", help="only (c), on the database and fixtures of a previous run"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queue-in-process", type=str, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.setup:
        setup_fixtures(options.setup, options.plain_drafts, options.pdf_dossiers)
        return
    if options.queue_in_process:
        queue_in_process(json.loads(options.queue_in_process), options.queue_rounds)
        return

    if not options.queue_only:
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    env = django_env(pg_url(DATABASE), DATA_DIR)
    env["CONGSO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    # Without bytecode caching every worker compiles what it imports lazily (the ``holidays``
    # package's 300 country modules on the first due date: ~2 s per worker).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    child_env = {**env, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    work = Path(tempfile.mkdtemp(prefix="dossiers-bench-"))
    if not options.queue_only:
        submissions_and_lookups(options, env, child_env, work)
    if not options.skip_queue:
        officer_queue(options, env, child_env, work)
    shutil.rmtree(work, ignore_errors=True)


def submissions_and_lookups(
    options: argparse.Namespace, env: dict[str, str], child_env: dict[str, str], work: Path
) -> None:
    pg_recreate(DATABASE)
    manage("migrate", "-v", "0", env=env)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, __file__, "--setup", str(work), "--plain-drafts", str(options.plain_drafts),
         "--pdf-dossiers", str(options.pdf_dossiers)],
        env=child_env, check=True,
    )  # fmt: skip
    shutil.copy(work / "fixtures.json", DATA_DIR / "fixtures.json")
    fixtures = json.loads((work / "fixtures.json").read_text())
    print(
        f"setup: {options.plain_drafts:,} + {options.pdf_dossiers:,} complete drafts in {time.perf_counter() - started:.1f} s"
    )
    base = f"http://127.0.0.1:{options.port}"
    load = SimpleNamespace(threads=options.threads, connections=options.submit_connections)

    # (a) Submissions: separate drafts for the warm-up and the measured run (each submits once).
    drafts = (work / "plain.txt").read_text().split()
    warm_file, run_file = work / "plain-warmup.txt", work / "plain-run.txt"
    split = len(drafts) // 4
    warm_file.write_text("\n".join(drafts[:split]) + "\n")
    run_file.write_text("\n".join(drafts[split:]) + "\n")
    submit_lua = work / "submit.lua"
    submit_lua.write_text(_SUBMIT_LUA.replace("TOKEN", fixtures["applicant_token"]))
    threads = str(options.threads)
    print(f"wrk -t{options.threads} -c{options.submit_connections} -d{options.duration}s --latency, "
          f"after {options.warmup} s warm-up")  # fmt: skip
    results: dict[str, Any] = {}
    server = Server(env, options.port, options.write_workers, work / "gunicorn-write.log")
    try:
        path = f"{base}/api/v1/dossiers/drafts/x/submit"
        # Twice the warm-up: each of the write workers pays its first-request costs here.
        wrk(path, seconds=2 * options.warmup, options=load, script=submit_lua, args=[str(warm_file), threads])
        results["submit"] = wrk(path, seconds=options.duration, options=load, script=submit_lua, args=[str(run_file), threads])  # fmt: skip
        report("POST …/submit (no file)", options.write_workers, results["submit"])
        if results["submit"]["requests"] > len(drafts) - split:
            print("  warning: more requests than drafts; raise --plain-drafts")
        pdf = asyncio.run(
            upload_and_submit(
                base,
                fixtures["applicant_token"],
                (work / "pdf.txt").read_text().split(),
                fixtures["requirement_id"],
                concurrency=16,
                seconds_max=60,
            )
        )
        results["pdf"] = pdf
        print(f"upload 1 MB PDF + submit, 16 at a time    {options.write_workers:>2} workers  "
              f"{pdf['rate']:>8,.1f} dossiers/s   upload p50 {pdf['upload_p50']:.0f} / p95 {pdf['upload_p95']:.0f} ms, "
              f"submit p50 {pdf['submit_p50']:.0f} / p95 {pdf['submit_p95']:.0f} ms "
              f"({pdf['dossiers']} dossiers, {pdf['failure_count']} failures {pdf['failures']})")  # fmt: skip
    finally:
        server.stop()

    # (b) The public lookup, against the floor of this run.
    import psycopg

    with psycopg.connect(pg_url(DATABASE)) as conn:
        codes = [row[0] for row in conn.execute("SELECT code FROM dossiers_dossier ORDER BY id LIMIT 2000")]
    lookups = work / "lookups.txt"
    lookups.write_text(
        "\n".join(
            f"/api/v1/dossiers/status?code={code}&personal_id={fixtures['personal_id']}" for code in codes
        )
        + "\n"
    )
    lookup_lua = work / "lookup.lua"
    lookup_lua.write_text(_LOOKUP_LUA)
    read = SimpleNamespace(threads=options.threads, connections=32)
    server = Server(env, options.port, options.read_workers, work / "gunicorn-read.log")
    try:
        wrk(f"{base}/healthz", seconds=options.warmup, options=read)
        results["floor"] = wrk(f"{base}/healthz", seconds=options.duration, options=read)
        report("floor: GET /healthz (SELECT 1)", options.read_workers, results["floor"])
        wrk(f"{base}/api/v1/dossiers/status", seconds=options.warmup, options=read, script=lookup_lua, args=[str(lookups)])  # fmt: skip
        results["lookup"] = wrk(f"{base}/api/v1/dossiers/status", seconds=options.duration, options=read, script=lookup_lua, args=[str(lookups)])  # fmt: skip
        report("GET /dossiers/status (public lookup)", options.read_workers, results["lookup"])
    finally:
        server.stop()
    print(f"ratio of the lookup to the floor: {results['lookup']['rate'] / results['floor']['rate']:.2f}")


def officer_queue(
    options: argparse.Namespace, env: dict[str, str], child_env: dict[str, str], work: Path
) -> None:
    """(c) The officer's queue over many dossiers."""
    fixtures = json.loads((DATA_DIR / "fixtures.json").read_text())
    seconds = generate_dossiers(options.dossiers, fixtures)
    print(f"generated {options.dossiers:,} dossiers (+ VACUUM ANALYZE) in {seconds:.1f} s")
    cases = [
        ("first page (open, by due date)", {}),
        ("late", {"deadline": "late"}),
        ("due soon", {"deadline": "due_soon"}),
        ("mine", {"mine": "true"}),
        ("code prefix q=H15.50-2", {"q": "H15.50-2"}),
    ]
    server = Server(env, options.port, options.read_workers, work / "gunicorn-queue.log")
    try:
        for name, params in cases:
            query = "&".join(f"{key}={value}" for key, value in params.items())
            outcome = sequential(options.port, f"/api/v1/office/dossiers/?{query}", fixtures["officer_token"], options.queue_rounds)  # fmt: skip
            print(f"GET /office/dossiers/ {name:<32} HTTP {outcome['status']}  p50 {outcome['p50']:6.1f}  "
                  f"p95 {outcome['p95']:6.1f}  p99 {outcome['p99']:6.1f} ms  ({outcome['bytes']:,} bytes)")  # fmt: skip
    finally:
        server.stop()
    in_process = subprocess.run(
        [PYTHON, __file__, "--queue-in-process", json.dumps(cases), "--queue-rounds", "30"],
        env=child_env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    measured = json.loads(in_process.stdout.strip().splitlines()[-1])
    for name, figures in measured["results"].items():
        if isinstance(figures, dict):
            print(f"selector + page, in-process: {name:<32} p50 {figures['p50']:6.1f}  p95 {figures['p95']:6.1f} ms  "
                  f"(count {figures['count']:,})")  # fmt: skip
    print(f"dossiers in the table: {measured['results']['total_dossiers']:,}")
    print("plan of the queue's count:\n" + measured["plans"]["count"])
    print("plan of the queue's first page:\n" + measured["plans"]["page"])


if __name__ == "__main__":
    main()

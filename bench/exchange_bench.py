"""Data-exchange gateway benchmark on PostgreSQL: gateway versus the provider called directly,
and verification of a 1M-entry message log.

What it does:
1. Recreates the database ``congso_bench_exchange`` and migrates it; registers a consumer
   subsystem (with an EC P-256 key), a provider subsystem whose service points at a fast
   provider on another loopback port, and the consumer's right to it; and a personal-data
   service of the same provider with a citizen's consent to the consumer.
2. Starts the provider (an asyncio HTTP/1.1 keep-alive server answering a fixed 300-byte JSON
   document, in its own process) and the platform under gunicorn (gthread workers, so that
   wrk's connections are kept alive as they are to the provider).
3. Measures in process, without an HTTP server, CPU per gateway call (``time.process_time``
   over ``--calls`` calls) and the SQL statements each call sends, for a non-personal service
   and for personal data with a consent in force, under both WSGI applications.
4. Obtains a real access token from the token endpoint with a signed RFC 7523 assertion.
5. In one run, with wrk (``-t2 -c32 --latency`` after a warm-up, as for the machine floor figures in bench/README.md):
   the provider directly, then the same path through ``/r1/...`` (token check, client header,
   right, rate limit, forwarding with a correlation id, the message-log append with its hash
   chain and checkpoints, monitoring), under the site's WSGI application (full middleware)
   and under ``congso.exchange.wsgi`` (gateway without middleware). Each also with one
   connection, which shows the cost the gateway adds to one call when nothing queues. Reads
   the CPU the gateway processes, PostgreSQL's backends, the provider and wrk spent per call
   at 32 clients. Checks afterwards that every gateway call is in the message log and that
   the log verifies.
6. Generates a message log of ``--entries`` entries in bulk (with a signed checkpoint every
   1,000 entries) and times ``manage.py exchange_log_verify`` on it in a fresh process.

Usage: .venv/bin/python bench/exchange_bench.py [--duration 15] [--warmup 5] [--connections 32]
       [--workers 2] [--worker-threads 8] [--entries 1000000] [--wsgi APP [APP ...]]
       [--calls 2000] [--profile] [--skip-cpu] [--skip-wrk] [--skip-load] [--skip-log]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, ROOT, django_env, manage, pg_recreate, pg_url, run_child

DATABASE = "congso_bench_exchange"
DATA_DIR = ROOT / "var" / "bench-exchange"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = "/usr/bin/wrk"
PATH = "/tra-cuu/ho-so?nam=2026"

PROVIDER_CODE = r"""
import asyncio, sys
BODY = b'{"ma_so_thue":"0101234567","ten":"Cong ty TNHH Hoa Binh","tinh_trang":"dang_hoat_dong",' \
       b'"dia_chi":"So 8, pho Hang Bai, Phuong Hoan Kiem, Ha Noi","nganh_nghe":["4711","5610"],' \
       b'"ngay_thanh_lap":"2012-03-04","nguoi_dai_dien":"Tran Thi Binh","von_dieu_le":5000000000,' \
       b'"so_lao_dong":42,"cap_nhat":"2026-11-28T03:00:00+07:00"}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY

class Provider(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(RESPONSE)

async def main(port):
    server = await asyncio.get_running_loop().create_server(Provider, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main(int(sys.argv[1])))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Setup (runs in a child process with Django configured) ----------------------------------
def setup_fixtures(out: Path, provider_url: str) -> None:
    import django

    django.setup()
    from jwcrypto import jwk

    from congso.exchange import services
    from congso.exchange.models import MemberClass, ProviderKind

    key = jwk.JWK.generate(kty="EC", crv="P-256")
    commune = services.member_register(
        member_class=MemberClass.GOV, code="000.00.21.H15", name="UBND phường Hoàn Kiếm"
    )
    tax = services.member_register(member_class=MemberClass.GOV, code="000.00.00.G10", name="Cục Thuế")
    consumer = services.subsystem_register(member=commune, code="MOTCUA", name="Hệ thống một cửa")
    services.client_key_add(subsystem=consumer, jwk=key.export_public(as_dict=True))
    provider = services.subsystem_register(member=tax, code="THUE", name="Hệ thống quản lý thuế")
    service = services.service_register(
        provider=provider,
        code="tax-status",
        title="Tình trạng thuế",
        provider_kind=ProviderKind.HTTP,
        base_url=provider_url,
        connect_timeout=2,
        read_timeout=10,
    )
    services.access_right_grant(client=consumer, service=service)
    personal = _personal_fixtures(consumer=consumer, provider=provider, provider_url=provider_url)
    (out / "fixtures.json").write_text(
        json.dumps(
            {
                "client_id": consumer.client_id,
                "subsystem_pk": consumer.pk,
                "service_id": service.service_id,
                "key": key.export(as_dict=True),
                **personal,
            }
        )
    )


def _personal_fixtures(*, consumer: Any, provider: Any, provider_url: str) -> dict[str, str]:
    """A personal-data service of the same provider and a citizen's consent to the consumer."""
    from datetime import timedelta

    from django.utils import timezone

    from congso.exchange import services
    from congso.exchange.models import ProviderKind
    from congso.identity.models import User

    purpose = services.purpose_define(
        code="administrative-procedure",
        name_vi="Giải quyết thủ tục hành chính",
        name_en="Handling an administrative procedure",
    )
    service = services.service_register(
        provider=provider,
        code="income",
        title="Thu nhập cá nhân",
        provider_kind=ProviderKind.HTTP,
        base_url=provider_url,
        personal_data=True,
        purposes=[purpose],
        connect_timeout=2,
        read_timeout=10,
    )
    services.access_right_grant(client=consumer, service=service)
    subject = "001088000500"
    citizen = User.objects.create_user(username=subject, password=None, full_name="Trần Thị Bình")
    services.consent_grant(
        citizen_user=citizen,
        consumer_subsystem=consumer,
        services=[service],
        purpose=purpose,
        valid_until=timezone.now() + timedelta(days=30),
    )
    return {"personal_service_id": service.service_id, "subject": subject, "purpose": purpose.code}


def generate_log(entries: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from congso.exchange.messagelog import LogRecord, log_append_many

    start = timezone.now() - timedelta(days=30)
    clients = [f"VN/GOV/000.00.{n:02d}.H15/MOTCUA" for n in range(1, 40)]

    def records() -> Any:
        for n in range(entries):
            at = start + timedelta(milliseconds=2 * n)
            yield LogRecord(
                message_id=f"00000000-0000-4000-8000-{n:012d}",
                correlation_id=f"bench-{n:012d}",
                client=clients[n % len(clients)],
                service="VN/GOV/G01/DANCU/citizen-basic",
                service_version="v1",
                transport="http",
                method="GET",
                path="/",
                data_subject=f"0011{n % 100_000_000:08d}",
                purpose="administrative-procedure",
                dossier_ref=f"H15.50-261128-{n % 10000:04d}",
                user_id="",
                basis="consent: 7c0e0f7e-55a4-4a53-9a8e-2f6a0f3c1d22",
                requested_at=at,
                responded_at=at + timedelta(microseconds=1800),
                status=200,
                error_code="",
                request_size=0,
                response_size=412,
                request_hash="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                response_hash=f"{n:064x}",
            )

    log_append_many(records(), batch_size=5000)


# --- Load -------------------------------------------------------------------------------------
class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("w")
        self.process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wait_for(url: str, what: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not start")


def wrk(
    url: str, *, seconds: int, connections: int, threads: int, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    command = [
        WRK,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert match is not None, output
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rate": rate,
        "requests": total,
        "non_2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": errors.group(1) if errors else "",
        "p50": latency("50"),
        "p99": latency("99"),
    }


def report(name: str, result: dict[str, Any]) -> None:
    problems = f", {result['non_2xx']} non-2xx" if result["non_2xx"] else ""
    problems += f", socket errors: {result['socket_errors']}" if result["socket_errors"] else ""
    print(
        f"  {name:<44} {result['rate']:>9,.0f} req/s   p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms"
        f"   ({result['requests']:,} requests{problems})"
    )


def fetch_token(base: str, fixtures: dict[str, Any]) -> str:
    import uuid

    from jwcrypto import jwk, jwt

    key = jwk.JWK(**fixtures["key"])
    token_url = f"{base}/exchange/oauth/token"
    now = int(time.time())
    assertion = jwt.JWT(
        header={"alg": "ES256", "kid": key.thumbprint()},
        claims={
            "iss": fixtures["client_id"],
            "sub": fixtures["client_id"],
            "aud": token_url,
            "iat": now,
            "exp": now + 120,
            "jti": str(uuid.uuid4()),
        },
    )
    assertion.make_signed_token(key)
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion.serialize(),
    }
    request = urllib.request.Request(token_url, data=urllib.parse.urlencode(form).encode(), method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return str(json.loads(response.read())["access_token"])


def _gateway_run(
    options: argparse.Namespace,
    env: dict[str, str],
    work: Path,
    wsgi: str,
    fixtures: dict[str, Any],
    provider_pid: int,
) -> dict[str, Any]:
    port = free_port()
    gateway = Process(
        [GUNICORN, wsgi, "-b", f"127.0.0.1:{port}", "-w", str(options.workers),
         "-k", options.worker_class, "--threads", str(options.worker_threads), "--backlog", "2048",
         "--keep-alive", "30", "--graceful-timeout", "5"],
        env,
        work / "gunicorn.log",
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", "gunicorn")
        base = f"http://127.0.0.1:{port}"
        token = fetch_token(base, fixtures)
        url = f"{base}/r1/{fixtures['service_id']}{PATH}"
        headers = {"Authorization": f"Bearer {token}", "X-Road-Client": fixtures["client_id"]}
        probe = urllib.request.Request(url, headers=headers)  # noqa: S310
        with urllib.request.urlopen(probe, timeout=10) as response:  # noqa: S310 - loopback
            assert response.status == 200
            assert b"0101234567" in response.read()
        common = {"seconds": options.duration, "threads": options.threads, "headers": headers}
        wrk(
            url,
            seconds=options.warmup,
            connections=options.connections,
            threads=options.threads,
            headers=headers,
        )
        processes = {
            "gateway": _process_tree(gateway.process.pid),
            "PostgreSQL": _backends(),
            "provider": [provider_pid],
        }
        before = {name: _cpu_seconds(pids) for name, pids in processes.items()}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        many = wrk(url, connections=options.connections, **common)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {name: _cpu_seconds(pids) - before[name] for name, pids in processes.items()}
        cpu["wrk"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        many["cpu_ms"] = {name: seconds * 1000 / many["requests"] for name, seconds in cpu.items()}
        many["load"] = os.getloadavg()
        return {"many": many, "one": wrk(url, connections=1, **common)}
    finally:
        gateway.stop()


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes (all their threads) so far, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _process_tree(root: int) -> list[int]:
    """``root`` and its children (gunicorn's master and workers)."""
    pids = [root]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == root:
                pids.append(int(stat.parent.name))
        except (FileNotFoundError, ValueError, IndexError):
            continue
    return pids


def _backends() -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the workers' kept connections)."""
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (DATABASE,)
        ).fetchall()
    return [int(row[0]) for row in rows]


# --- CPU per call, in process ---------------------------------------------------------------------
def _environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _serve(app: Any, environ: dict[str, Any]) -> str:
    """One request through a WSGI application, as a server would run it; its status line."""
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status.append(line)

    body = app({**environ, "wsgi.input": io.BytesIO(b"")}, start_response)
    try:
        b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return status[0]


def measure_in_process(work: Path, calls: int, profile: bool) -> None:
    """CPU and statements per gateway call, one thread, no HTTP in front: what load blurs least.

    The rate limiter runs (a limit no call reaches) as it would in production; the wrk runs
    switch it off.
    """
    import cProfile
    import pstats

    import django

    django.setup()
    from django.conf import settings

    from congso.exchange.models import Subsystem
    from congso.exchange.tokens import access_token_issue
    from congso.exchange.wsgi import application as dispatcher

    settings.CONGSO_EXCHANGE_RATE_LIMIT_PER_MINUTE = 1_000_000_000
    fixtures = json.loads((work / "fixtures.json").read_text())
    token, _lifetime = access_token_issue(subsystem=Subsystem.objects.get(pk=fixtures["subsystem_pk"]))
    common = {"Authorization": f"Bearer {token}", "X-Road-Client": fixtures["client_id"]}
    cases = {
        "non-personal, cached right": _environ(f"/r1/{fixtures['service_id']}{PATH}", common),
        "personal data, consent": _environ(
            f"/r1/{fixtures['personal_service_id']}/income?nam=2025",
            {
                **common,
                "Information-Mediator-Data-Subject": fixtures["subject"],
                "Information-Mediator-Purpose": fixtures["purpose"],
            },
        ),
    }
    apps = {"congso.exchange.wsgi": dispatcher.gateway, "congso.wsgi": dispatcher.site}
    print(f"in process, one thread, {calls} calls per case, load average {_load()}:")
    for app_name, app in apps.items():
        for case, environ in cases.items():
            for _ in range(200):
                assert _serve(app, environ).startswith("200"), _serve(app, environ)
            statements, checks = _statements(app, environ)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(calls):
                _serve(app, environ)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"  {app_name:<22} {case:<28} {cpu / calls * 1000:6.3f} ms CPU, "
                f"{wall / calls * 1000:6.3f} ms wall, {len(statements)} statements per call"
                f" (+ {checks} connection health check)"
            )
            for sql in statements:
                print(f"      {sql[:110]}")
    if profile:
        profiler = cProfile.Profile()
        environ = cases["non-personal, cached right"]
        profiler.runcall(lambda: [_serve(dispatcher.gateway, environ) for _ in range(calls)])
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


def _statements(app: Any, environ: dict[str, Any]) -> tuple[list[str], int]:
    """The SQL one call sends, and how many times Django checked the connection first.

    Counted with an execute wrapper (the handler's request_started resets ``connection.queries``);
    the health check (``SELECT 1`` per request when ``CONN_HEALTH_CHECKS`` is on) bypasses
    cursors, so it is counted apart.
    """
    from django.db import connection

    statements: list[str] = []
    checks = [0]
    is_usable = connection.is_usable

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    def counted() -> bool:
        checks[0] += 1
        return bool(is_usable())

    connection.is_usable = counted  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(record):
            _serve(app, environ)
    finally:
        del connection.is_usable
    return statements, checks[0]


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def run_in_process(options: argparse.Namespace, env: dict[str, str], work: Path) -> None:
    command = [PYTHON, __file__, "--in-process", str(work), "--calls", str(options.calls)]
    measured = run_child([*command, *(["--profile"] if options.profile else [])], env)
    print(measured.output, end="")


def run_load(options: argparse.Namespace, env: dict[str, str], work: Path) -> None:
    provider_port = free_port()
    provider_url = f"http://127.0.0.1:{provider_port}"
    subprocess.run(
        [PYTHON, __file__, "--setup", str(work), "--provider-url", provider_url],
        env=env,
        cwd=ROOT,
        check=True,
    )
    fixtures = json.loads((work / "fixtures.json").read_text())
    provider = Process([PYTHON, "-c", PROVIDER_CODE, str(provider_port)], env, work / "provider.log")
    direct_url = f"{provider_url}{PATH}"
    print(
        f"gunicorn: {options.workers} {options.worker_class} processes"
        f"{f' x {options.worker_threads} threads' if options.worker_class == 'gthread' else ''}; "
        f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s after a {options.warmup} s warm-up;"
        f" load average {_load()}"
    )
    try:
        wait_for(f"{provider_url}/", "the provider")
        if not options.skip_cpu:
            run_in_process(options, env, work)
        if options.skip_wrk:
            return
        wrk(direct_url, seconds=options.warmup, connections=options.connections, threads=options.threads)
        direct = {
            "many": wrk(
                direct_url, seconds=options.duration, connections=options.connections, threads=options.threads
            ),
            "one": wrk(direct_url, seconds=options.duration, connections=1, threads=options.threads),
        }
        gateways = {
            wsgi: _gateway_run(options, env, work, wsgi, fixtures, provider.process.pid)
            for wsgi in options.wsgi
        }
    finally:
        provider.stop()
    _load_report(options, direct, gateways, env)


def _load_report(
    options: argparse.Namespace,
    direct: dict[str, Any],
    gateways: dict[str, dict[str, Any]],
    env: dict[str, str],
) -> None:
    for label, key in (
        (f"{options.connections} concurrent clients", "many"),
        ("1 client (no queueing)", "one"),
    ):
        print(f"{label}:")
        report("provider directly", direct[key])
        for wsgi, result in gateways.items():
            report(f"gateway, {wsgi}", result[key])
    for wsgi, result in gateways.items():
        split = ", ".join(f"{name} {ms:.2f}" for name, ms in result["many"]["cpu_ms"].items())
        load = ", ".join(f"{value:.2f}" for value in result["many"]["load"])
        print(f"{wsgi}: CPU ms per call at {options.connections} clients: {split} (load average {load})")
    for wsgi, result in gateways.items():
        added = result["many"]["p50"] - direct["many"]["p50"]
        added_one = result["one"]["p50"] - direct["one"]["p50"]
        ratio = result["many"]["rate"] / direct["many"]["rate"]
        print(f"{wsgi}:")
        print(f"  added p50 latency at {options.connections} clients: {added:.2f} ms (target < 2 ms)")
        print(f"  added p50 latency, one client: {added_one:.2f} ms")
        print(
            f"  throughput ratio gateway/direct at {options.connections} clients: {ratio:.3f} (target > 0.7)"
        )
    logged = manage(
        "shell",
        "--no-imports",
        "-c",
        "from congso.exchange.models import MessageLogEntry as E; print(E.objects.count())",
        env=env,
    )
    calls = sum(result[key]["requests"] for result in gateways.values() for key in ("many", "one"))
    print(
        f"message log: {logged.output.strip()} entries for >= {calls:,} measured gateway calls (+ warm-ups)"
    )
    verified = manage("exchange_log_verify", env=env)
    print(f"  {verified.output.strip()} ({verified.seconds:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument(
        "--worker-threads", type=int, default=8, help="threads per gunicorn process (gthread)"
    )
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--wsgi",
        nargs="+",
        default=["congso.wsgi:application", "congso.exchange.wsgi:application"],
        help="WSGI applications to measure the gateway under",
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-cpu", action="store_true", help="skip the in-process CPU measurement")
    parser.add_argument("--skip-wrk", action="store_true", help="skip the wrk runs")
    parser.add_argument("--calls", type=int, default=2000, help="calls per in-process case")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process gateway call")
    parser.add_argument("--in-process", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-log", action="store_true")
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--provider-url", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.setup:
        setup_fixtures(options.setup, options.provider_url)
        return
    if options.generate:
        generate_log(options.generate)
        return
    if options.in_process:
        measure_in_process(options.in_process, options.calls, options.profile)
        return

    shutil.rmtree(DATA_DIR, ignore_errors=True)
    env = django_env(pg_url(DATABASE), DATA_DIR)
    env.update(
        {
            "CONGSO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONGSO_SECRET_KEY": "bench-" + "x" * 60,
            "CONGSO_EXCHANGE_RATE_LIMIT_PER_MINUTE": "0",
            "DJANGO_SETTINGS_MODULE": "congso.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    work = Path(tempfile.mkdtemp(prefix="exchange-bench-"))
    print(f"exchange benchmark — {os.cpu_count()} CPUs, PostgreSQL database {DATABASE}")
    pg_recreate(DATABASE)
    manage("migrate", "-v", "0", env=env)

    if not options.skip_load:
        run_load(options, env, work)
    if not options.skip_log:
        manage(
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('TRUNCATE exchange_messagelogentry, exchange_messagelogcheckpoint, exchange_messageloghead')",
            env=env,
        )
        generated = run_child([PYTHON, __file__, "--generate", str(options.entries)], env)
        print(f"generated {options.entries:,} log entries in {generated.seconds:.1f} s")
        verified = manage("exchange_log_verify", env=env)
        print(
            f"exchange_log_verify on {options.entries:,} entries: {verified.seconds:.1f} s "
            f"(target < 60 s), peak RSS {verified.peak_rss_mb:.0f} MB — {verified.output.strip()}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""OpenID Connect provider benchmark on PostgreSQL: token endpoint, userinfo, Argon2 per login.

What it does:
1. Recreates the database ``congso_bench_oidc``, migrates it, and creates one confidential
   relying party and one level-2 person.
2. Pre-mints authorization codes directly through django-oauth-toolkit's ``Grant`` model plus
   our ``Authorization`` rows (what the authorize endpoint would have stored after login and
   consent). An authorization-code exchange consumes its code, so a load generator needs a
   fresh one per request; minting them through the browser flow would measure the login
   pages instead of the token endpoint. Codes are minted to expire in an hour instead of 60 s
   so that they survive until wrk reaches them; every other check runs as in production
   (client authentication with the hashed secret, PKCE S256, redirect URI, single use, id_token
   signing, audit). It also mints access tokens for the userinfo run.
3. Starts gunicorn (sync workers) on a loopback port and drives it with wrk
   (``-t2 -c32 --latency`` after a warm-up, as for the machine floor figures in bench/README.md), with Lua scripts that
   hand every request its own code or token:
   - the floor of this run: ``/healthz`` (one ``SELECT 1``, full middleware), 2 workers;
   - ``GET /oidc/userinfo/`` with bearer tokens, 2 workers (reads: one per core);
   - ``POST /oidc/token/`` authorization_code exchanges, 4 workers (writes). The machine floor finds 8
     best for a one-row insert; a token exchange is one transaction of ~18 statements that ends
     on the audit chain's row lock, and on this machine 4 workers beat 8 (66 vs 25 req/s in
     back-to-back runs): more workers only queue on the lock while starving each other of CPU.
4. Measures Argon2 (Django's default parameters) per password check: what one login costs.

Usage: .venv/bin/python bench/oidc_bench.py [--duration 15] [--warmup 5] [--connections 32]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, ROOT, django_env, manage, pg_recreate, pg_url

DATABASE = "congso_bench_oidc"
DATA_DIR = ROOT / "var" / "bench-oidc"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = "/usr/bin/wrk"
REDIRECT_URI = "https://dichvu.example.vn/callback"

_CODES_LUA = """
local codes, n = {}, 0
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
function init(args)
  local path, threads = args[1], tonumber(args[2])
  local i = 0
  for line in io.lines(path) do
    if i %% threads == tid then codes[#codes + 1] = line end
    i = i + 1
  end
end
function request()
  n = n + 1
  local code = codes[n] or "exhausted"
  local body = "grant_type=authorization_code&code=" .. code .. "&redirect_uri=%(redirect)s&code_verifier=%(verifier)s"
  return wrk.format("POST", "/oidc/token/", {
    ["Authorization"] = "%(basic)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""

_TOKENS_LUA = """
local tokens, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end
function request()
  n = n %% #tokens + 1
  return wrk.format("GET", "/oidc/userinfo/", {["Authorization"] = "Bearer " .. tokens[n]})
end
"""


# --- Fixtures, created in a child process that has Django loaded -------------------------------
def setup_fixtures(out: Path, codes: int, tokens: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings")
    import django

    django.setup()
    import hashlib
    from datetime import date, timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Grant

    from congso.identity.models import User
    from congso.identity.oidc.models import Application, Authorization, Consent
    from congso.registry.choices import DivisionType, Sex, UnitLevel
    from congso.registry.models import AdministrativeUnit, Citizen

    province = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", division_type=DivisionType.CENTRAL_CITY, level=UnitLevel.PROVINCE
    )
    commune = AdministrativeUnit.objects.create(
        code="00004",
        name="Phường Ba Đình",
        division_type=DivisionType.WARD,
        level=UnitLevel.COMMUNE,
        parent=province,
    )
    citizen = Citizen.objects.create(
        personal_id="001190012345",
        full_name="Nguyễn Thị Lan",
        date_of_birth=date(1990, 5, 17),
        sex=Sex.FEMALE,
        permanent_address="Số 12 phố Đội Cấn",
        permanent_commune=commune,
        phone="0912345678",
    )
    user = User.objects.create(
        username=citizen.personal_id, full_name=citizen.full_name, citizen=citizen, assurance_level=2
    )
    secret = secrets.token_urlsafe(48)
    application = Application(
        name="Bench RP",
        client_type=Application.CLIENT_CONFIDENTIAL,
        client_secret=secret,
        redirect_uris=REDIRECT_URI,
    )
    application.full_clean()
    application.save()
    Consent.objects.create(user=user, application=application, scopes="openid phone profile")

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    now = timezone.now()
    expires = now + timedelta(hours=1)
    code_values = [secrets.token_urlsafe(30) for _ in range(codes)]
    for start in range(0, codes, 2000):
        batch = code_values[start : start + 2000]
        Grant.objects.bulk_create(
            Grant(
                application=application,
                user=user,
                code=code,
                expires=expires,
                redirect_uri=REDIRECT_URI,
                scope="openid profile phone",
                code_challenge=challenge,
                code_challenge_method="S256",
                nonce="n-" + code[:8],
                claims="{}",
            )
            for code in batch
        )
        Authorization.objects.bulk_create(
            Authorization(
                code_checksum=hashlib.sha256(code.encode()).hexdigest(),
                application=application,
                user=user,
                scope="openid profile phone",
                acr="urn:congso:eid:level2",
                amr=["pwd", "otp", "sms"],
                auth_time=now,
            )
            for code in batch
        )
    token_values = [secrets.token_urlsafe(30) for _ in range(tokens)]
    AccessToken.objects.bulk_create(
        AccessToken(
            user=user,
            application=application,
            token="",
            token_checksum=hashlib.sha256(token.encode()).hexdigest(),
            expires=now + timedelta(hours=2),
            scope="openid profile phone",
        )
        for token in token_values
    )
    (out / "codes.txt").write_text("\n".join(code_values) + "\n")
    (out / "tokens.txt").write_text("\n".join(token_values) + "\n")
    (out / "client.json").write_text(
        json.dumps({"client_id": application.client_id, "secret": secret, "verifier": verifier})
    )


def argon2_cost(rounds: int) -> dict[str, float]:
    """Django's Argon2PasswordHasher at its default parameters, as a login pays it."""
    from django.conf import settings

    settings.configure()
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Mat-Khau-9x!", hasher.salt())
    hasher.verify("Mat-Khau-9x!", encoded)  # warm-up
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert hasher.verify("Mat-Khau-9x!", encoded)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median_ms": timings[len(timings) // 2],
        "time_cost": hasher.time_cost,
        "memory_mib": hasher.memory_cost / 1024,
        "parallelism": hasher.parallelism,
    }


# --- Load -------------------------------------------------------------------------------------
class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.log = log.open("w")
        self.port = port
        self.process = subprocess.Popen(
            [GUNICORN, "congso.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "sync",
             "--preload", "--backlog", "2048", "--graceful-timeout", "5"],
            env={**env, "PYTHONPATH": str(ROOT / "src")},
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start, see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(url: str, *, seconds: int, options: argparse.Namespace, script: Path | None = None, args: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    command = [
        WRK,
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
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


def report(name: str, workers: int, result: dict[str, Any]) -> None:
    problems = f", {result['non_2xx']} non-2xx" if result["non_2xx"] else ""
    problems += f", socket errors: {result['socket_errors']}" if result["socket_errors"] else ""
    print(f"{name:<38} {workers:>2} workers  {result['rate']:>8,.0f} req/s   p50 {result['p50']:6.1f} ms   "
          f"p99 {result['p99']:6.1f} ms   ({result['requests']:,} requests{problems})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--read-workers", type=int, default=2)
    parser.add_argument("--write-workers", type=int, default=4)
    parser.add_argument("--codes", type=int, default=40_000)
    parser.add_argument("--tokens", type=int, default=2_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--argon2", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.setup:
        setup_fixtures(options.setup, options.codes, options.tokens)
        return
    if options.argon2:
        print(json.dumps(argon2_cost(20)))
        return

    shutil.rmtree(DATA_DIR, ignore_errors=True)
    env = django_env(pg_url(DATABASE), DATA_DIR)
    env["CONGSO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    work = Path(tempfile.mkdtemp(prefix="oidc-bench-"))
    pg_recreate(DATABASE)
    manage("migrate", "-v", "0", env=env)
    started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            __file__,
            "--setup",
            str(work),
            "--codes",
            str(options.codes),
            "--tokens",
            str(options.tokens),
        ],
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        check=True,
    )
    client = json.loads((work / "client.json").read_text())
    print(
        f"setup: {options.codes:,} codes and {options.tokens:,} access tokens in {time.perf_counter() - started:.1f} s"
    )

    basic = "Basic " + base64.b64encode(f"{client['client_id']}:{client['secret']}".encode()).decode()
    codes_lua = work / "codes.lua"
    codes_lua.write_text(
        _CODES_LUA
        % {"redirect": quote(REDIRECT_URI, safe=""), "verifier": client["verifier"], "basic": basic}
    )
    tokens_lua = work / "tokens.lua"
    tokens_lua.write_text(_TOKENS_LUA % {})
    all_codes = (work / "codes.txt").read_text().split()
    # Separate codes for the warm-up and the measured run: each code works once.
    warm_file, run_file = work / "codes-warmup.txt", work / "codes-run.txt"
    split = len(all_codes) // 4
    warm_file.write_text("\n".join(all_codes[:split]) + "\n")
    run_file.write_text("\n".join(all_codes[split:]) + "\n")
    threads = str(options.threads)
    base = f"http://127.0.0.1:{options.port}"

    print(
        f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s --latency, after {options.warmup} s warm-up"
    )
    results: dict[str, Any] = {}
    server = Server(env, options.port, options.read_workers, work / "gunicorn-read.log")
    try:
        wrk(f"{base}/healthz", seconds=options.warmup, options=options)
        results["floor"] = wrk(f"{base}/healthz", seconds=options.duration, options=options)
        report("floor: GET /healthz (SELECT 1)", options.read_workers, results["floor"])
        wrk(f"{base}/oidc/userinfo/", seconds=options.warmup, options=options, script=tokens_lua, args=[str(work / "tokens.txt")])  # fmt: skip
        results["userinfo"] = wrk(
            f"{base}/oidc/userinfo/", seconds=options.duration, options=options, script=tokens_lua,
            args=[str(work / "tokens.txt")],
        )  # fmt: skip
        report("GET /oidc/userinfo/ (bearer)", options.read_workers, results["userinfo"])
    finally:
        server.stop()

    server = Server(env, options.port, options.write_workers, work / "gunicorn-write.log")
    try:
        wrk(f"{base}/oidc/token/", seconds=options.warmup, options=options, script=codes_lua, args=[str(warm_file), threads])  # fmt: skip
        results["token"] = wrk(
            f"{base}/oidc/token/", seconds=options.duration, options=options, script=codes_lua,
            args=[str(run_file), threads],
        )  # fmt: skip
        report("POST /oidc/token/ (authorization_code)", options.write_workers, results["token"])
    finally:
        server.stop()
    if results["token"]["requests"] > len(all_codes) - split:
        print("  warning: the run used more requests than there were codes; raise --codes")

    argon2 = json.loads(
        subprocess.run(
            [PYTHON, __file__, "--argon2"], capture_output=True, text=True, check=True, env=env
        ).stdout
    )
    per_core = 1000 / argon2["median_ms"]
    print(f"Argon2 password check (time_cost={argon2['time_cost']}, memory={argon2['memory_mib']:.0f} MiB, "
          f"parallelism={argon2['parallelism']}): {argon2['median_ms']:.0f} ms per login "
          f"= at most {per_core:.0f} logins/s per core, before any other work")  # fmt: skip
    print(f"ratios to the floor of this run: userinfo {results['userinfo']['rate'] / results['floor']['rate']:.2f}, "
          f"token {results['token']['rate'] / results['floor']['rate']:.2f}")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

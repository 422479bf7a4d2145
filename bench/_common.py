"""Helpers shared by the benchmark scripts: databases, child processes, percentiles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_SERVER = os.environ.get("CONGSO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def pg_url(database: str) -> str:
    return f"{PG_SERVER}/{database}"


def pg_recreate(database: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def pg_exists(database: str) -> bool:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    return row is not None


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float
    output: str


def run_child(args: list[str], env: dict[str, str]) -> ChildRun:
    """Run one command, returning its wall time and its own peak RSS (from wait4's rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(output)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(args)}")
    return ChildRun(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024, output=output)


def manage(*args: str, env: dict[str, str]) -> ChildRun:
    return run_child([PYTHON, str(ROOT / "manage.py"), *args], env)


def django_env(database_url: str, data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "CONGSO_DATABASE_URL": database_url,
        "CONGSO_DATA_DIR": str(data_dir),
        "CONGSO_LOG_LEVEL": "WARNING",
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]

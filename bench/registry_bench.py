"""Registry benchmarks on PostgreSQL (issue: foundation).

1. Generation of N synthetic citizens (with households, organisations and documents) to CSV.
2. Import of the citizens file: rows per second and the importer's peak RSS.
3. Citizen lookup by personal ID over those N citizens: p50/p99 latency and throughput of the
   population-registry selector, from two processes (one per core) in parallel.

Usage: .venv/bin/python bench/registry_bench.py [--citizens 1000000] [--lookups 20000]
       [--database congso_bench] [--reuse]   (--reuse skips generation and import)
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, django_env, manage, percentile, pg_exists, pg_recreate, pg_url

DATA_DIR = ROOT / "var" / "bench"


def _lookup_worker(args: tuple[str, list[str]]) -> list[float]:
    database_url, ids = args
    os.environ.update(django_env(database_url, DATA_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from congso.registry.selectors import citizen_get_by_personal_id

    for personal_id in ids[:200]:  # warm-up: connection, query plan, caches
        citizen_get_by_personal_id(personal_id=personal_id)
    timings = []
    for personal_id in ids:
        started = time.perf_counter()
        citizen = citizen_get_by_personal_id(personal_id=personal_id)
        timings.append(time.perf_counter() - started)
        assert citizen.personal_id == personal_id
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=20_000, help="lookups per process")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database", default="congso_bench")
    parser.add_argument("--reuse", action="store_true", help="reuse the database and CSVs of a previous run")
    options = parser.parse_args()

    url = pg_url(options.database)
    env = django_env(url, DATA_DIR)
    out = DATA_DIR / f"citizens-{options.citizens}"
    if not (options.reuse and pg_exists(options.database) and (out / "citizens.csv").exists()):
        pg_recreate(options.database)
        manage("migrate", "-v", "0", env=env)
        manage("registry_load_units", env=env)
        generated = manage(
            "registry_generate",
            "--citizens",
            str(options.citizens),
            "--seed",
            "1",
            "--out",
            str(out),
            env=env,
        )
        print(f"generate {options.citizens:,} citizens to CSV: {generated.seconds:.1f} s "
              f"({options.citizens / generated.seconds:,.0f} citizens/s), peak RSS {generated.peak_rss_mb:.0f} MB")  # fmt: skip
        imported = manage("registry_import", "citizens", str(out / "citizens.csv"), env=env)
        print(f"import citizens.csv: {imported.seconds:.1f} s ({options.citizens / imported.seconds:,.0f} rows/s), "
              f"peak RSS {imported.peak_rss_mb:.0f} MB")  # fmt: skip
        print("  importer said:", " ".join(imported.output.split())[:300])
        rest = 0.0
        for kind in ("households", "organisations", "driver_licences", "vehicles", "health_insurance_cards"):
            rest += manage("registry_import", kind, str(out / f"{kind}.csv"), env=env).seconds
        print(f"import households, organisations and documents: {rest:.1f} s")

    with (out / "citizens.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        ids = [row[0] for row in reader]
    rng = random.Random(7)
    chunks = [rng.sample(ids, options.lookups) for _ in range(options.processes)]
    started = time.perf_counter()
    with mp.get_context("spawn").Pool(options.processes) as pool:
        results = pool.map(_lookup_worker, [(url, chunk) for chunk in chunks])
    wall = time.perf_counter() - started
    timings = sorted(t for result in results for t in result)
    busy = max(sum(result) for result in results)
    print(f"citizen lookup by ID over {len(ids):,} citizens, {options.processes} processes x {options.lookups:,}: "
          f"p50 {percentile(timings, 0.5) * 1000:.2f} ms, p99 {percentile(timings, 0.99) * 1000:.2f} ms, "
          f"throughput {len(timings) / busy:,.0f} lookups/s (wall incl. start-up {wall:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()

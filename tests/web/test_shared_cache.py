"""With CONGSO_REDIS_URL set, every process shares one cache, so rate limits hold across them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import os, sys
sys.path.insert(0, "src")
os.environ["DJANGO_SETTINGS_MODULE"] = "congso.settings"
import django
django.setup()
from django.core.cache import cache
key = sys.argv[1]
cache.add(key, 0, timeout=60)
print(cache.incr(key))
"""


def _increment_in_new_process(key: str, redis_url: str) -> int:
    env = {**os.environ, "CONGSO_REDIS_URL": redis_url}
    env.pop("CONGSO_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, key], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_two_processes_count_in_one_shared_cache() -> None:
    key = f"congso-test-{uuid.uuid4()}"
    redis_url = os.environ.get("CONGSO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    assert _increment_in_new_process(key, redis_url) == 1
    assert _increment_in_new_process(key, redis_url) == 2

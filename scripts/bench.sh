#!/usr/bin/env bash
# The benchmarks (bench/README.md): installs what they need (wrk, PostgreSQL and Redis up),
# then runs the scripts named, or every one. `bash scripts/bench.sh bench/exchange_bench.py --skip-log`
# passes the options after the script to it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_uv
uv sync --quiet --frozen --group dev
apt_install wrk fonts-dejavu-core
ensure_postgres
ensure_redis

if [ $# -gt 0 ]; then
    exec .venv/bin/python "$@"
fi
for script in bench/*_bench.py; do
    echo "==> $script"
    .venv/bin/python "$script"
done

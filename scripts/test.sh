#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest on SQLite and on PostgreSQL (browser tests
# included, in Debian's headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_uv
uv sync --quiet --frozen --group dev
[ -x /usr/bin/chromium ] || apt_install chromium
apt_install fonts-dejavu-core
[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent
ensure_postgres
ensure_redis

echo "==> ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "==> mypy"
.venv/bin/mypy src

export CONGSO_DATA_DIR="$PWD/var/test"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p "$CONGSO_DATA_DIR"
workers="${PYTEST_WORKERS:-auto}"

echo "==> pytest on SQLite"
env -u CONGSO_DATABASE_URL .venv/bin/pytest -n "$workers" -q "$@"

echo "==> pytest on PostgreSQL"
CONGSO_DATABASE_URL="${CONGSO_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/congso}" \
    .venv/bin/pytest -n "$workers" -q "$@"

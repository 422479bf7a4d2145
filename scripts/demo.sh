#!/usr/bin/env bash
# Runs the platform on its embedded default: SQLite, demo data, web server and worker.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_uv
uv sync --quiet --frozen --no-dev --inexact  # keeps the dev tools of `make test` if present
# Signed PDFs are set in DejaVu Serif (every Vietnamese letter); congso.signing says so if it is missing.
[ -f "${CONGSO_PDF_FONT_DIR:-/usr/share/fonts/truetype/dejavu}/DejaVuSerif.ttf" ] || apt_install fonts-dejavu-core \
    || echo "warning: fonts-dejavu-core is not installed: PDF documents cannot be made" >&2

export CONGSO_DATA_DIR="${CONGSO_DATA_DIR:-./var}"
export CONGSO_DEBUG="${CONGSO_DEBUG:-true}"
export CONGSO_DEMO="${CONGSO_DEMO:-true}"
PORT="${PORT:-8000}"
BIND="${CONGSO_BIND:-127.0.0.1}"
PY=.venv/bin/python

$PY manage.py migrate --noinput -v 0
$PY manage.py demo_load

$PY manage.py db_worker --queue-name '*' >>"$CONGSO_DATA_DIR/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

echo
echo "Cổng Số is running at http://localhost:$PORT/  (Ctrl-C to stop)"
echo "Data: $CONGSO_DATA_DIR  Worker log: $CONGSO_DATA_DIR/worker.log"
.venv/bin/gunicorn congso.wsgi:application --chdir src --bind "$BIND:$PORT" \
    --workers "${WEB_CONCURRENCY:-2}" --log-level warning

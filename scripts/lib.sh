# Shared steps of `make demo` and `make test`: each installs what it needs, and only that.
# shellcheck shell=bash

ensure_uv() {
    if ! command -v uv >/dev/null 2>&1; then
        echo "==> installing uv with pip"
        python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
        export PATH="$HOME/.local/bin:$PATH"
    fi
    if [ ! -x .venv/bin/python ]; then
        uv venv --quiet -p python3 .venv
    fi
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
    # Installs Debian packages that are missing; needs root (or sudo).
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> apt-get install ${missing[*]}"
    as_root apt-get update -qq || { echo "cannot run apt-get: install ${missing[*]} by hand" >&2; return 1; }
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_postgres() {
    local host=127.0.0.1 port=5432
    if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then return 0; fi
    echo "==> starting PostgreSQL"
    apt_install postgresql
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
    for _ in $(seq 1 30); do
        pg_isready -q -h "$host" -p "$port" && return 0
        sleep 1
    done
    echo "PostgreSQL did not start on $host:$port" >&2
    return 1
}

ensure_redis() {
    if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then return 0; fi
    echo "==> starting Redis"
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 20); do
        (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return 0
        sleep 0.5
    done
    echo "Redis did not start on 127.0.0.1:6379" >&2
    return 1
}

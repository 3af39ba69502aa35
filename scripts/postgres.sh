#!/usr/bin/env bash
# A throwaway PostgreSQL server for the scenario-store tests (and for trying a team set-up locally).
#
#   scripts/postgres.sh          start it (installs Debian's postgresql first when missing and we are root),
#                                then print its SQLAlchemy URL on the last line of stdout
#   scripts/postgres.sh url      print the URL of the running server
#   scripts/postgres.sh status   say whether it runs
#   scripts/postgres.sh stop     stop it (the data folder is kept; remove it to start afresh)
#
# Typical use:
#   export WORKBENCH_TEST_POSTGRES_URL="$(scripts/postgres.sh | tail -n 1)"
#
# Settings (environment): WORKBENCH_PG_PORT (default 55432), WORKBENCH_PG_DIR (data folder, default
# ${TMPDIR:-/tmp}/workbench-postgres-<port>), WORKBENCH_PG_DB (database, default workbench_test).
# The server listens on 127.0.0.1 only and trusts local connections: it is for tests, not for data
# you care about. Root cannot run postgres, so as root the server runs as the 'postgres' user.
# Running it twice is harmless: a running server is reused.
set -euo pipefail

PORT="${WORKBENCH_PG_PORT:-55432}"
DIR="${WORKBENCH_PG_DIR:-${TMPDIR:-/tmp}/workbench-postgres-${PORT}}"
DB="${WORKBENCH_PG_DB:-workbench_test}"
DBUSER=postgres
CMD="${1:-start}"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    if command -v pg_config >/dev/null 2>&1; then
        local d
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    fi
    local best=""
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && best="$d"
    done
    if [ -z "$best" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        best="$(dirname "$(readlink -f "$(command -v initdb)")")"
    fi
    [ -n "$best" ] && echo "$best"
}

# run a command as the server's owner (root -> postgres user; anyone else -> themselves)
as_owner() {
    if [ "$(id -u)" = "0" ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
    else
        "$@"
    fi
}

url() { echo "postgresql+psycopg://${DBUSER}@127.0.0.1:${PORT}/${DB}"; }

BIN="$(find_bindir || true)"

case "$CMD" in
    url) url; exit 0 ;;
    status)
        if [ -n "$BIN" ] && [ -f "$DIR/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
            log "running on 127.0.0.1:$PORT (data in $DIR)"; url; exit 0
        fi
        log "not running"; exit 3 ;;
    stop)
        if [ -n "$BIN" ] && [ -f "$DIR/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
            as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >&2
            log "stopped"
        else
            log "not running"
        fi
        exit 0 ;;
    start) ;;
    *) echo "usage: $0 [start|stop|status|url]" >&2; exit 2 ;;
esac

if [ -z "$BIN" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL is not installed; installing Debian's postgresql package"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
        BIN="$(find_bindir || true)"
    fi
    if [ -z "$BIN" ]; then
        log "PostgreSQL binaries (initdb, pg_ctl) were not found. Install them (Debian: sudo apt-get install postgresql)"
        exit 1
    fi
fi

if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
    log "creating the system user 'postgres' (root cannot run the server)"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

mkdir -p "$DIR"
if [ "$(id -u)" = "0" ]; then chown postgres "$DIR"; fi
chmod 700 "$DIR"

if [ ! -f "$DIR/PG_VERSION" ]; then
    log "creating a cluster in $DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U "$DBUSER" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
        || as_owner "$BIN/initdb" -D "$DIR" -U "$DBUSER" -A trust -E UTF8 --no-locale >&2
fi

if as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    log "already running on 127.0.0.1:$PORT"
else
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        log "port $PORT is taken by another program; choose another with WORKBENCH_PG_PORT=<port>"
        exit 1
    fi
    # room for many concurrent test connections
    as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PORT -k $DIR -c max_connections=200" start >&2 \
        || { log "the server did not start; its log:"; tail -n 30 "$DIR/server.log" >&2; exit 1; }
fi

if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$DBUSER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$DBUSER" "$DB"
    log "created database $DB"
fi
url

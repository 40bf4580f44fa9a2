#!/usr/bin/env bash
# Run a command beside a throwaway PostgreSQL cluster:
#
#   tools/with_postgres.sh .venv/bin/python -m pytest -q tests/core/test_schema_parity.py
#
# The cluster lives in a temp directory, listens on a free port of 127.0.0.1 (and a Unix
# socket in that directory), runs without fsync (it is thrown away), and is stopped and
# removed when the command ends, however it ends. The command sees
# BOXOFFICE_TEST_PG=postgresql://postgres@127.0.0.1:PORT/postgres and its exit status is
# ours. When PostgreSQL is missing or does not start, this says why and exits 1: a
# backend that was skipped is not a pass.
#
# BOXOFFICE_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync, synchronous_commit and
# full_page_writes on), for benchmarks that want the figures of a real server.
set -uo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

fail() {
    echo "with_postgres: $*" >&2
    exit 1
}

# The newest Debian install (/usr/lib/postgresql/N/bin), else whatever pg_config names.
find_bindir() {
    local dir best="" best_version=-1 version
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] || continue
        version=$(basename "$(dirname "$dir")")
        case "$version" in *[!0-9]*) continue ;; esac
        if [ "$version" -gt "$best_version" ]; then
            best_version=$version
            best=$dir
        fi
    done
    if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null)
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && best=$dir
    fi
    printf '%s' "$best"
}

PGBIN=$(find_bindir)
[ -n "$PGBIN" ] || fail "PostgreSQL is not installed (no initdb and pg_ctl in \
/usr/lib/postgresql/*/bin or pg_config --bindir); on Debian: apt-get install postgresql"

# initdb refuses to run as root: then the cluster belongs to the postgres user.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || fail "running as root, but there is no postgres user \
to own the cluster (initdb refuses root)"
    command -v runuser >/dev/null 2>&1 || fail "running as root, but runuser is missing"
    as_owner() { runuser -u postgres -- "$@"; }
else
    as_owner() { "$@"; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-pg.XXXXXX") || fail "cannot make a temp directory"
DATA="$DIR/data"
LOG="$DIR/postgresql.log"
STARTED=0

cleanup() {
    if [ "$STARTED" -eq 1 ]; then
        as_owner "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
chmod 700 "$DIR"

# A port free now; a race with another process taking it is possible, and then the start
# below fails with the reason in the log.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
    || fail "cannot find a free port on 127.0.0.1"

if ! as_owner "$PGBIN/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1; then
    echo "with_postgres: initdb failed ($PGBIN/initdb); its output ends:" >&2
    tail -n 20 "$DIR/initdb.log" >&2
    exit 1
fi
# initdb.log sits in a directory the postgres user owns, so the log below can too.
DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${BOXOFFICE_PG_DURABLE:-0}" = "1" ] && DURABILITY=""
if ! as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
        -o "-k $DIR -h 127.0.0.1 -p $PORT $DURABILITY -c max_connections=200" start \
        >"$DIR/pg_ctl.log" 2>&1; then
    STARTED=1   # it may be half up: stop it on the way out
    echo "with_postgres: PostgreSQL did not start on 127.0.0.1:$PORT; the log ends:" >&2
    tail -n 20 "$DIR/pg_ctl.log" "$LOG" >&2 2>/dev/null
    exit 1
fi
STARTED=1

export BOXOFFICE_TEST_PG="postgresql://postgres@127.0.0.1:$PORT/postgres"
"$@"
exit $?

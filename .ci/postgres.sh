#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite.
#
#   .ci/postgres.sh start        install the server if missing, initdb, start, wait
#   .ci/postgres.sh stop         stop it (pg_ctl -m fast) and remove its data
#   .ci/postgres.sh uri          print the URI of the running server
#   .ci/postgres.sh status       exit 0 when it is running
#   .ci/postgres.sh run CMD...   start if needed, run CMD with TRYTOND_DATABASE_URI
#                                and DB_CACHE pointing at it, stop it afterwards
#                                (even on failure) if this call started it
#
# The server listens on 127.0.0.1 only (and a unix socket in its own directory),
# trusts loopback connections and has a superuser role for the tests.
# It runs as the `postgres` OS user: PostgreSQL refuses to run as root.
#
# Environment:
#   KAZAN_PG_PORT   first port to try (default 5433; the next free one is used)
#   KAZAN_PG_USER   superuser role created for the tests (default kazan)
#   KAZAN_PG_STATE  file recording the running server (default var/postgres.env)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT_WANTED=${KAZAN_PG_PORT:-5433}
ROLE=${KAZAN_PG_USER:-kazan}
STATE=${KAZAN_PG_STATE:-$REPO/var/postgres.env}
OS_USER=postgres

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Directory of initdb/pg_ctl/postgres, found on PATH or in Debian's layout.
find_bindir() {
    local p
    if p=$(command -v initdb 2>/dev/null) && command -v postgres >/dev/null 2>&1; then
        dirname "$(readlink -f "$p")"
        return 0
    fi
    for p in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$p/initdb" ] && [ -x "$p/postgres" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

install_server() {
    [ "$(id -u)" = 0 ] || die "PostgreSQL server not found and not root: install the 'postgresql' package"
    log "PostgreSQL server not found: installing Debian's postgresql package"
    local t0=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
    log "installed in $((SECONDS - t0)) s"
}

bindir() {
    local d
    if ! d=$(find_bindir); then
        install_server
        d=$(find_bindir) || die "no initdb/postgres after installing postgresql"
    fi
    echo "$d"
}

# Run a command as the server's OS user (directly when not root).
as_pg() {
    if [ "$(id -u)" != 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$OS_USER" -- "$@"
    else
        su -s /bin/sh "$OS_USER" -c "$(printf '%q ' "$@")"
    fi
}

ensure_os_user() {
    [ "$(id -u)" = 0 ] || { OS_USER=$(id -un); return 0; }
    if ! id -u "$OS_USER" >/dev/null 2>&1; then
        log "creating system user $OS_USER"
        useradd --system --user-group --home-dir /var/lib/postgresql \
            --shell /bin/sh "$OS_USER"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port=$PORT_WANTED
    while port_in_use "$port"; do
        port=$((port + 1))
        [ "$port" -lt $((PORT_WANTED + 100)) ] || die "no free port from $PORT_WANTED"
    done
    echo "$port"
}

load_state() {
    [ -f "$STATE" ] || return 1
    # shellcheck disable=SC1090
    . "$STATE"
    [ -n "${PG_ROOT:-}" ] && [ -n "${PG_PORT:-}" ] && [ -n "${PG_BINDIR:-}" ]
}

is_running() {
    load_state || return 1
    [ -d "$PG_ROOT/data" ] || return 1
    (cd / && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_ROOT/data" status >/dev/null 2>&1)
}

uri() { echo "postgresql://$ROLE@127.0.0.1:$PG_PORT/"; }

cmd_start() {
    if is_running; then
        log "already running on 127.0.0.1:$PG_PORT ($PG_ROOT)"
        return 0
    fi
    # A stale state file (server gone, e.g. after a reboot): clean up after it.
    if load_state; then
        rm -rf "${PG_ROOT:?}"
        rm -f "$STATE"
    fi
    local t0=$SECONDS bin root port
    bin=$(bindir)
    ensure_os_user
    port=$(free_port)
    # Under /tmp, not under the repository: a clone in a `mktemp -d` directory
    # (mode 700, owned by root) cannot be entered by the postgres user.
    root=$(mktemp -d "${TMPDIR:-/tmp}/kazan-pg.XXXXXX")
    mkdir -p "$root/data" "$root/socket"
    chmod 755 "$root"
    [ "$(id -u)" != 0 ] || chown -R "$OS_USER:" "$root"
    mkdir -p "$(dirname "$STATE")"
    cat >"$STATE" <<EOF
PG_ROOT=$root
PG_PORT=$port
PG_BINDIR=$bin
EOF
    (cd / && as_pg "$bin/initdb" -D "$root/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8) >"$root/initdb.log" 2>&1 \
        || { cat "$root/initdb.log" >&2; die "initdb failed"; }
    # Loopback only; trust is what initdb --auth=trust wrote in pg_hba.conf
    # (local socket, 127.0.0.1/32 and ::1/128).  Durability off: throw-away data.
    cat >>"$root/data/postgresql.conf" <<EOF

# kazan test server
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
# The suite drops and recreates its database from a template again and
# again; DROP DATABASE failed ("being accessed by other users", 3 sessions)
# on a busy machine.  Autovacuum was suspected and is off on these
# throw-away servers; it was not the whole cause: see release_test_database
# in tests/scenario_plugin.py
autovacuum = off
EOF
    (cd / && as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 start) >/dev/null \
        || { cat "$root/server.log" >&2; die "server did not start"; }
    local i
    for i in $(seq 1 60); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null \
                || pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
            break
        fi
        [ "$i" -lt 60 ] || die "server not ready after 30 s"
        sleep 0.5
    done
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "DO \$\$BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
                CREATE ROLE \"$ROLE\" SUPERUSER LOGIN;
              END IF;
            END\$\$;" >/dev/null
    log "started $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port in $((SECONDS - t0)) s ($root)"
}

cmd_stop() {
    if ! load_state; then
        return 0
    fi
    if [ -d "$PG_ROOT/data" ]; then
        (cd / && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >/dev/null 2>&1) \
            && log "stopped (127.0.0.1:$PG_PORT)" || true
    fi
    rm -rf "${PG_ROOT:?}"
    rm -f "$STATE"
}

cmd_uri() {
    is_running || die "not running (start it with: $0 start)"
    uri
}

cmd_run() {
    [ $# -gt 0 ] || die "usage: $0 run COMMAND..."
    local started=0 rc=0
    if ! is_running; then
        trap cmd_stop EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        cmd_start
        started=1
    fi
    load_state
    # pg_dump/pg_restore of the same version as the server, for DB_CACHE.
    export PATH="$PG_BINDIR:$PATH"
    TRYTOND_DATABASE_URI=$(uri)
    DB_CACHE=$(uri)
    export TRYTOND_DATABASE_URI DB_CACHE
    log "running with TRYTOND_DATABASE_URI=$TRYTOND_DATABASE_URI DB_CACHE=$DB_CACHE: $*"
    "$@" || rc=$?
    [ "$started" = 0 ] || { cmd_stop; trap - EXIT; }
    return "$rc"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    uri) cmd_uri ;;
    status) is_running && echo "running: $(uri) ($PG_ROOT)" ;;
    run) shift; cmd_run "$@" ;;
    *) echo "usage: $0 start|stop|uri|status|run COMMAND..." >&2; exit 2 ;;
esac

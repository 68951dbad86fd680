#!/usr/bin/env bash
# A private PostgreSQL 15 server for the tests: data in .cache/pg/, listening on 127.0.0.1 only (no Unix socket,
# so checkouts never share a socket lock), password auth, superuser role and database `wms_test` (fake credentials).
#
#   scripts/pg.sh start    init the cluster if needed, start it unless running, create the database if missing
#   scripts/pg.sh stop     stop it if running
#   scripts/pg.sh status   exit 0 and print the port if running, exit 3 otherwise
#   scripts/pg.sh env      print `export TEST_PG_…=…` lines for `eval` (server must be running)
#
# Port: TEST_PG_PORT if set (must be free), else the first free one from 54329 up; the chosen one is in .cache/pg/port.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_HOME="$CACHE_DIR/pg"
PG_DATA="$PG_HOME/data"
PG_LOG="$PG_HOME/server.log"
PG_PORT_FILE="$PG_HOME/port"
DB_USER=wms_test
DB_PASSWORD=wms_test
DB_NAME=wms_test
DEFAULT_PORT=54329
PORT_TRIES=20
# PostgreSQL refuses to run as root: as root, the server runs as this system user.
OS_USER=postgres

PG_BIN=""
find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin "$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent)")")"; do
    if [[ -x $d/initdb && -x $d/postgres && -x $d/pg_ctl && -x $d/psql ]] && "$d/postgres" --version | grep -q ' 15\.'; then
      PG_BIN=$d
      return 0
    fi
  done
  return 1
}

ensure_pg_bin() {
  find_pg_bin && return 0
  apt_install postgresql-15
  find_pg_bin || die "PostgreSQL 15 binaries still not found after installing postgresql-15"
}

is_root() { [[ $(id -u) -eq 0 ]]; }

as_owner() {
  if is_root; then runuser -u "$OS_USER" -- "$@"; else "$@"; fi
}

ensure_os_user() {
  is_root || return 0
  id "$OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user $OS_USER"
  useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$OS_USER"
}

# The server user must be able to reach the data directory: grant search (x, not read) on any ancestor that
# blocks it, e.g. a checkout under /root.
ensure_traversable() {
  is_root || return 0
  runuser -u "$OS_USER" -- test -x "$CACHE_DIR" 2>/dev/null && return 0
  local d=$CACHE_DIR parts=()
  while [[ $d != / ]]; do parts=("$d" "${parts[@]}"); d=$(dirname "$d"); done
  for d in "${parts[@]}"; do
    if ! runuser -u "$OS_USER" -- test -x "$d" 2>/dev/null; then
      log "granting o+x on $d so that user $OS_USER can reach $PG_HOME"
      chmod o+x "$d"
    fi
  done
}

prepare_home() {
  mkdir -p "$PG_HOME"
  ensure_traversable
  if is_root; then
    chown "$OS_USER:" "$PG_HOME"
    # e.g. the system user was recreated with another uid: the server refuses a data dir it does not own.
    if [[ -n $(find "$PG_HOME" -maxdepth 1 \( -name data -o -name server.log \) ! -user "$OS_USER") ]]; then
      log "giving $PG_HOME back to user $OS_USER"
      chown -R "$OS_USER:" "$PG_HOME"
    fi
  fi
  chmod 700 "$PG_HOME"
}

init_cluster() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  log "initializing cluster in $PG_DATA"
  as_owner rm -rf "$PG_DATA"
  local pwfile="$PG_HOME/.pwfile"
  printf '%s\n' "$DB_PASSWORD" >"$pwfile"
  if is_root; then chown "$OS_USER:" "$pwfile"; fi
  chmod 600 "$pwfile"
  as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$DB_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$PG_HOME/initdb.log" 2>&1 \
    || { cat "$PG_HOME/initdb.log" >&2; rm -f "$pwfile"; die "initdb failed"; }
  rm -f "$pwfile"
  # A throwaway test cluster: durability is not wanted, speed is.
  as_owner tee -a "$PG_DATA/postgresql.conf" >/dev/null <<'CONF'

# --- added by scripts/pg.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
timezone = 'UTC'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

is_running() {
  [[ -f $PG_DATA/PG_VERSION ]] && as_owner "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

# Line 4 of postmaster.pid is the port the running server listens on.
running_port() { sed -n 4p "$PG_DATA/postmaster.pid"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

psql_q() {
  PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -tA \
    -h 127.0.0.1 -p "$1" -U "$DB_USER" -d postgres -c "$2"
}

start_on_free_port() {
  local ports=() port
  if [[ -n ${TEST_PG_PORT:-} ]]; then
    ports=("$TEST_PG_PORT")
  else
    for ((port = DEFAULT_PORT; port < DEFAULT_PORT + PORT_TRIES; port++)); do ports+=("$port"); done
  fi
  for port in "${ports[@]}"; do
    if port_busy "$port"; then
      log "port $port is in use (another checkout's server?), trying the next one"
      continue
    fi
    local mark=0
    [[ -f $PG_LOG ]] && mark=$(wc -l <"$PG_LOG")
    if as_owner "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o "-p $port" >/dev/null 2>&1; then
      echo "$port" >"$PG_PORT_FILE"
      return 0
    fi
    # Lost a race for the port with another process: try the next one; any other failure is fatal.
    if tail -n "+$((mark + 1))" "$PG_LOG" | grep -q 'Address already in use'; then
      log "port $port was taken while starting, trying the next one"
      continue
    fi
    tail -n 30 "$PG_LOG" >&2 || true
    die "PostgreSQL failed to start (log: $PG_LOG)"
  done
  die "no free port among ${ports[*]} (set TEST_PG_PORT to a free port)"
}

cmd_start() {
  ensure_pg_bin
  ensure_os_user
  prepare_home
  init_cluster
  local port
  if is_running; then
    port=$(running_port)
    echo "$port" >"$PG_PORT_FILE"
    log "already running on 127.0.0.1:$port ($PG_DATA)"
  else
    start_on_free_port
    port=$(cat "$PG_PORT_FILE")
    log "started PostgreSQL on 127.0.0.1:$port ($PG_DATA)"
  fi
  if [[ $(psql_q "$port" "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") != 1 ]]; then
    log "creating database $DB_NAME"
    psql_q "$port" "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
}

cmd_stop() {
  find_pg_bin || { log "PostgreSQL 15 not installed: nothing to stop"; return 0; }
  if is_running; then
    as_owner "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null
    log "stopped PostgreSQL ($PG_DATA)"
  else
    log "not running ($PG_DATA)"
  fi
}

cmd_status() {
  if find_pg_bin && is_running; then
    echo "running on 127.0.0.1:$(running_port) ($PG_DATA)"
  else
    echo "not running ($PG_DATA)"
    return 3
  fi
}

cmd_env() {
  find_pg_bin && is_running || die "PostgreSQL is not running: run scripts/pg.sh start"
  local port
  port=$(running_port)
  cat <<ENV
export TEST_PG_HOST=127.0.0.1
export TEST_PG_PORT=$port
export TEST_PG_USER=$DB_USER
export TEST_PG_PASSWORD=$DB_PASSWORD
export TEST_PG_DATABASE=$DB_NAME
export TEST_PG_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME
ENV
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status || exit $? ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

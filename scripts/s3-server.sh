#!/usr/bin/env bash
# A real S3-compatible server for the Data Extract tests: moto in server mode (PyPI, pinned below) in a
# project-local virtualenv (.cache/moto-venv), listening on 127.0.0.1 only, its state in memory (gone at stop).
#
#   scripts/s3-server.sh install  create or check the virtualenv (a stamp check unless the pin changed)
#   scripts/s3-server.sh start    install if needed, start unless running, wait until it answers
#   scripts/s3-server.sh stop     stop it if this checkout started it
#   scripts/s3-server.sh status   exit 0 and print the port if running, exit 3 otherwise
#   scripts/s3-server.sh env      print `export TEST_S3_…=…` lines for `eval` (server must be running)
#
# Why moto: it implements S3's REST API (ListObjectsV2 with continuation tokens, ranged and streamed GETs,
# SigV4 checked against IAM access keys once authentication is on) from one PyPI package, in the same kind of
# cached venv as Meltano and Dagster; s3rver (npm) accepts any credentials, so a wrong-key test could not fail.
# Authentication: INITIAL_NO_AUTH_ACTION_COUNT lets the first 3 requests through unchecked; `start` spends them on
# creating an IAM user, its access key and a policy allowing s3:* (with the venv's boto3), writes that key to
# .cache/s3-server/credentials (a throwaway key of a local in-memory server), and every later request must be
# signed with it: a wrong key is refused as a real S3 refuses it.
# Port: TEST_S3_PORT if set, else the first free one from 54400 up; the chosen one is in .cache/s3-server/port.
# Exit 75 when PyPI cannot be reached (callers skip what needs the server), 1 on any other failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MOTO_VERSION=5.2.5
VENV="$CACHE_DIR/moto-venv"
STAMP="$VENV/.installed"
HOME_DIR="$CACHE_DIR/s3-server"
PORT_FILE="$HOME_DIR/port"
PID_FILE="$HOME_DIR/pid"
CREDENTIALS_FILE="$HOME_DIR/credentials"
LOG_FILE="$HOME_DIR/server.log"
DEFAULT_PORT=54400
PORT_TRIES=20
# How many unauthenticated requests the server allows before it checks every signature (see the header).
NO_AUTH_ACTIONS=3
EX_UNREACHABLE=75
PYTHON=${PYTHON:-python3}

want_stamp() { { echo "moto[server]==$MOTO_VERSION"; "$PYTHON" --version; } | sha256sum | cut -d' ' -f1; }

install() {
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found (moto needs Python 3.9+)"
  local want
  want=$(want_stamp)
  if [[ -x $VENV/bin/moto_server && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then return 0; fi
  log "creating $VENV with moto[server]==$MOTO_VERSION"
  rm -rf "$VENV"
  mkdir -p "$CACHE_DIR"
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
  local pip=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
  if ! "${pip[@]}" index versions moto --timeout 20 --retries 1 >/dev/null 2>&1; then
    rm -rf "$VENV"
    log "error: PyPI (or the configured index) cannot be reached; moto not installed"
    exit "$EX_UNREACHABLE"
  fi
  # One server start per run: compiling all of moto's bytecode up front would cost more than it saves (scripts/lib.sh).
  COMPILE_BYTECODE=0 venv_install "$VENV" "moto[server]==$MOTO_VERSION" >&2 \
    || die "installing moto[server]==$MOTO_VERSION failed"
  [[ -x $VENV/bin/moto_server ]] || die "moto[server]==$MOTO_VERSION installed no moto_server"
  echo "$want" >"$STAMP"
  log "installed moto $MOTO_VERSION in $VENV"
}

running_port() {
  [[ -f $PID_FILE && -f $PORT_FILE ]] || return 1
  kill -0 "$(cat "$PID_FILE")" 2>/dev/null || return 1
  cat "$PORT_FILE"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  if [[ -n ${TEST_S3_PORT:-} ]]; then
    port_free "$TEST_S3_PORT" || die "TEST_S3_PORT=$TEST_S3_PORT is in use"
    echo "$TEST_S3_PORT"
    return 0
  fi
  local p
  for ((p = DEFAULT_PORT; p < DEFAULT_PORT + PORT_TRIES; p++)); do
    if port_free "$p"; then
      echo "$p"
      return 0
    fi
  done
  die "no free port in $DEFAULT_PORT..$((DEFAULT_PORT + PORT_TRIES - 1)); set TEST_S3_PORT"
}

start() {
  if running_port >/dev/null; then
    log "S3 server (moto) already running on port $(cat "$PORT_FILE")"
    return 0
  fi
  install
  mkdir -p "$HOME_DIR"
  local port
  port=$(pick_port)
  INITIAL_NO_AUTH_ACTION_COUNT=$NO_AUTH_ACTIONS MOTO_ALLOW_NONEXISTENT_REGION=true \
    setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  echo "$port" >"$PORT_FILE"
  local i
  for ((i = 0; i < 300; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
      bootstrap_credentials "$port" || { stop; die "could not create the test access key (log: $LOG_FILE)"; }
      log "S3 server (moto $MOTO_VERSION) listening on http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$(cat "$PID_FILE")" 2>/dev/null || { tail -n 20 "$LOG_FILE" >&2; die "moto_server exited at start"; }
    sleep 0.2
  done
  stop
  die "moto_server did not answer on port $port within 60 s (log: $LOG_FILE)"
}

# The 3 unchecked requests: IAM user, access key, policy. The key's two halves go to CREDENTIALS_FILE.
bootstrap_credentials() {
  S3_ENDPOINT="http://127.0.0.1:$1" "$VENV/bin/python" - >"$CREDENTIALS_FILE" <<'PY'
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["S3_ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="data-extract-tests")
key = iam.create_access_key(UserName="data-extract-tests")["AccessKey"]
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_user_policy(UserName="data-extract-tests", PolicyName="s3-all", PolicyDocument=json.dumps(policy))
print(key["AccessKeyId"])
print(key["SecretAccessKey"])
PY
}

stop() {
  if [[ -f $PID_FILE ]]; then
    local pid
    pid=$(cat "$PID_FILE")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      log "S3 server stopped"
    fi
    rm -f "$PID_FILE" "$PORT_FILE" "$CREDENTIALS_FILE"
  fi
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) running_port || exit 3 ;;
  env)
    port=$(running_port) || die "the S3 server is not running (scripts/s3-server.sh start)"
    printf 'export TEST_S3_ENDPOINT=%q\n' "http://127.0.0.1:$port"
    { read -r key_id && read -r secret; } <"$CREDENTIALS_FILE" || die "no test credentials in $CREDENTIALS_FILE"
    printf 'export TEST_S3_ACCESS_KEY_ID=%q\n' "$key_id"
    printf 'export TEST_S3_SECRET_ACCESS_KEY=%q\n' "$secret"
    ;;
  *) die "usage: scripts/s3-server.sh install|start|stop|status|env" ;;
esac

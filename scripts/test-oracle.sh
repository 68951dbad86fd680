#!/usr/bin/env bash
# `npm run test:oracle`: the Oracle tests against a real Oracle Database 23ai Free. Starts the container of
# compose.oracle.yaml and waits for its health check (or, with ORACLE_EXTERNAL=1, uses one already running at
# ORACLE_HOST:ORACLE_PORT, as the GitHub workflow's service container), creates the test user, then runs every
# target integration test's Oracle copy and every @oracle test (scripts/test.sh --grep), then the plan suite
# (tools/plan-tests.sh), all with TEST_ORACLE_TARGET_* pointing at it. The container is removed at the end unless
# KEEP_ORACLE=1. Needs a Docker engine: this project's build machines have none, so this has not run here (README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ORACLE_HOST=${ORACLE_HOST:-127.0.0.1}
ORACLE_PORT=${ORACLE_PORT:-1521}
# The disposable container's SYSTEM password and the test user's: fake, like every test credential here.
export ORACLE_SYSTEM_PASSWORD=${ORACLE_SYSTEM_PASSWORD:-oracle-test}
TEST_USER=${ORACLE_TEST_USER:-wms_test}
TEST_PASSWORD=${ORACLE_TEST_PASSWORD:-wms-test-pw}

started=false
stop_oracle() {
  if $started && [[ ${KEEP_ORACLE:-0} != 1 ]]; then docker compose -f compose.oracle.yaml down -v >&2 || true; fi
}
trap stop_oracle EXIT

if [[ ${ORACLE_EXTERNAL:-0} != 1 ]]; then
  command -v docker >/dev/null || die "docker not found: npm run test:oracle needs a Docker engine (or ORACLE_EXTERNAL=1 and a running database)"
  docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed)"
  log "starting gvenzl/oracle-free (first start takes a few minutes)"
  export ORACLE_PORT
  started=true
  docker compose -f compose.oracle.yaml up -d --wait --wait-timeout 900 >&2
fi

ensure_node_modules
npx tsc -p tsconfig.json >&2
node --input-type=module -e "import('./dist/tools/oracle-test-user.js').then((m) => m.run())" \
  "$ORACLE_HOST" "$ORACLE_PORT" "$ORACLE_SYSTEM_PASSWORD" "$TEST_USER" "$TEST_PASSWORD"
log "test user $TEST_USER ready on $ORACLE_HOST:$ORACLE_PORT/FREEPDB1"

export TEST_ORACLE_TARGET_HOST=$ORACLE_HOST TEST_ORACLE_TARGET_PORT=$ORACLE_PORT TEST_ORACLE_TARGET_SERVICE_NAME=FREEPDB1
export TEST_ORACLE_TARGET_USERNAME=$TEST_USER TEST_ORACLE_TARGET_PASSWORD=$TEST_PASSWORD
rc=0
TEST_SUITE=integration TEST_CHECKS=0 TEST_COVERAGE=0 bash scripts/test.sh --grep '@oracle|\(oracle[:)]' || rc=$?
bash tools/plan-tests.sh || rc=$?
exit "$rc"

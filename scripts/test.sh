#!/usr/bin/env bash
# `npm test`: from a fresh clone, installs and builds what the tests need, starts the servers, runs the suites.
#
#   npm test                            unit, integration, reliability, then the orchestration tier
#   TEST_SUITE=unit npm test            only unit tests (no PostgreSQL, no Meltano set up)
#   TEST_SUITE=integration npm test     only integration tests
#   TEST_SUITE=reliability npm test     only the fault and hostile-input campaign (tests/reliability)
#   TEST_SUITE=orchestration npm test   only the orchestration tier (Dagster; docs/scaling.md)
#   npm test -- --grep tap              extra arguments go to mocha
#
# Steps: `npm ci` (when node_modules is missing or older than package-lock.json); the checks `npm run typecheck`
# (tsc --noEmit), `npm run lint` (ESLint, type-checked rules and the import boundaries) and `npm run format:check`
# (Prettier), each counted as one failure when it fails; `npm run build`; PostgreSQL 15 on 127.0.0.1
# (scripts/pg.sh), Meltano in .cache/meltano-venv (scripts/meltano-venv.sh), the peer plugins of the side-by-side
# tests in .cache/peer-venvs (scripts/peer-venvs.sh) and the S3-compatible server of the Data Extract tests (moto in
# .cache/moto-venv, scripts/s3-server.sh); the suites under c8, whose coverage
# per folder is printed at the end (scripts/coverage-summary.cjs). A server this script started is stopped at the
# end; one already running is left alone. TEST_CHECKS=0 skips the three checks and TEST_COVERAGE=0 the coverage
# (for quick local runs; CI runs everything). The last stdout line is "N passed, N failed, N skipped" over both
# suites plus the checks; the exit status is 1 if anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

SUITE=${TEST_SUITE:-all}
case $SUITE in
  unit | integration | reliability | orchestration | all) ;;
  *) die "TEST_SUITE must be unit, integration, reliability, orchestration or all (got '$SUITE')" ;;
esac

t0=$SECONDS
passed=0 failed=0 skipped=0

# tsc never deletes outputs, so a renamed or deleted test would keep running from dist/.
prune_stale_dist() {
  [[ -d dist ]] || return 0
  local js src n=0
  while IFS= read -r -d '' js; do
    src=${js#dist/}
    src=${src%.js}.ts
    if [[ ! -f $src ]]; then
      rm -f "$js" "$js.map"
      n=$((n + 1))
    fi
  done < <(find dist -name '*.js' -print0)
  if ((n > 0)); then log "removed $n compiled files in dist/ whose .ts source is gone"; fi
}

pg_started=false
s3_started=false
stop_servers() {
  if $pg_started; then
    pg_started=false
    bash scripts/pg.sh stop || log "warning: could not stop PostgreSQL"
  fi
  if $s3_started; then
    s3_started=false
    bash scripts/s3-server.sh stop || log "warning: could not stop the S3 server"
  fi
}
mocha_pid=""
on_signal() {
  if [[ -n $mocha_pid ]]; then kill -TERM "$mocha_pid" 2>/dev/null || true; fi
  exit "$1"
}
# CI reads the closing count line: print one even when setup fails or a signal cuts the run short.
summary_printed=false
on_exit() {
  local rc=$?
  stop_servers
  if ! $summary_printed; then
    log "error: run ended early (exit $rc); counted as 1 failure"
    printf '\n%d passed, %d failed, %d skipped\n' "$passed" "$((failed + 1))" "$skipped"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

start_servers() {
  if ! bash scripts/pg.sh status >/dev/null 2>&1; then pg_started=true; fi
  bash scripts/pg.sh start
  eval "$(bash scripts/pg.sh env)"
  log "PostgreSQL for tests: $TEST_PG_URL"
  bash scripts/meltano-venv.sh
  export MELTANO_BIN="$CACHE_DIR/meltano-venv/bin/meltano"
  # Other projects' plugins for the side-by-side tests; without PyPI those tests skip and say so.
  local peers_rc=0
  bash scripts/peer-venvs.sh target-postgres || peers_rc=$?
  if ((peers_rc == 75)); then
    log "warning: PyPI cannot be reached: the tests that need a peer plugin will skip"
  elif ((peers_rc != 0)); then
    die "scripts/peer-venvs.sh failed (exit $peers_rc)"
  fi
  # The Data Extract tests' S3 server; without PyPI (moto not installable) they skip with this reason, in CI too.
  local s3_rc=0
  if ! bash scripts/s3-server.sh status >/dev/null 2>&1; then s3_started=true; fi
  bash scripts/s3-server.sh start || s3_rc=$?
  if ((s3_rc == 75)); then
    s3_started=false
    export TEST_S3_UNAVAILABLE='PyPI cannot be reached, so moto (the S3-compatible test server) could not be installed (scripts/s3-server.sh)'
    log "warning: $TEST_S3_UNAVAILABLE: the tests that need it will skip"
  elif ((s3_rc != 0)); then
    die "scripts/s3-server.sh start failed (exit $s3_rc)"
  else
    eval "$(bash scripts/s3-server.sh env)"
    log "S3-compatible server for tests: $TEST_S3_ENDPOINT"
  fi
}

# run_suite unit|integration [mocha args…]: adds its counts to the totals.
run_suite() {
  local name=$1 dir="dist/tests/$1"
  shift
  if [[ -z $(find "$dir" -name '*.test.js' -print -quit 2>/dev/null) ]]; then
    log "no $name tests under $dir"
    return 0
  fi
  local summary rc=0
  summary=$(mktemp)
  printf '\n=== %s tests ===\n' "$name"
  local runner=()
  # c8 sets NODE_V8_COVERAGE, so every process the tests spawn (the real bins) is measured too.
  if [[ $COVERAGE == 1 ]]; then runner=(node_modules/.bin/c8 --clean=false --reporter=none --temp-directory "$COVERAGE_TMP"); fi
  # In the background so that a SIGTERM to this script is handled now, not after the suite.
  MOCHA_SUMMARY_FILE=$summary "${runner[@]}" node_modules/.bin/mocha --config .mocharc.cjs \
    --reporter "$ROOT/scripts/mocha-summary-reporter.cjs" "$dir/**/*.test.js" "$@" &
  mocha_pid=$!
  wait "$mocha_pid" || rc=$?
  mocha_pid=""
  if [[ ! -s $summary ]]; then
    log "error: mocha exited with $rc before reporting $name results (counted as 1 failure)"
    failed=$((failed + 1))
  else
    local p f s
    read -r p f s < <(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(r.passes, r.failures, r.pending)' "$summary")
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if ((rc != 0 && f == 0)); then
      log "error: mocha exited with $rc after $name tests without a failing test (counted as 1 failure)"
      failed=$((failed + 1))
    fi
  fi
  rm -f "$summary"
}

# Meltano must never phone home, whoever runs it under the tests.
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false MELTANO_DISABLE_TRACKING=true MELTANO_CLI_DISABLE_VERSION_CHECK=true

# check NAME COMMAND…: runs one static check; a failure counts as one failed test and the run goes on.
check() {
  local name=$1
  shift
  log "check: $name"
  if ! "$@" >&2; then
    log "error: $name failed (counted as 1 failure)"
    failed=$((failed + 1))
  fi
}

COVERAGE=${TEST_COVERAGE:-1}
COVERAGE_TMP="$CACHE_DIR/coverage-tmp"

ensure_node_modules
prune_stale_dist
if [[ ${TEST_CHECKS:-1} == 1 ]]; then
  check 'tsc --noEmit' npm run --silent typecheck
  check 'ESLint' npm run --silent lint
  check 'Prettier' npm run --silent format:check
fi
if [[ $COVERAGE == 1 ]]; then rm -rf "$COVERAGE_TMP" && mkdir -p "$COVERAGE_TMP"; fi
if ! npm run --silent build >&2; then
  log "error: TypeScript build failed (counted as 1 failure; tests run on what tsc emitted)"
  failed=$((failed + 1))
fi
if [[ $SUITE != unit ]]; then start_servers; fi
log "setup done in $((SECONDS - t0))s"

if [[ $SUITE == all || $SUITE == unit ]]; then run_suite unit "$@"; fi
if [[ $SUITE == all || $SUITE == integration ]]; then run_suite integration "$@"; fi
if [[ $SUITE == all || $SUITE == reliability ]]; then run_suite reliability "$@"; fi
# After the others: installing Dagster takes minutes on a fresh machine (a stamp check after), see docs/scaling.md.
if [[ $SUITE == all || $SUITE == orchestration ]]; then
  t_dagster=$SECONDS
  if bash scripts/dagster-venv.sh; then
    log "Dagster ready in $((SECONDS - t_dagster))s"
    export DAGSTER_BIN="$CACHE_DIR/dagster-venv/bin/dagster"
    run_suite orchestration "$@"
  else
    log "error: could not install Dagster (counted as 1 failure)"
    failed=$((failed + 1))
  fi
fi
stop_servers
if [[ $COVERAGE == 1 ]]; then
  printf '\n=== coverage ===\n'
  node_modules/.bin/c8 report --temp-directory "$COVERAGE_TMP" --reporter=json-summary --report-dir "$CACHE_DIR/coverage" >&2 \
    && node scripts/coverage-summary.cjs "$CACHE_DIR/coverage/coverage-summary.json" \
    || log "warning: no coverage report"
  rm -rf "$COVERAGE_TMP"
fi

summary_printed=true
printf '\n%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[[ $failed -eq 0 ]] || exit 1

#!/usr/bin/env bash
# `npm test`: from a fresh clone, installs and builds what the tests need, starts the servers, runs the suites.
#
#   npm test                            unit, integration, then reliability with the orchestration tier beside it
#   TEST_SUITE=unit npm test            only unit tests (no PostgreSQL, no Meltano set up)
#   TEST_SUITE=integration npm test     only integration tests
#   TEST_SUITE=reliability npm test     only the fault and hostile-input campaign (tests/reliability)
#   TEST_SUITE=orchestration npm test   only the orchestration tier (Dagster; docs/scaling.md)
#   npm test -- --grep tap              extra arguments go to mocha
#   TEST_JOBS=3 npm test                integration, reliability and orchestration files run at once (default 2;
#                                       1 = one by one; reliability's and orchestration's beside each other)
#
# Steps: the installs the suites need start first, in the background (they wait on the network, so they overlap
# the CPU-bound steps): PostgreSQL 15 on 127.0.0.1 (scripts/pg.sh), Meltano in .cache/meltano-venv
# (scripts/meltano-venv.sh), the peer plugins of the side-by-side tests in .cache/peer-venvs (scripts/peer-venvs.sh),
# the S3-compatible server of the Data Extract tests (moto in .cache/moto-venv, scripts/s3-server.sh) and Dagster
# (scripts/dagster-venv.sh); each one's output is printed when the run first needs it. Then `npm ci` (when
# node_modules is missing or older than package-lock.json); the checks, each counted as one failure when it fails:
# tsc (`npm run build`, which type-checks everything it emits: a second `tsc --noEmit` would only repeat it),
# `npm run lint` (ESLint, type-checked rules and the import boundaries; in the background beside the build, the
# Prettier check and the unit suite, as it is the longest and uses one core), `npm run format:check` (Prettier) and
# `npm run knip` (files, exports and dependencies nothing uses: knip.jsonc);
# the suites under c8, whose coverage per folder is printed at the end (scripts/coverage-summary.cjs). Each suite
# runs with its own empty TMPDIR: anything left in it at the suite's end is named and counted as one failure. With
# every suite, the orchestration tier runs beside the reliability suite, its output printed after that suite's. The
# slowest test files of each suite are named after it (scripts/mocha-summary-reporter.cjs). A server this script
# started is stopped at the end; one already running is left alone. TEST_CHECKS=0 skips ESLint, Prettier and knip (tsc
# always runs, as the build) and TEST_COVERAGE=0 the coverage (for quick local runs; CI runs everything). The last
# stdout line is "N passed, N failed, N skipped" over the suites plus the checks; the exit status is 1 if anything
# failed.
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

# Background jobs (installs, the ESLint check): `spawn NAME COMMAND…` starts one with its output in a log file;
# `await_job NAME` waits for it, prints that log on stderr and returns its exit status. Run from this shell only.
JOB_LOGS="$CACHE_DIR/test-jobs"
declare -A job_pid=()
spawn() {
  local name=$1
  shift
  mkdir -p "$JOB_LOGS"
  (
    start=$SECONDS
    rc=0
    "$@" || rc=$?
    printf '[test] %s: exit %d after %d s\n' "$name" "$rc" "$((SECONDS - start))"
    exit "$rc"
  ) >"$JOB_LOGS/$name.log" 2>&1 &
  job_pid[$name]=$!
}
await_job() {
  local name=$1 rc=0
  wait "${job_pid[$name]}" || rc=$?
  unset "job_pid[$name]"
  cat "$JOB_LOGS/$name.log" >&2
  return "$rc"
}
stop_jobs() {
  local name
  for name in "${!job_pid[@]}"; do kill -TERM "${job_pid[$name]}" 2>/dev/null || true; done
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
orch_pid=""
on_signal() {
  if [[ -n $mocha_pid ]]; then kill -TERM "$mocha_pid" 2>/dev/null || true; fi
  if [[ -n $orch_pid ]]; then kill -TERM "$orch_pid" 2>/dev/null || true; fi
  exit "$1"
}
# CI reads the closing count line: print one even when setup fails or a signal cuts the run short.
summary_printed=false
on_exit() {
  local rc=$?
  if [[ -n $orch_pid ]]; then kill -TERM "$orch_pid" 2>/dev/null || true; fi
  stop_jobs
  stop_servers
  if [[ -n ${RUN_TMP:-} ]]; then rm -rf "$RUN_TMP"; fi
  if ! $summary_printed; then
    log "error: run ended early (exit $rc); counted as 1 failure"
    printf '\n%d passed, %d failed, %d skipped\n' "$passed" "$((failed + 1))" "$skipped"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# The installs wait on the network, not the CPU: they run while the checks, the build and the unit suite do.
spawn_installs() {
  if [[ $SUITE != unit ]]; then
    if ! bash scripts/pg.sh status >/dev/null 2>&1; then pg_started=true; fi
    spawn postgresql bash scripts/pg.sh start
    spawn meltano bash scripts/meltano-venv.sh
    spawn peers bash scripts/peer-venvs.sh target-postgres
    if ! bash scripts/s3-server.sh status >/dev/null 2>&1; then s3_started=true; fi
    spawn s3-server bash scripts/s3-server.sh start
  fi
  if [[ $SUITE == all || $SUITE == orchestration ]]; then spawn dagster bash scripts/dagster-venv.sh; fi
}

# Waits for the installs of the integration and reliability suites and exports what the tests read.
await_servers() {
  await_job postgresql || die "scripts/pg.sh start failed"
  eval "$(bash scripts/pg.sh env)"
  log "PostgreSQL for tests: $TEST_PG_URL"
  await_job meltano || die "scripts/meltano-venv.sh failed"
  export MELTANO_BIN="$CACHE_DIR/meltano-venv/bin/meltano"
  # Other projects' plugins for the side-by-side tests; without PyPI those tests skip and say so.
  local peers_rc=0
  await_job peers || peers_rc=$?
  if ((peers_rc == 75)); then
    log "warning: PyPI cannot be reached: the tests that need a peer plugin will skip"
  elif ((peers_rc != 0)); then
    die "scripts/peer-venvs.sh failed (exit $peers_rc)"
  fi
  # The Data Extract tests' S3 server; without PyPI (moto not installable) they skip with this reason, in CI too.
  local s3_rc=0
  await_job s3-server || s3_rc=$?
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

# How many of a suite's slowest test files to name after it.
SLOWEST_FILES=8

# Each suite runs with its own empty TMPDIR (inherited by every process it spawns); whatever is still in it when
# the suite ends is a leak: named, counted as one failure, then removed.
RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wms-pipeline-tests.XXXXXX")

# check_leftovers NAME DIR: the TMPDIR check after a suite.
check_leftovers() {
  local name=$1 dir=$2 leftovers
  leftovers=$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
  if [[ -n $leftovers ]]; then
    log "error: the $name suite left $(wc -l <<<"$leftovers") entries in its TMPDIR (counted as 1 failure; a test or helper does not remove what it made):"
    head -n 20 <<<"$leftovers" | sed 's/^/  /' >&2
    failed=$((failed + 1))
  fi
  rm -rf "$dir"
}

# Suites whose files run side by side, TEST_JOBS at a time (default 2, one per CPU: these suites wait on processes,
# Python starts and the simulator, but the Meltano files run Python for much of their time), in separate mocha
# worker processes, the slowest ones first (tests/slow-files.txt). A file that cannot share the machine is named with
# its reason in tests/serial-files.txt and runs after the others, alone. The reliability suite's secret scan is one
# of them: it reads what every other file of the suite captured, which each mocha process writes to the suite's
# TEST_CAPTURE_DIR (tests/helpers/captured-output.ts).
PARALLEL_SUITES=" integration reliability orchestration "
JOBS=${TEST_JOBS:-2}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "TEST_JOBS must be a positive whole number (got '$JOBS')"
SERIAL_LIST=tests/serial-files.txt

# The slowest files of these suites, slowest first: mocha --parallel hands files to its workers in the order given, so
# these start first and the shorter ones fill in beside them, and the workers end close together.
SLOW_LIST=tests/slow-files.txt

# listed_files LIST: the compiled paths of the files LIST names, in its order (it must name only files that exist).
listed_files() {
  local list=$1 line src
  while IFS= read -r line; do
    src=${line%%#*}
    src=${src//[[:space:]]/}
    [[ -n $src ]] || continue
    [[ -f $src ]] || die "$list names $src, which does not exist"
    printf 'dist/%s.js\n' "${src%.ts}"
  done <"$list"
}

# run_mocha SUMMARY_FILE TMPDIR CAPTURE_DIR [mocha args…]: one mocha run under c8 (when on); its exit status.
run_mocha() {
  local summary=$1 tmp=$2 capture=$3 rc=0
  shift 3
  local runner=()
  # c8 sets NODE_V8_COVERAGE, so every process the tests spawn (mocha's workers and the real bins) is measured too.
  if [[ $COVERAGE == 1 ]]; then runner=(node_modules/.bin/c8 --clean=false --reporter=none --temp-directory "$COVERAGE_TMP"); fi
  # In the background so that a SIGTERM to this script is handled now, not after the suite.
  TMPDIR=$tmp TEST_CAPTURE_DIR=$capture MOCHA_SUMMARY_FILE=$summary "${runner[@]}" node_modules/.bin/mocha --config .mocharc.cjs \
    --reporter "$ROOT/scripts/mocha-summary-reporter.cjs" "$@" &
  mocha_pid=$!
  wait "$mocha_pid" || rc=$?
  mocha_pid=""
  return "$rc"
}

# run_suite unit|integration|… [mocha args…]: adds its counts to the totals.
run_suite() {
  local name=$1 dir="dist/tests/$1"
  shift
  local all=()
  mapfile -t all < <(find "$dir" -name '*.test.js' 2>/dev/null | sort)
  if ((${#all[@]} == 0)); then
    log "no $name tests under $dir"
    return 0
  fi
  # What the suite's mocha processes captured for the reliability secret scan: outside the suite's TMPDIR, whose
  # leftovers are counted, and removed with RUN_TMP.
  local t_suite=$SECONDS suite_tmp="$RUN_TMP/$name" capture="$RUN_TMP/$name-captured" summaries=() rc=0 summary
  mkdir -p "$suite_tmp" "$capture"
  printf '\n=== %s tests ===\n' "$name"
  if [[ $PARALLEL_SUITES == *" $name "* ]] && ((JOBS > 1)); then
    local serial=() side=() file listed
    declare -A is_serial=() is_slow=()
    listed=$(listed_files "$SERIAL_LIST")
    for file in $listed; do is_serial[$file]=1; done
    # The suite's files that tests/slow-files.txt names first, in its order; then the others.
    listed=$(listed_files "$SLOW_LIST")
    for file in $listed; do
      if [[ $file == "$dir"/* && -f $file && -z ${is_serial[$file]:-} ]]; then
        is_slow[$file]=1
        side+=("$file")
      fi
    done
    for file in "${all[@]}"; do
      if [[ -n ${is_serial[$file]:-} ]]; then
        serial+=("$file")
      elif [[ -z ${is_slow[$file]:-} ]]; then side+=("$file"); fi
    done
    if ((${#side[@]} > 0)); then
      log "$name: ${#side[@]} files, $JOBS at a time"
      summary=$(mktemp) && summaries+=("$summary")
      run_mocha "$summary" "$suite_tmp" "$capture" --parallel --jobs "$JOBS" "${side[@]}" "$@" || rc=$?
    fi
    if ((${#serial[@]} > 0)); then
      log "$name: ${#serial[@]} files one at a time ($SERIAL_LIST)"
      summary=$(mktemp) && summaries+=("$summary")
      local serial_rc=0
      run_mocha "$summary" "$suite_tmp" "$capture" "${serial[@]}" "$@" || serial_rc=$?
      if ((rc == 0)); then rc=$serial_rc; fi
    fi
  else
    summary=$(mktemp) && summaries+=("$summary")
    run_mocha "$summary" "$suite_tmp" "$capture" "$dir/**/*.test.js" "$@" || rc=$?
  fi
  local missing=0
  for summary in "${summaries[@]}"; do [[ -s $summary ]] || missing=$((missing + 1)); done
  if ((missing > 0)); then
    log "error: mocha exited with $rc before reporting $name results (counted as 1 failure)"
    failed=$((failed + 1))
  fi
  local p f s
  read -r p f s < <(node -e 'const fs = require("fs"); const t = { passes: 0, failures: 0, pending: 0 };
    for (const f of process.argv.slice(1)) {
      if (fs.statSync(f).size === 0) continue;
      const r = JSON.parse(fs.readFileSync(f, "utf8"));
      for (const k of Object.keys(t)) t[k] += r[k];
    }
    console.log(t.passes, t.failures, t.pending)' "${summaries[@]}")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if ((rc != 0 && f == 0 && missing == 0)); then
    log "error: mocha exited with $rc after $name tests without a failing test (counted as 1 failure)"
    failed=$((failed + 1))
  fi
  log "$name suite: $((SECONDS - t_suite)) s; slowest files (time spent in their hooks and tests):"
  node -e 'const fs = require("fs");
    const files = process.argv.slice(3).filter((f) => fs.statSync(f).size > 0)
      .flatMap((f) => JSON.parse(fs.readFileSync(f, "utf8")).files);
    const root = process.argv[1] + "/";
    for (const f of files.sort((a, b) => b.ms - a.ms).slice(0, Number(process.argv[2])))
      console.error(`  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name.replace(root, "")}`);' \
    "$ROOT" "$SLOWEST_FILES" "${summaries[@]}"
  rm -f "${summaries[@]}"
  check_leftovers "$name" "$suite_tmp"
  rm -rf "$capture"
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
CHECKS=${TEST_CHECKS:-1}

spawn_installs
ensure_node_modules
prune_stale_dist
if [[ $CHECKS == 1 ]]; then spawn eslint npm run --silent lint; fi
if [[ $COVERAGE == 1 ]]; then rm -rf "$COVERAGE_TMP" && mkdir -p "$COVERAGE_TMP"; fi
# The build is the type check: tsc emits even with type errors, so the tests still run on what it emitted.
check 'tsc (npm run build)' npm run --silent build
if [[ $CHECKS == 1 ]]; then
  check 'Prettier' npm run --silent format:check
  check 'knip (unused files, exports, dependencies)' npm run --silent knip
fi
log "setup done in $((SECONDS - t0))s"

if [[ $SUITE == all || $SUITE == unit ]]; then run_suite unit "$@"; fi
if [[ $CHECKS == 1 ]]; then
  log "check: ESLint"
  await_job eslint || {
    log "error: ESLint failed (counted as 1 failure)"
    failed=$((failed + 1))
  }
fi
if [[ $SUITE != unit ]]; then
  t_wait=$SECONDS
  await_servers
  log "servers ready after $((SECONDS - t_wait)) s more"
fi
if [[ $SUITE == all || $SUITE == integration ]]; then run_suite integration "$@"; fi
# The orchestration tier, in the background beside the reliability suite when both run: its files mostly wait (on
# the Dagster daemon, Python starts, the simulator), and it has its own mocha process, TMPDIR and capture folder.
# Its output goes to a log printed once the reliability suite has ended, then its counts are added.
ORCH_LOG="$JOB_LOGS/orchestration-suite.log"
ORCH_COUNTS="$JOB_LOGS/orchestration-suite.counts"
start_orchestration() {
  mkdir -p "$JOB_LOGS"
  rm -f "$ORCH_COUNTS"
  (
    trap - EXIT
    trap 'on_signal 143' TERM INT
    passed=0 failed=0 skipped=0
    run_suite orchestration "$@"
    printf '%d %d %d\n' "$passed" "$failed" "$skipped" >"$ORCH_COUNTS"
  ) >"$ORCH_LOG" 2>&1 &
  orch_pid=$!
}
await_orchestration() {
  local rc=0 p f s
  wait "$orch_pid" || rc=$?
  orch_pid=""
  cat "$ORCH_LOG"
  if [[ -s $ORCH_COUNTS ]] && read -r p f s <"$ORCH_COUNTS"; then
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    rm -f "$ORCH_COUNTS"
  else
    log "error: the orchestration suite ended (exit $rc) without its counts (counted as 1 failure)"
    failed=$((failed + 1))
  fi
}
orchestration=false
# Installing Dagster takes minutes on a fresh machine (a stamp check after), see docs/scaling.md.
if [[ $SUITE == all || $SUITE == orchestration ]]; then
  if await_job dagster; then
    export DAGSTER_BIN="$CACHE_DIR/dagster-venv/bin/dagster"
    orchestration=true
  else
    log "error: could not install Dagster (counted as 1 failure)"
    failed=$((failed + 1))
  fi
fi
if [[ $SUITE == all ]] && $orchestration; then
  log "the orchestration tier runs beside the reliability suite; its output follows the reliability suite's"
  start_orchestration "$@"
  run_suite reliability "$@"
  await_orchestration
else
  if [[ $SUITE == all || $SUITE == reliability ]]; then run_suite reliability "$@"; fi
  if $orchestration; then run_suite orchestration "$@"; fi
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

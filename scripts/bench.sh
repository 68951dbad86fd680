#!/usr/bin/env bash
# `npm run bench`: the bench report (bench/run.ts) from a fresh clone. Installs what it needs (npm packages, GNU time,
# the peer targets from PyPI in .cache/peer-venvs), starts the private PostgreSQL and the S3-compatible server of the
# Data Extract step (scripts/s3-server.sh: moto; each stopped again if this script started it), builds, runs.
# Arguments go to bench/run.ts (e.g. `npm run bench -- --rows 100000 --pair 10000,100000 --de-rows 100000,1000000`).
# Without PyPI the peers are listed as not installed and the Data Extract step as not run; everything else still runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_node_modules
[[ -x /usr/bin/time ]] || apt_install time
peers_rc=0
bash scripts/peer-venvs.sh target-postgres pipelinewise-target-postgres || peers_rc=$?
if ((peers_rc == 75)); then log "warning: PyPI cannot be reached: the report will have no peer figures"
elif ((peers_rc != 0)); then die "scripts/peer-venvs.sh failed (exit $peers_rc)"; fi
npm run --silent build

pg_started=false
s3_started=false
if ! bash scripts/pg.sh status >/dev/null 2>&1; then pg_started=true; fi
stop_servers() {
  if $pg_started; then bash scripts/pg.sh stop || log "warning: could not stop PostgreSQL"; fi
  if $s3_started; then bash scripts/s3-server.sh stop || log "warning: could not stop the S3 server"; fi
}
trap stop_servers EXIT
bash scripts/pg.sh start
eval "$(bash scripts/pg.sh env)"
if ! bash scripts/s3-server.sh status >/dev/null 2>&1; then s3_started=true; fi
s3_rc=0
bash scripts/s3-server.sh start || s3_rc=$?
if ((s3_rc == 0)); then eval "$(bash scripts/s3-server.sh env)"
elif ((s3_rc == 75)); then s3_started=false; log "warning: PyPI cannot be reached: the report will have no Data Extract figures"
else die "scripts/s3-server.sh start failed (exit $s3_rc)"; fi
node dist/bench/run.js "$@"

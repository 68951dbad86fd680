#!/usr/bin/env bash
# The test plan's execution guidelines (seed-test-plan.md) as one runner for tests/integration/plan:
#
#   npm run test:plan                              all plan scenarios           (pytest tests/integration/ -v)
#   npm run test:plan:file -- end-to-end           one file                     (pytest tests/integration/<file>.py -v)
#   npm run test:plan:performance                  @performance only            (pytest -m performance)
#   npm run test:plan:slow                         300 s timeout per test       (pytest --timeout=300)
#   TEST_ENVIRONMENT=staging npm run test:plan:env environment label            (TEST_ENVIRONMENT=integration pytest …)
#
# Installs and builds like `npm test` (scripts/test.sh), starts the private PostgreSQL unless it runs (and stops it
# again), then runs mocha. Extra arguments go to mocha. Live systems: export TEST_ORACLE_WMS_* / TEST_ORACLE_TARGET_*.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

files=()
if [[ ${1:-} == --file ]]; then
  [[ -n ${2:-} ]] || { echo "usage: $0 --file NAME (one of: $(cd tests/integration/plan && ls ./*.test.ts | sed 's#./##; s#.test.ts##' | tr '\n' ' '))" >&2; exit 2; }
  files=("dist/tests/integration/plan/${2%.test.ts}.test.js")
  shift 2
else
  files=(dist/tests/integration/plan/*.test.js)
fi

stamp=node_modules/.package-lock.sha256
want=$({ node --version; cat package-lock.json; } | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp"
fi
npx tsc -p tsconfig.json >&2 || echo "[plan-tests] warning: tsc reported errors; running what it emitted" >&2
[[ -f ${files[0]} ]] || { echo "[plan-tests] ${files[0]} not found" >&2; exit 2; }

pg_started=false
if [[ -z ${TEST_ORACLE_TARGET_HOST:-} ]]; then
  if ! bash scripts/pg.sh status >/dev/null 2>&1; then pg_started=true; fi
  bash scripts/pg.sh start
  trap 'if $pg_started; then bash scripts/pg.sh stop; fi' EXIT
  eval "$(bash scripts/pg.sh env)"
fi
echo "[plan-tests] TEST_ENVIRONMENT=${TEST_ENVIRONMENT:-integration}; WMS: ${TEST_ORACLE_WMS_HOST:-simulator}; target: ${TEST_ORACLE_TARGET_HOST:-PostgreSQL ${TEST_PG_HOST:-}:${TEST_PG_PORT:-}}" >&2
node_modules/.bin/mocha --config .mocharc.cjs "${files[@]}" "$@"

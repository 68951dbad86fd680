#!/usr/bin/env bash
# Regenerates catalogs/tap-oracle-wms.catalog.json: `tap-oracle-wms --discover` against the simulator's default
# tenant, started in-process on a free port. Needs a compiled tree (npx tsc -p tsconfig.json); no npm involved.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node dist/tests/integration/tap/update-catalog.js catalogs/tap-oracle-wms.catalog.json

#!/usr/bin/env bash
# Writes docs/settings/<executable>.md from each executable's own `--about --format markdown`, i.e. from the same
# settings schemas that validate config and generate meltano.yml. tests/integration/foundation/settings-docs checks
# the committed files are current. Run after `npm run build`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for bin in tap-oracle-wms target-oracle wms-pipeline; do
  node "bin/$bin.js" --about --format markdown > "docs/settings/$bin.md"
  echo "wrote docs/settings/$bin.md" >&2
done

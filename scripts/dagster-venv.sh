#!/usr/bin/env bash
# Dagster with dagster-meltano for the orchestration tests, in its own project-local virtualenv
# (.cache/dagster-venv), pinned with scripts/dagster-constraints.txt; Meltano itself stays in .cache/meltano-venv and
# is found on PATH by dagster-meltano. Reruns are a stamp check unless the pins changed. dagster-meltano 1.5.5 imports
# dagster-shell, whose last release (0.25.13) requires dagster 1.9.13: that pair fixes the Dagster version.
# Prints nothing on stdout; the executable is .cache/dagster-venv/bin/dagster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(dagster==1.9.13 dagster-shell==0.25.13 dagster-meltano==1.5.5)
VENV="$CACHE_DIR/dagster-venv"
CONSTRAINTS="$ROOT/scripts/dagster-constraints.txt"
STAMP="$VENV/.installed"

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (Dagster needs Python 3.9-3.12)"

want_stamp() {
  { printf '%s\n' "${PACKAGES[@]}"; "$PYTHON" --version; cat "$CONSTRAINTS"; } | sha256sum | cut -d' ' -f1
}

want=$(want_stamp)
if [[ -x $VENV/bin/dagster && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
  log "dagster already installed in $VENV"
  exit 0
fi

log "creating $VENV with ${PACKAGES[*]} (first run takes a few minutes)"
t0=$SECONDS
rm -rf "$VENV"
mkdir -p "$CACHE_DIR"
# Debian's python3 ships venv without ensurepip until python3-venv is installed.
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
  rm -rf "$VENV"
  apt_install python3-venv
  "$PYTHON" -m venv "$VENV"
fi
venv_install "$VENV" --constraint "$CONSTRAINTS" "${PACKAGES[@]}" >&2 || die "installing ${PACKAGES[*]} failed"
"$VENV/bin/python" -c 'import dagster_meltano' || die "dagster_meltano does not import"
echo "$want" >"$STAMP"
log "installed ${PACKAGES[*]} in $VENV in $((SECONDS - t0)) s"

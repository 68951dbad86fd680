#!/usr/bin/env bash
# Meltano for the tests, in a project-local virtualenv (.cache/meltano-venv), pinned to one version with its
# dependencies held by scripts/meltano-constraints.txt. Reruns are a stamp check unless the pins changed.
# The `postgres` extra brings psycopg 3, the driver of a PostgreSQL system database (database_uri
# postgresql+psycopg://…; a bare postgresql:// URI would ask SQLAlchemy for psycopg2, which is not installed).
# Prints nothing on stdout; the executable is .cache/meltano-venv/bin/meltano.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MELTANO_VERSION=4.4.1
MELTANO_EXTRAS=postgres
VENV="$CACHE_DIR/meltano-venv"
CONSTRAINTS="$ROOT/scripts/meltano-constraints.txt"
STAMP="$VENV/.installed"

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (Meltano needs Python 3.10+)"

want_stamp() {
  { echo "meltano[$MELTANO_EXTRAS]==$MELTANO_VERSION"; "$PYTHON" --version; if [[ -f $CONSTRAINTS ]]; then cat "$CONSTRAINTS"; fi; } | sha256sum | cut -d' ' -f1
}

want=$(want_stamp)
if [[ -x $VENV/bin/meltano && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
  log "meltano $MELTANO_VERSION already installed in $VENV"
  exit 0
fi

log "creating $VENV with meltano[$MELTANO_EXTRAS]==$MELTANO_VERSION (first run takes a minute)"
rm -rf "$VENV"
mkdir -p "$CACHE_DIR"
# Debian's python3 ships venv without ensurepip until python3-venv is installed.
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
  rm -rf "$VENV"
  apt_install python3-venv
  "$PYTHON" -m venv "$VENV"
fi
install_args=()
[[ -f $CONSTRAINTS ]] && install_args+=(--constraint "$CONSTRAINTS")
venv_install "$VENV" "${install_args[@]}" "meltano[$MELTANO_EXTRAS]==$MELTANO_VERSION" >&2 \
  || die "installing meltano==$MELTANO_VERSION failed"
got=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("meltano"))')
[[ $got == "$MELTANO_VERSION" ]] || die "installed meltano $got, wanted $MELTANO_VERSION"
"$VENV/bin/python" -c 'import psycopg' || die "the postgres extra did not install psycopg"
echo "$want" >"$STAMP"
log "installed meltano $MELTANO_VERSION in $VENV"

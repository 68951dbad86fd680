#!/usr/bin/env bash
# Other projects' Singer plugins from PyPI, each in its own virtualenv under .cache/peer-venvs/<name>, for tests
# and benchmarks that run our plugins side by side with them (e.g. our tap into MeltanoLabs target-postgres).
#
#   scripts/peer-venvs.sh NAME...   install (or check) each named peer; `scripts/peer-venvs.sh --list` names them
#
# Each peer is pinned here, its dependencies by scripts/peer-constraints/<name>.txt when that file exists.
# Reruns are a stamp check unless the pins changed. The executable is .cache/peer-venvs/<name>/bin/<name> (or the
# name EXECUTABLES gives).
# Prints nothing on stdout. Exit 75 when PyPI cannot be reached (callers skip what needs the peer), 1 on any
# other failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# name → pip requirement
declare -A PEERS=(
  [target-postgres]='meltanolabs-target-postgres==0.8.1'
  [pipelinewise-target-postgres]='pipelinewise-target-postgres==2.1.2'
)
# name → executable, where the package's console script is not named after the peer
declare -A EXECUTABLES=(
  [pipelinewise-target-postgres]='target-postgres'
)
EX_UNREACHABLE=75
PYTHON=${PYTHON:-python3}

if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${!PEERS[@]}" | sort
  exit 0
fi
[[ $# -gt 0 ]] || die "usage: scripts/peer-venvs.sh NAME... (known: $(printf '%s ' "${!PEERS[@]}"))"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (the peers need Python 3.10+)"

install_peer() {
  local name=$1 requirement=${PEERS[$1]:-}
  [[ -n $requirement ]] || die "unknown peer '$name' (known: $(printf '%s ' "${!PEERS[@]}"))"
  local executable=${EXECUTABLES[$1]:-$1}
  local venv="$CACHE_DIR/peer-venvs/$name" constraints="$ROOT/scripts/peer-constraints/$name.txt"
  local want
  want=$({ echo "$requirement"; "$PYTHON" --version; if [[ -f $constraints ]]; then cat "$constraints"; fi; } | sha256sum | cut -d' ' -f1)
  # The console script's `#!` names the python of the venv as it was created: a venv made under another path (a
  # removed worktree's .cache) keeps a stamp that matches but an executable that cannot start (exit 127).
  local interpreter=''
  [[ -f $venv/bin/$executable ]] && interpreter=$(head -n 1 "$venv/bin/$executable" | sed -n 's/^#!\([^ ]*\).*/\1/p')
  if [[ -x $venv/bin/$executable && -x $interpreter && -f $venv/.installed && $(cat "$venv/.installed") == "$want" ]]; then
    log "$name ($requirement) already installed in $venv"
    return 0
  fi
  log "creating $venv with $requirement"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! "$PYTHON" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv
    "$PYTHON" -m venv "$venv"
  fi
  local pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input)
  # Tell "PyPI is out of reach" (skip) from "the install broke" (fail): ask the index for the package first.
  if ! "${pip[@]}" index versions "${requirement%%[=<>~]*}" --timeout 20 --retries 1 >/dev/null 2>&1; then
    rm -rf "$venv"
    log "error: PyPI (or the configured index) cannot be reached; $name not installed"
    exit "$EX_UNREACHABLE"
  fi
  local args=()
  [[ -f $constraints ]] && args+=(--constraint "$constraints")
  venv_install "$venv" "${args[@]}" "$requirement" >&2 || die "installing $requirement failed"
  [[ -x $venv/bin/$executable ]] || die "$requirement installed no executable $executable"
  echo "$want" >"$venv/.installed"
  log "installed $requirement in $venv"
}

for name in "$@"; do install_peer "$name"; done

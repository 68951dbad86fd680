# Shared by the scripts in this folder: source it, do not run it.
# Messages go to stderr so that stdout stays free for values (`pg.sh env`) and the test summary.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$ROOT/.cache"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
trap 'log "error: command failed (exit $?) at ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND"' ERR

# apt-get is the only way we install system packages; it needs root and no prompts (CI has no stdin).
apt_install() {
  [[ $(id -u) -eq 0 ]] || die "need root to apt-get install $*; install it by hand and retry"
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand and retry"
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # scripts/test.sh runs several installs at once: wait for another one's dpkg lock instead of failing on it.
  local lock=(-o DPkg::Lock::Timeout=600)
  local aptlog
  aptlog=$(mktemp)
  # One unreachable source makes `update` fail; the Debian archive may still have what we need.
  apt-get "${lock[@]}" update >"$aptlog" 2>&1 || log "warning: apt-get update reported errors; trying the install anyway"
  if ! apt-get "${lock[@]}" install -y --no-install-recommends "$@" >>"$aptlog" 2>&1; then
    tail -n 40 "$aptlog" >&2
    rm -f "$aptlog"
    die "apt-get install $* failed"
  fi
  rm -f "$aptlog"
}

# npm ci only when node_modules is missing or stale versus package-lock.json (or Node changed). Run from the repo root.
ensure_node_modules() {
  local stamp_file=node_modules/.package-lock.sha256 want
  want=$({ node --version; cat package-lock.json; } | sha256sum | cut -d' ' -f1)
  if [[ -d node_modules && -f $stamp_file && $(cat "$stamp_file") == "$want" ]]; then return 0; fi
  log "node_modules missing or stale versus package-lock.json: npm ci"
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp_file"
}

# Python packages go into the venvs with uv (pinned below, from PyPI into .cache/uv-venv) instead of pip: it resolves
# the same pins from the same constraint files and downloads in parallel. On a cold, loaded 2-core machine it
# installed moto[server] in 53 s where pip took 528 s. uv also compiles the venv's bytecode (--compile-bytecode):
# left to the first import, it is never written where PYTHONDONTWRITEBYTECODE is set (it is on the shared 2-core
# test machine), and each `meltano` start compiles its imports again: `meltano --version` took 2.9 s of CPU against
# 1.1 s with bytecode, the Meltano handoff test 133 s against 98 s. Compiling the Meltano venv: 6-9 s CPU, once.
# COMPILE_BYTECODE=0 leaves it out, for a venv whose program starts once per run (moto: 16 s CPU for 6,253 files).
UV_VERSION=0.13.8
UV="$CACHE_DIR/uv-venv/bin/uv"

# Installs uv once; several scripts may call this at the same time (scripts/test.sh runs the installs together).
ensure_uv() {
  mkdir -p "$CACHE_DIR"
  (
    flock 9
    if [[ -x $UV && $("$UV" --version 2>/dev/null) == "uv $UV_VERSION"* ]]; then exit 0; fi
    local python=${PYTHON:-python3} venv="$CACHE_DIR/uv-venv"
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt_install python3-venv
      "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "uv==$UV_VERSION" >&2 \
      || die "pip install uv==$UV_VERSION failed"
  ) 9>"$CACHE_DIR/uv.lock"
}

# venv_install VENV ARGS…: `uv pip install ARGS…` into the virtualenv VENV (made with `python -m venv`).
venv_install() {
  local venv=$1 compile=()
  shift
  ensure_uv
  if [[ ${COMPILE_BYTECODE:-1} == 1 ]]; then compile=(--compile-bytecode); fi
  "$UV" pip install --quiet "${compile[@]}" --python "$venv/bin/python" "$@"
}

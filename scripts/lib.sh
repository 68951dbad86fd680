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
  apt-get update -qq >&2
  apt-get install -y -qq "$@" >&2
}

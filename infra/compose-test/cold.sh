#!/usr/bin/env bash
# `make compose-test` on a cold machine, measured here without touching this machine's
# shared caches: a fresh clone of HEAD in a scratch folder (an empty var/: no compose
# binary, no debootstrap tarball, no Elasticsearch zip), its own podman storage (no images,
# no layer cache), its own build cache-mount folder (no uv cache), its own Go module and
# build caches, its own Maven repository. What stays: the Debian packages apt installed
# (podman, debootstrap, ...), Go and the JDK. The scratch folder is removed at the end.
#   infra/compose-test/cold.sh [SCRATCH]        (default /var/tmp/newsflow-compose-cold)
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
S=${1:-/var/tmp/newsflow-compose-cold}
[ ! -e "$S" ] || { echo "cold.sh: $S exists; remove it first" >&2; exit 1; }
mkdir -p "$S/storage" "$S/runroot" "$S/tmp" "$S/go" "$S/gocache"
git clone -q "$REPO" "$S/newsflow"
ln -s "$(cd -- "$REPO/../shared" && pwd -P)" "$S/shared"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "%s/runroot"\n' \
    "$S" "$S" >"$S/storage.conf"
export CONTAINERS_STORAGE_CONF=$S/storage.conf TMPDIR=$S/tmp GOPATH=$S/go \
    GOMODCACHE=$S/go/pkg/mod GOCACHE=$S/gocache MAVEN_OPTS="-Dmaven.repo.local=$S/m2"
unset NEWSFLOW_VAR
finish() {
    local rc=$?
    podman --root "$S/storage" --runroot "$S/runroot" rmi -a -f >/dev/null 2>&1 || true
    chmod -R u+w "$S" 2>/dev/null || true        # the Go module cache is read-only
    rm -rf "$S" || true
    exit "$rc"
}
trap finish EXIT
trap 'exit 143' TERM INT HUP
cd "$S/newsflow"
bash infra/compose-test/run.sh

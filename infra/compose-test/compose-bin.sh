#!/usr/bin/env bash
# Build Docker Compose v2 from the Go module proxy, once per machine, and install it as a
# Docker CLI plugin. `go install …@version` is refused (compose's go.mod has replace
# directives), so the module is downloaded, copied out of the read-only module cache and
# built in place. ~8 min on 2 cores; the binary is cached in var/tools/bin.
#   infra/compose-test/compose-bin.sh      prints the binary's path
set -euo pipefail
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
VERSION=${COMPOSE_VERSION:-v2.40.3}
BIN=$REPO_ROOT/var/tools/bin/docker-compose-$VERSION
PLUGIN_DIR=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins

if [ ! -x "$BIN" ]; then
    command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
    command -v go >/dev/null || { echo "compose-bin: go is missing" >&2; exit 1; }
    mod=github.com/docker/compose/v2@$VERSION
    echo "compose-bin: building $mod (once per machine, several minutes)" >&2
    dir=$(go mod download -json "$mod" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    work=$(mktemp -d)
    trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
    cp -r "$dir" "$work/src"
    chmod -R u+w "$work/src"
    mkdir -p "$(dirname "$BIN")"
    (cd "$work/src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
        -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$VERSION" \
        -o "$BIN.tmp" ./cmd)
    mv "$BIN.tmp" "$BIN"
fi
# As `docker compose` too, unless a working plugin is there already (a CI clone's binary
# must not replace the one a developer's `docker compose` runs).
if [ ! -x "$PLUGIN_DIR/docker-compose" ]; then
    mkdir -p "$PLUGIN_DIR"
    ln -sf "$BIN" "$PLUGIN_DIR/docker-compose"
fi
echo "$BIN"

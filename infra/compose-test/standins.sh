#!/usr/bin/env bash
# Build the offline stand-ins for the registry images docker-compose.yml names, under
# localhost/newsflow-offline/* (docker-compose.offline.yml points the services at them).
# Each is built only when missing (the three on the base side by side); podman's layer
# cache makes a rebuild cheap.
#   infra/compose-test/standins.sh
set -euo pipefail
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$HERE/../.." && pwd -P)
P=localhost/newsflow-offline
ES_VERSION=${NEWSFLOW_ES_VERSION:-9.5.2}

# java_home: a JDK 21+ for Elasticsearch, as infra/local/stack.sh looks for one.
java_home() {
    local d major
    for d in ${NEWSFLOW_ES_JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -x "$d/bin/java" ] && [ -f "$d/release" ] || continue
        major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release")
        [ "${major:-0}" -ge 21 ] && { echo "$d"; return 0; }
    done
    echo "standins: no JDK 21+ under /usr/lib/jvm (set NEWSFLOW_ES_JAVA_HOME)" >&2
    return 1
}

# recipe CONTAINERFILE: a hash of the Containerfile and the files it copies in.
recipe() {
    (cd "$HERE/standins" && cat "$1" $(sed -n 's/^COPY \([^- ][^ ]*\) .*/\1/p' "$1")) | sha256sum | cut -c1-16
}

# current NAME CONTAINERFILE: the image exists and, if it copies files in (the Elasticsearch
# entrypoint), was built from this recipe (its label). The python and redis stand-ins are
# only checked for existence: the app image builds on python, and a rebuilt base would
# invalidate its whole build cache.
current() {
    podman image exists "$1" || return 1
    grep -q '^COPY ' "$HERE/standins/$2" || return 0
    [ "$(podman image inspect --format '{{index .Labels "newsflow.standin"}}' "$1")" = "$(recipe "$2")" ]
}

build() {  # build NAME CONTAINERFILE [podman build args...]
    local name=$1 file=$2
    shift 2
    current "$name" "$file" && return 0
    echo "standins: building $name" >&2
    podman build -q -f "$HERE/standins/$file" -t "$name" --label "newsflow.standin=$(recipe "$file")" \
        "$@" "$HERE/standins" >/dev/null
}

bash "$HERE/base-image.sh" "$P/debian:bookworm"
# The three are independent (mostly package downloads): built side by side.
pids=()
build "$P/python:3.11" python.Containerfile --build-arg "BASE_IMAGE=$P/debian:bookworm" &
pids+=($!)
build "$P/redis:7" redis.Containerfile --build-arg "BASE_IMAGE=$P/debian:bookworm" &
pids+=($!)
if ! current "$P/elasticsearch:$ES_VERSION" elasticsearch.Containerfile; then
    zip=$REPO_ROOT/var/cache/elasticsearch-$ES_VERSION.zip
    # The same Maven artifact the local stack runs; stack.sh fetches it into var/cache.
    [ -s "$zip" ] || bash "$REPO_ROOT/infra/local/stack.sh" es-fetch
    build "$P/elasticsearch:$ES_VERSION" elasticsearch.Containerfile \
        --build-arg "BASE_IMAGE=$P/debian:bookworm" --build-arg "ES_VERSION=$ES_VERSION" \
        -v "$(java_home):/mnt/jdk:ro" -v "$REPO_ROOT/var/cache:/mnt/cache:ro" &
    pids+=($!)
fi
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit "$failed"

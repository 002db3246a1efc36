#!/usr/bin/env bash
# What the official image's entrypoint does with the environment: ELASTIC_PASSWORD becomes
# the keystore's bootstrap.password, and variables named like settings (discovery.type,
# xpack.security.enabled, ...) become -E options. A command other than `elasticsearch`
# (or its options) runs instead, as with the official image (`es-certs` runs bash).
set -euo pipefail
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && [ "$(basename -- "$1")" != elasticsearch ]; then
    exec "$@"
fi
[ "$(basename -- "${1:-}")" != elasticsearch ] || shift
cd /usr/share/elasticsearch
if [ -n "${ELASTIC_PASSWORD:-}" ]; then
    [ -f config/elasticsearch.keystore ] || elasticsearch-keystore create >/dev/null
    if ! elasticsearch-keystore list | grep -qx bootstrap.password; then
        printf '%s' "$ELASTIC_PASSWORD" | elasticsearch-keystore add -x -f bootstrap.password
    fi
fi
args=()
while IFS='=' read -r -d '' name value; do
    if [[ $name =~ ^[a-z0-9_]+\.[a-z0-9_.]+$ ]]; then
        args+=("-E$name=$value")
    fi
done < <(env -0)
exec elasticsearch "${args[@]}" "$@"

#!/usr/bin/env bash
# A Debian bookworm base image for the offline stand-ins, made with debootstrap from
# Debian's packages (no registry image can be pulled here). The rootfs tarball is cached
# in var/cache (made once per machine); the image is re-imported when missing. The host's
# extra CA certificates (an egress proxy's, if any) are added so that builds inside can
# reach the package registries over HTTPS as the host does.
#   infra/compose-test/base-image.sh IMAGE_NAME
set -euo pipefail
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
IMAGE=${1:?usage: base-image.sh IMAGE_NAME}
TARBALL=$REPO_ROOT/var/cache/debian-bookworm-minbase.tar

podman image exists "$IMAGE" && exit 0
if [ ! -s "$TARBALL" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    debootstrap --variant=minbase bookworm "$root" ${mirror:+"$mirror"} >&2
    # The host's apt sources (deb822), so builds install from the mirror it reaches.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
        rm -f "$root/etc/apt/sources.list"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    mkdir -p "$(dirname "$TARBALL")"
    tar -C "$root" -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
podman import "$TARBALL" "$IMAGE-rootfs" >/dev/null
mkdir -p "$ctx/local-ca"
cp /usr/local/share/ca-certificates/*.crt "$ctx/local-ca/" 2>/dev/null || true
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
else
    : >"$ctx/ca-certificates.crt"
fi
cat >"$ctx/Containerfile" <<DOCKERFILE
FROM $IMAGE-rootfs
# Debian's sources may name both sources.list and debian.sources; keep one.
RUN if [ -f /etc/apt/sources.list.d/debian.sources ]; then rm -f /etc/apt/sources.list; fi
COPY local-ca/ /usr/local/share/ca-certificates/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt DEBIAN_FRONTEND=noninteractive
CMD ["/bin/bash"]
DOCKERFILE
podman build -q -t "$IMAGE" "$ctx" >/dev/null
podman rmi "$IMAGE-rootfs" >/dev/null 2>&1 || true

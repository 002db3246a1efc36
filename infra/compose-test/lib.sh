# What the compose tests share (sourced by run.sh and cluster.sh; infra/compose-test/README.md):
# podman serving the Docker API, the compose binary, the stand-in images, the secrets, the
# healthcheck scheduler podman 4.3 lacks, the app image build, clean-up. The caller sets
# PROJECT, WORK (its folder under var/), API_PORT, ES_HEAP and COMPOSE_FILES (the -f files,
# relative to the repo), then runs `prepare`.
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
cd "$REPO"
TIMEOUT=${COMPOSE_TEST_TIMEOUT:-900}
API=http://127.0.0.1:$API_PORT
APP_IMAGE=localhost/newsflow:compose-test
CORENLP_IMAGE=localhost/newsflow-corenlp:compose-test
mkdir -p "$WORK" "$REPO/var/run"
export CONTAINERS_CONF=$HERE/containers.conf
SOCK=$REPO/var/run/podman.sock
export DOCKER_HOST=unix://$SOCK DOCKER_BUILDKIT=0 COMPOSE_PROJECT_NAME=$PROJECT

T0=$(date +%s)
TIMINGS=()
log() { printf '[%s %4ss] %s\n' "$PROJECT" "$(($(date +%s) - T0))" "$*"; }
die() { log "FAILED: $*"; exit 1; }
step() {  # step NAME CMD...: run CMD, record its time
    local name=$1 t=$(date +%s)
    shift
    log "== $name"
    "$@"
    TIMINGS+=("$(printf '%-34s %5ss' "$name" "$(($(date +%s) - t))")")
}

# ---- the engine, the compose binary, the images ------------------------------------------
install_engine() {
    local need=()
    for pkg in podman runc netavark aardvark-dns debootstrap curl; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    if ((${#need[@]})); then
        log "installing ${need[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
}

# The compose binary (a Go build of several minutes when not cached) is built in the
# background while the stand-in images are made (mostly downloads), then waited for.
COMPOSE_JOB=
compose_start() {
    bash "$HERE/compose-bin.sh" >"$WORK/compose-bin.out" 2>"$WORK/compose-bin.log" &
    COMPOSE_JOB=$!
}
compose_wait() {
    wait "$COMPOSE_JOB" || die "building the compose binary failed (see $WORK/compose-bin.log)"
    COMPOSE_JOB=
    COMPOSE_BIN=$(cat "$WORK/compose-bin.out")
    "$COMPOSE_BIN" version
}

PODMAN_PID=
start_engine() {
    if ! curl -fsS --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
        rm -f "$SOCK"
        podman system service --time=0 "unix://$SOCK" >"$WORK/podman-service.log" 2>&1 &
        PODMAN_PID=$!
        for _ in $(seq 50); do
            curl -fsS --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && return 0
            sleep 0.2
        done
        die "podman's Docker API did not come up (see $WORK/podman-service.log)"
    fi
}

dc() {
    local files=() f
    for f in "${COMPOSE_FILES[@]}"; do files+=(-f "$f"); done
    "$COMPOSE_BIN" -p "$PROJECT" --env-file "$WORK/test.env" "${files[@]}" "$@"
}

secrets() {
    local s
    s() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }
    {
        echo "REDIS_PASSWORD=$(s)"
        echo "ELASTIC_PASSWORD=$(s)"
        echo "KIBANA_PASSWORD=$(s)"
        echo "NEWSFLOW_API_KEY=$(s)"
        echo "API_PORT=$API_PORT"
        echo "APP_IMAGE=$APP_IMAGE"
        echo "CORENLP_IMAGE=$CORENLP_IMAGE"
        echo "COMPOSE_TEST_WWW=$WORK/www"
        echo "NEWSFLOW_FETCH_HOST_INTERVAL=0.1"
        echo "ES_JAVA_OPTS=-Xms$ES_HEAP -Xmx$ES_HEAP"
    } >"$WORK/test.env"
    API_KEY=$(sed -n 's/^NEWSFLOW_API_KEY=//p' "$WORK/test.env")
}

site() {
    rm -rf "$WORK/www"
    python3 "$HERE/make_site.py" "$WORK/www" "$1" >"$WORK/pages.txt"
    chmod -R a+rX "$WORK/www"
}

# ---- healthchecks: podman 4.3 schedules them through systemd, absent here ----------------
HC_PID=
HC_FORMAT='{{.Id}} {{if .Config.Healthcheck}}{{.State.Health.Status}} {{.State.StartedAt.Unix}} {{.Config.Healthcheck.Interval.Seconds}} {{.Config.Healthcheck.StartPeriod.Seconds}}{{end}}'
healthcheck_loop() {
    # As Docker schedules them: each container's check every `interval`, failures counted
    # only after `start_period`. Within the start period (where a failure does not count)
    # the check runs 4 times as often (at least 5 s apart: a worker's check is a Python
    # process of its own), so that a service is seen healthy soon after it is; after it, at
    # the service's own interval, so that `retries` keeps its meaning. Each check
    # runs in the background (a worker's ping can take its whole 30 s timeout); a container
    # whose check is still running is skipped.
    declare -A last=() running=()
    local id status started interval period every now ids
    while :; do
        now=$(date +%s)
        ids=$(podman ps -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
        [ -n "$ids" ] || { sleep 5; continue; }
        # shellcheck disable=SC2086
        while read -r id status started interval period; do
            [ -n "$status" ] || continue
            if [ -n "${running[$id]:-}" ] && kill -0 "${running[$id]}" 2>/dev/null; then
                continue
            fi
            every=${interval%.*}
            [ "${every:-0}" -gt 0 ] || every=30
            if [ "$status" != healthy ] && [ $((now - started)) -lt "${period%.*}" ]; then
                every=$((every / 4 > 5 ? every / 4 : 5))
            fi
            [ $((now - ${last[$id]:-0})) -ge "$every" ] || continue
            podman healthcheck run "$id" >/dev/null 2>&1 &
            running[$id]=$!
            last[$id]=$now
        done < <(podman inspect --format "$HC_FORMAT" $ids 2>/dev/null)
        sleep 5
    done
}

# ---- the images, the API, clean-up -------------------------------------------------------
image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

build() {
    local img old=()
    for img in "$APP_IMAGE" "$CORENLP_IMAGE"; do old+=("$img=$(image_id "$img")"); done
    dc build
    # The image each build replaced is left untagged (880 MB for the app): removed.
    for img in "${old[@]}"; do
        if [ -n "${img#*=}" ] && [ "$(image_id "${img%%=*}")" != "${img#*=}" ]; then
            podman rmi "${img#*=}" >/dev/null 2>&1 || true
        fi
    done
}

api() { curl -fsS -H "X-API-Key: $API_KEY" -H 'Content-Type: application/json' "$@"; }

job_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

down() {
    dc down -v --remove-orphans
    leftovers
}

leftovers() {
    local f="label=com.docker.compose.project=$PROJECT" left
    left="$(podman ps -aq --filter "$f") $(podman network ls -q --filter "$f") $(podman volume ls -q --filter "$f")"
    [ -z "${left// /}" ] || die "left behind: $left"
    log "no containers, networks or volumes of $PROJECT left"
}

cleanup() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -n "${COMPOSE_BIN:-}" ]; then
        dc logs --no-color --tail 200 >"$WORK/logs.txt" 2>&1 || true
        log "logs of every service: $WORK/logs.txt"
        if [ "${COMPOSE_TEST_KEEP:-0}" = 1 ]; then
            log "COMPOSE_TEST_KEEP=1: stack left up (project $PROJECT, DOCKER_HOST=$DOCKER_HOST)"
        else
            dc down -v --remove-orphans >/dev/null 2>&1 || true
        fi
    fi
    [ -z "$COMPOSE_JOB" ] || kill "$COMPOSE_JOB" 2>/dev/null || true
    [ -z "$HC_PID" ] || kill "$HC_PID" 2>/dev/null || true
    [ -z "$HC_PID" ] || wait "$HC_PID" 2>/dev/null || true
    if [ -n "$PODMAN_PID" ] && [ "${COMPOSE_TEST_KEEP:-0}" != 1 -o "$rc" -eq 0 ]; then
        kill "$PODMAN_PID" 2>/dev/null || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP   # so that the EXIT trap cleans up on a signal too

# prepare SITE_PAGES: everything up to a built stack (engine, compose binary, stand-ins,
# secrets, the test's web site, the images), with the healthcheck scheduler running.
prepare() {
    step "engine (apt, when missing)" install_engine
    compose_start
    step "podman Docker API" start_engine
    if command -v docker >/dev/null; then DOCKER=(docker); else DOCKER=(podman); fi
    step "stand-in images" bash "$HERE/standins.sh"
    secrets
    step "site: seed + $1 pages" site "$1"
    step "compose binary (built meanwhile)" compose_wait
    dc down -v --remove-orphans >/dev/null 2>&1 || true   # a previous run's leftovers
    healthcheck_loop &
    HC_PID=$!
    step "compose build" build
}

passed() {
    log "PASSED"
    printf '%s\n' "${TIMINGS[@]}" "$(printf '%-34s %5ss' total "$(($(date +%s) - T0))")"
}

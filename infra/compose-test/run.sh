#!/usr/bin/env bash
# `make compose-test`: docker-compose.yml run for real on this machine (podman serving the
# Docker API, Docker Compose v2, offline stand-in images), as infra/compose-test/README.md
# describes. Builds, brings the stack up healthy with --scale enrich=3 --scale parse=2,
# ingests the seed and N corpus pages through POST /ingest, kills one enrich and one parse
# container mid-flight, checks every item and the ledger against Elasticsearch, searches,
# scales back, `down -v`, and checks that nothing is left. Prints each step's time.
#
# Environment: COMPOSE_TEST_PAGES (100), COMPOSE_TEST_API_PORT (18000),
# COMPOSE_TEST_KEEP=1 (leave the stack up on failure), COMPOSE_TEST_TIMEOUT (900 s per wait).
set -euo pipefail
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
cd "$REPO"
WORK=$REPO/var/compose-test
PROJECT=newsflow-ct
PAGES=${COMPOSE_TEST_PAGES:-100}
API_PORT=${COMPOSE_TEST_API_PORT:-18000}
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
log() { printf '[compose-test %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
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
    "$COMPOSE_BIN" -p "$PROJECT" --env-file "$WORK/test.env" -f docker-compose.yml \
        -f infra/compose-test/docker-compose.offline.yml "$@"
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
        echo "ES_JAVA_OPTS=-Xms768m -Xmx768m"
    } >"$WORK/test.env"
    API_KEY=$(sed -n 's/^NEWSFLOW_API_KEY=//p' "$WORK/test.env")
}

site() {
    rm -rf "$WORK/www"
    python3 "$HERE/make_site.py" "$WORK/www" "$PAGES" >"$WORK/pages.txt"
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

# ---- the test ------------------------------------------------------------------------------
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

up() {
    dc up -d --no-recreate --scale enrich=3 --scale parse=2 --wait --wait-timeout "$TIMEOUT"
    dc ps --format 'table {{.Name}}\t{{.Status}}'
    local bad
    bad=$(dc ps --format '{{.Name}} {{.Health}}' | awk '$2 != "healthy" {print}')
    [ -z "$bad" ] || die "not healthy: $bad"
}

api() { curl -fsS -H "X-API-Key: $API_KEY" -H 'Content-Type: application/json' "$@"; }

job_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

ingest() {
    local body
    body=$(python3 - "$WORK/pages.txt" <<'PY'
import json, sys
names = open(sys.argv[1]).read().split()
print(json.dumps({"urls": [f"http://corpus:8080/{n}" for n in names], "note": "compose-test"}))
PY
)
    JOB=$(api -X POST "$API/ingest" -d "$body" | job_field 'd["job_id"]')
    log "job $JOB: $(wc -l <"$WORK/pages.txt") items submitted"
}

kill_mid_flight() {
    # Kill once items are in flight at enrich and parse: the first article indexed shows
    # that every stage is working, and most of the job is still to come.
    local deadline=$(($(date +%s) + TIMEOUT)) status indexed
    while :; do
        status=$(api "$API/jobs/$JOB")
        indexed=$(job_field 'd["counts"].get("indexed", 0)' <<<"$status")
        [ "$indexed" -ge 1 ] && break
        [ "$(date +%s)" -lt "$deadline" ] || die "nothing indexed after ${TIMEOUT}s: $status"
        sleep 1
    done
    log "in flight: $(job_field 'd["in_flight"]' <<<"$status"), counts $(job_field 'd["counts"]' <<<"$status")"
    for svc in enrich parse; do
        local victim
        victim=$(dc ps -q "$svc" | sed -n 1p)
        log "docker kill $svc container $victim"
        "${DOCKER[@]}" kill "$victim" >/dev/null
    done
}

wait_job() {
    local deadline=$(($(date +%s) + TIMEOUT)) status last=
    while :; do
        status=$(api "$API/jobs/$JOB")
        [ "$(job_field 'd["done"]' <<<"$status")" = True ] && break
        now=$(job_field 'd["counts"]' <<<"$status")
        [ "$now" = "$last" ] || log "counts $now"
        last=$now
        [ "$(date +%s)" -lt "$deadline" ] || die "job not done after ${TIMEOUT}s: $status"
        sleep 5
    done
    log "done: $(job_field 'd["counts"]' <<<"$status")"
}

reconcile() {
    dc exec -T api python - "$JOB" <"$HERE/check_job.py" | tee "$WORK/check.json"
}

search() {
    python3 - "$API" <<'PY'
import json, sys, urllib.error, urllib.parse, urllib.request
api = sys.argv[1]
def get(path, **params):
    url = f"{api}{path}?{urllib.parse.urlencode(params)}" if params else f"{api}{path}"
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"GET {url}: {e.code} {e.read().decode(errors='replace')[:500]}")
hits = get("/search", q='"phone call" Ushakov')["hits"]
assert hits, "the seed is not found by full-text search"
doc = get(f"/articles/{hits[0]['id']}")
assert doc["title"].startswith("Putin tells Trump"), doc["title"]
actors = {a["name"]: a for a in doc["actors"]}
for name, country in (("Vladimir Putin", "RUS"), ("Donald Trump", "USA")):
    assert name in actors and actors[name].get("country") == country, sorted(actors)
names = {a["id"]: a["name"] for a in doc["actors"]}
calls = [e for e in doc["events"] if e["type"] == "CONSULT" and e["mode"] == "phone"]
assert calls, [e["type"] for e in doc["events"]]
who = {names.get(i) for e in calls for i in e["source_actors"] + e["target_actors"]}
assert {"Vladimir Putin", "Donald Trump"} <= who, who
ev = get("/events", event_type="CONSULT", q="phone call Ushakov")["hits"]
assert any(h["article_id"] == doc["id"] for h in ev), "seed's CONSULT not in /events"
print(json.dumps({"seed": doc["id"], "actors": len(doc["actors"]), "events": len(doc["events"]),
                  "types": sorted({e["type"] for e in doc["events"]})}))
PY
}

scale_back() {
    dc up -d --no-recreate --scale enrich=1 --scale parse=1 --wait --wait-timeout "$TIMEOUT"
    local n
    for svc in enrich parse; do
        n=$(dc ps -q "$svc" | wc -l)
        [ "$n" -eq 1 ] || die "$svc has $n containers after scaling back"
    done
    log "enrich and parse back to 1 container each"
}

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

step "engine (apt, when missing)" install_engine
compose_start
step "podman Docker API" start_engine
if command -v docker >/dev/null; then DOCKER=(docker); else DOCKER=(podman); fi
step "stand-in images" bash "$HERE/standins.sh"
secrets
step "site: seed + $PAGES pages" site
step "compose binary (built meanwhile)" compose_wait
dc down -v --remove-orphans >/dev/null 2>&1 || true   # a previous run's leftovers
healthcheck_loop &
HC_PID=$!
step "compose build" build
step "up, healthy (enrich=3 parse=2)" up
step "ingest via POST /ingest" ingest
step "kill enrich + parse mid-flight" kill_mid_flight
step "every item final" wait_job
step "ledger = Elasticsearch" reconcile
step "search finds the seed" search
step "scale back to 1" scale_back
step "down -v, nothing left" down
log "PASSED"
printf '%s\n' "${TIMINGS[@]}" "$(printf '%-34s %5ss' total "$(($(date +%s) - T0))")"

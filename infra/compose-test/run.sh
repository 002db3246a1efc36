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
PROJECT=newsflow-ct
WORK=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)/var/compose-test
PAGES=${COMPOSE_TEST_PAGES:-100}
API_PORT=${COMPOSE_TEST_API_PORT:-18000}
ES_HEAP=768m
COMPOSE_FILES=(docker-compose.yml infra/compose-test/docker-compose.offline.yml)
# shellcheck source=infra/compose-test/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# ---- the test ------------------------------------------------------------------------------
up() {
    dc up -d --no-recreate --scale enrich=3 --scale parse=2 --wait --wait-timeout "$TIMEOUT"
    dc ps --format 'table {{.Name}}\t{{.Status}}'
    local bad
    bad=$(dc ps --format '{{.Name}} {{.Health}}' | awk '$2 != "healthy" {print}')
    [ -z "$bad" ] || die "not healthy: $bad"
}

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

prepare "$PAGES"
step "up, healthy (enrich=3 parse=2)" up
step "ingest via POST /ingest" ingest
step "kill enrich + parse mid-flight" kill_mid_flight
step "every item final" wait_job
step "ledger = Elasticsearch" reconcile
step "search finds the seed" search
step "scale back to 1" scale_back
step "down -v, nothing left" down
passed

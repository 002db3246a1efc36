#!/usr/bin/env bash
# `make compose-cluster-test`: docker-compose.yml with docker-compose.cluster.yml (three
# Elasticsearch nodes over transport TLS) run for real, as run.sh runs the single node
# (infra/compose-test/README.md, "The cluster"). Brings the stack up healthy, waits for a
# green cluster of three nodes with one replica of every shard and each node on its own
# certificate, ingests the seed through POST /ingest, finds it; kills the elected master's
# container, checks that searches keep answering (never a 5xx) and /readyz says ready on
# the yellow cluster; starts the node again, waits for green, finds the seed; `down -v`,
# and checks that nothing is left. Prints each step's time.
#
# Environment: COMPOSE_TEST_API_PORT (18100), COMPOSE_TEST_KEEP=1 (leave the stack up on
# failure), COMPOSE_TEST_TIMEOUT (900 s per wait).
set -euo pipefail
PROJECT=newsflow-ctc
WORK=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)/var/compose-cluster-test
API_PORT=${COMPOSE_TEST_API_PORT:-18100}
ES_HEAP=512m   # three nodes beside the rest on a 2-core machine; mem_limit stays 2g each
COMPOSE_FILES=(docker-compose.yml infra/compose-test/docker-compose.offline.yml
    docker-compose.cluster.yml infra/compose-test/docker-compose.cluster-offline.yml)
NODES=(elasticsearch es02 es03)   # services; each node is named after its service
# shellcheck source=infra/compose-test/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# es NODE PATH: GET PATH on NODE, as the elastic user, from inside its container.
es() {
    dc exec -T "$1" sh -c 'curl -fsS -u "elastic:$ELASTIC_PASSWORD" "http://localhost:9200$0"' "$2"
}

up() {
    dc up -d --wait --wait-timeout "$TIMEOUT"
    dc ps -a --format 'table {{.Name}}\t{{.Status}}'
    local bad
    bad=$(dc ps --format '{{.Name}} {{.Health}}' | awk '$2 != "healthy" {print}')
    [ -z "$bad" ] || die "not healthy: $bad"
}

# green NODE: wait until the cluster, asked through NODE, has three nodes and is green.
green() {
    local h
    h=$(es "$1" "/_cluster/health?wait_for_nodes=3&wait_for_status=green&timeout=${TIMEOUT}s")
    log "$h"
    [ "$(job_field 'd["status"], d["number_of_nodes"]' <<<"$h")" = "green 3" ] ||
        die "not a green cluster of three: $h"
}

cluster_formed() {
    green elasticsearch
    # every index of the project with one replica (NEWSFLOW_ES_REPLICAS, set by init)
    es elasticsearch "/_cat/indices?h=index,rep,health&expand_wildcards=open" | tee "$WORK/indices.txt"
    awk '$1 !~ /^\./ && $2 != 1 {bad=1} END {exit bad}' "$WORK/indices.txt" ||
        die "an index without exactly one replica"
    # each node presents its own transport certificate, signed by the cluster's CA
    local n
    for n in "${NODES[@]}"; do
        es "$n" /_ssl/certificates | python3 -c "
import json, sys
paths = {c['path'] for c in json.load(sys.stdin)}
assert {'certs/$n/$n.crt', 'certs/ca/ca.crt'} <= paths, paths
"
    done
    log "three nodes, green, one replica per shard, transport TLS with per-node certificates"
}

ingest_seed() {
    JOB=$(api -X POST "$API/ingest" -d '{"urls": ["http://corpus:8080/seed.html"]}' |
        job_field 'd["job_id"]')
    local deadline=$(($(date +%s) + TIMEOUT)) status
    while :; do
        status=$(api "$API/jobs/$JOB")
        [ "$(job_field 'd["done"]' <<<"$status")" = True ] && break
        [ "$(date +%s)" -lt "$deadline" ] || die "job not done after ${TIMEOUT}s: $status"
        sleep 3
    done
    [ "$(job_field 'd["counts"].get("indexed", 0)' <<<"$status")" = 1 ] || die "seed not indexed: $status"
    log "seed indexed: $(job_field 'd["counts"]' <<<"$status")"
}

# searches SECONDS: /search for the seed for SECONDS (at least 10 times); every answer must
# be 200 and find it. A search the API sends over a kept-alive connection to a node that
# has just vanished waits for the client's request timeout (NEWSFLOW_ES_REQUEST_TIMEOUT,
# 30 s) before it is retried on a live node: hence 120 s per search here. Prints how many
# answered and the slowest.
searches() {
    python3 - "$API" "$1" <<'PY'
import json, sys, time, urllib.error, urllib.parse, urllib.request
api, seconds = sys.argv[1], float(sys.argv[2])
url = f"{api}/search?" + urllib.parse.urlencode({"q": '"phone call" Ushakov'})
deadline, took = time.monotonic() + seconds, []
while len(took) < 10 or time.monotonic() < deadline:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            hits = json.load(r)["hits"]
    except urllib.error.HTTPError as e:
        sys.exit(f"search {len(took) + 1}: {e.code} {e.read().decode(errors='replace')[:300]}")
    assert hits and hits[0]["title"].startswith("Putin tells Trump"), hits[:1]
    took.append(time.monotonic() - started)
    time.sleep(max(0.0, 0.5 - took[-1]))
slow = [round(t, 1) for t in took if t > 5]
print(json.dumps({"searches": len(took), "all": 200, "slowest_s": round(max(took), 1),
                  "over_5s": slow}))
PY
}

ready() {
    local deadline=$(($(date +%s) + TIMEOUT)) r
    until r=$(curl -fsS "$API/readyz"); do
        [ "$(date +%s)" -lt "$deadline" ] || die "/readyz not 200 after ${TIMEOUT}s: $r"
        sleep 2
    done
    log "readyz: $r"
}

VICTIM= SURVIVOR=
kill_master() {
    VICTIM=$(es es02 "/_cat/master?h=node" | tr -d '[:space:]')
    [[ " ${NODES[*]} " == *" $VICTIM "* ]] || die "elected master '$VICTIM' is no node of ours"
    SURVIVOR=es02
    [ "$VICTIM" != es02 ] || SURVIVOR=es03
    log "docker kill $VICTIM (the elected master)"
    "${DOCKER[@]}" kill "$(dc ps -q "$VICTIM")" >/dev/null
    searches 20
    local h
    h=$(es "$SURVIVOR" "/_cluster/health?wait_for_nodes=2&wait_for_status=yellow&timeout=${TIMEOUT}s")
    log "without $VICTIM: $h"
    ready
    readiness 20
    searches 5
}

# readiness SECONDS: /readyz every second; prints how often it said what.
readiness() {
    python3 - "$API" "$1" <<'PY'
import collections, json, sys, time, urllib.error, urllib.request
api, seconds = sys.argv[1], float(sys.argv[2])
said: collections.Counter[str] = collections.Counter()
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"{api}/readyz", timeout=30) as r:
            said[f"{r.status} {json.load(r)['elasticsearch']}"] += 1
    except urllib.error.HTTPError as e:
        said[f"{e.code} {json.load(e)['elasticsearch']}"] += 1
    time.sleep(1)
print(json.dumps({"readyz": dict(said)}))
PY
}

restart_node() {
    # podman may have restarted it already (restart: unless-stopped); start it if not
    log "$VICTIM: $(dc ps -a --format '{{.Status}}' "$VICTIM")"
    dc start "$VICTIM"
    green "$SURVIVOR"
    searches 5
}

prepare 0
step "up, healthy (3 Elasticsearch nodes)" up
step "green cluster of three, TLS" cluster_formed
step "seed via POST /ingest" ingest_seed
step "search finds the seed" searches 0
step "kill the master, searches answer" kill_master
step "node back, green again" restart_node
step "down -v, nothing left" down
passed

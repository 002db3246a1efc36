"""Pipeline efficiency: end-to-end throughput over Celery vs the stages' own throughput.

On N corpus pages served by a local HTTP server, in one run:
- each stage's core alone on the same pages with the same cores (fetch: 8 threads like the
  fetch worker; parse and enrich: a process per core; index: bulk batches of 50),
- then the real pipeline: one Celery worker per stage (the `make up` commands), N URLs
  submitted, timed until all are indexed and searchable.
Efficiency = end-to-end throughput / (1 / sum(1 / stage throughput)): what Celery, Redis,
the content store, the ledger and batching cost on top of the stages' own work (target 0.9).
Also: peak RSS per worker (process tree) and the split of CPU time across stages.

Usage: .venv/bin/python bench/bench_pipeline.py [--n 200]   (needs Redis + ES: make services)
Prints one JSON object; exits 0 (it reports, it does not gate).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
RUN = uuid.uuid4().hex[:6]
# Isolate from `make up` (Redis db 0, no prefix) and from the tests (db 15).
os.environ.update(
    NEWSFLOW_INDEX_PREFIX=f"bench-{RUN}-",
    NEWSFLOW_LEDGER_PREFIX=f"bench-{RUN}",
    NEWSFLOW_REDIS_URL="redis://127.0.0.1:6379/14",
    NEWSFLOW_FETCH_ALLOW_HOSTS="localhost",
)
CORES = os.cpu_count() or 2
TARGET = 0.9
WORKERS = {  # the same worker commands as `make up`
    "fetch": ["--concurrency", "8"],
    "parse": ["--concurrency", "2"],
    "enrich": ["--concurrency", "2"],
    "index": ["--concurrency", "1", "--prefetch-multiplier", "100"],
}

_enricher: Any = None


def _parse_one(args: tuple[str, str]) -> Any:
    from newsflow_parse.core import decode, parse_html
    from newsflow_shared.messages import SourceKind

    body, url = args
    return parse_html(
        decode(body.encode(), "utf-8"), doc_id="b", url=url, source_kind=SourceKind.URL
    )


def _enrich_one(article: Any) -> Any:
    global _enricher
    if _enricher is None:
        from newsflow_enrich.core import Enricher

        _enricher = Enricher.load()
    return _enricher.enrich(article.title, article.text, article.published, article.doc_id)


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
    total = 0.0
    for q in [p, *p.children(recursive=True)]:
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()

    import httpx

    import testserver
    from helpers import CORPUS, fundus_pages, wait_for_job, wait_for_workers, wcxb_pages
    from newsflow_fetch import core as fcore
    from newsflow_fetch import http as fhttp
    from newsflow_index.bulk import write_batch
    from newsflow_shared.celery_app import app
    from newsflow_shared.ids import doc_id_for_url
    from newsflow_shared.indices import drop_indices, init_indices, names
    from newsflow_shared.runtime import get_runtime
    from newsflow_shared.submit import Submitter

    pages = (fundus_pages(10_000) + wcxb_pages(10_000))[: args.n]
    srv = testserver.start(CORPUS)
    base = f"http://localhost:{srv.server_address[1]}/corpus/"
    urls = [base + p.path for p in pages]
    rt = get_runtime()
    prefix = rt.settings.index_prefix
    init_indices(rt.es, prefix)
    rt.redis.flushdb()
    report: dict[str, Any] = {"n": len(urls), "cores": CORES}
    alone: dict[str, float] = {}
    try:
        # ---- each stage alone
        client = httpx.Client(timeout=20)
        t = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            fetched = list(
                pool.map(
                    lambda u: fhttp.fetch(
                        client,
                        u,
                        max_bytes=10 << 20,
                        max_redirects=5,
                        allow_hosts=frozenset({"localhost"}),
                        total_timeout=60,
                    ),
                    urls,
                )
            )
        for r in fetched:
            fcore.detect_charset(r.body, r.header_charset)
        alone["fetch"] = len(urls) / (time.perf_counter() - t)
        bodies = [(r.body.decode("utf-8", "replace"), r.final_url) for r in fetched]
        with ProcessPoolExecutor(CORES) as pool:
            t = time.perf_counter()
            articles = list(pool.map(_parse_one, bodies, chunksize=4))
            alone["parse"] = len(urls) / (time.perf_counter() - t)
        articles = [
            a.model_copy(update={"doc_id": doc_id_for_url(u)})
            for a, u in zip(articles, urls, strict=True)
        ]
        with ProcessPoolExecutor(CORES) as pool:
            list(pool.map(_warm, range(CORES)))  # model load is not per-article work
            t = time.perf_counter()
            enriched = list(pool.map(_enrich_one, articles, chunksize=2))
            alone["enrich"] = len(urls) / (time.perf_counter() - t)
        t = time.perf_counter()
        pairs = list(zip(articles, enriched, strict=True))
        for i in range(0, len(pairs), 50):
            write_batch(rt.es, prefix, pairs[i : i + 50])
        rt.es.indices.refresh(index=names("articles", prefix).read)
        alone["index"] = len(urls) / (time.perf_counter() - t)
        drop_indices(rt.es, prefix)
        init_indices(rt.es, prefix)
        report["stage_alone_articles_per_s"] = {k: round(v, 2) for k, v in alone.items()}
        ideal = 1 / sum(1 / v for v in alone.values())
        report["ideal_pipeline_articles_per_s"] = round(ideal, 2)

        # ---- the real pipeline
        celery = str(Path(sys.executable).with_name("celery"))
        procs: dict[str, subprocess.Popen[bytes]] = {}
        for stage, extra in WORKERS.items():
            procs[stage] = subprocess.Popen(
                [
                    celery,
                    "-A",
                    f"newsflow_{stage}.tasks",
                    "worker",
                    "-Q",
                    stage,
                    "-n",
                    f"{stage}-bench-{RUN}@%h",
                    "--loglevel",
                    "WARNING",
                    *extra,
                ],
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ps = {s: psutil.Process(p.pid) for s, p in procs.items()}
        services = {
            name: psutil.Process(int((ROOT / "var" / "run" / f"{name}.pid").read_text()))
            for name in ("elasticsearch", "redis")
            if (ROOT / "var" / "run" / f"{name}.pid").is_file()
        }
        wait_for_workers(app, {f"{s}-bench-{RUN}" for s in WORKERS})
        # warm-up: one article through every stage, so enrich children have loaded spaCy
        warm = Submitter(rt, source="bench warm-up")
        for u in urls[:4]:
            warm.url(u)
        wait_for_job(rt, warm.sub.job_id, timeout=1800, poll=0.1)
        drop_indices(rt.es, prefix)
        init_indices(rt.es, prefix)
        peak = dict.fromkeys(WORKERS, 0)
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for s, p in ps.items():
                    peak[s] = max(peak[s], _tree_rss(p))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu0 = {s: _tree_cpu(p) for s, p in ps.items()}
        svc0 = {s: _tree_cpu(p) for s, p in services.items()}
        me = psutil.Process()
        me0, sys0 = _own_cpu(me), psutil.cpu_times()
        t = time.perf_counter()
        sub = Submitter(rt, source="bench")
        for u in urls:
            sub.url(u)
        summary = wait_for_job(rt, sub.sub.job_id, timeout=1800, poll=0.1)
        rt.es.indices.refresh(index=names("articles", prefix).read)
        searchable = rt.es.count(index=names("articles", prefix).read)["count"]
        elapsed = time.perf_counter() - t
        cpu = {s: _tree_cpu(p) - cpu0[s] for s, p in ps.items()}
        svc_cpu = {s: round(_tree_cpu(p) - svc0[s], 2) for s, p in services.items()}
        bench_cpu = _own_cpu(me) - me0
        sys1 = psutil.cpu_times()
        idle = (sys1.idle + getattr(sys1, "iowait", 0.0)) - (
            sys0.idle + getattr(sys0, "iowait", 0.0)
        )
        steal = getattr(sys1, "steal", 0.0) - getattr(sys0, "steal", 0.0)
        stop.set()
        sampler.join()
        e2e = summary["counts"].get("indexed", 0) / elapsed
        report["end_to_end"] = {
            "seconds": round(elapsed, 2),
            "counts": summary["counts"],
            "searchable": searchable,
            "articles_per_s": round(e2e, 2),
        }
        report["efficiency"] = round(e2e / ideal, 3)
        report["efficiency_target"] = TARGET
        report["efficiency_ok"] = e2e / ideal >= TARGET
        report["peak_rss_mb_per_worker"] = {s: round(v / 2**20, 1) for s, v in peak.items()}
        total_cpu = sum(cpu.values()) or 1.0
        report["cpu_seconds_per_stage"] = {s: round(v, 2) for s, v in cpu.items()}
        report["cpu_share_per_stage"] = {s: round(v / total_cpu, 3) for s, v in cpu.items()}
        # what the stores cost on the same cores during the end-to-end run (make up's stack)
        report["cpu_seconds_services"] = svc_cpu
        report["cpu_seconds_available"] = round(CORES * elapsed, 1)
        # the rest of the account: this process (test HTTP server, submitting, polling the
        # ledger, sampling), cores left idle, and what no process above was charged
        # (kernel threads, interrupts: loopback networking and disk writes)
        report["cpu_seconds_bench_process"] = round(bench_cpu, 2)
        report["cpu_seconds_idle"] = round(idle, 2)
        # time the hypervisor gave our vCPUs to someone else (noise, not overhead)
        report["cpu_seconds_stolen"] = round(steal, 2)
        report["cpu_seconds_unattributed"] = round(
            CORES * elapsed - idle - steal - bench_cpu - sum(cpu.values()) - sum(svc_cpu.values()),
            2,
        )
        for p in procs.values():
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs.values():
            p.wait(timeout=60)
    finally:
        drop_indices(rt.es, prefix)
        rt.redis.flushdb()
        srv.shutdown()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

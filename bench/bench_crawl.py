"""Polite crawling at scale: the pipeline over 30 hosts with per-host pacing on, against the
same pipeline with pacing off, on the same pages, in the same run.

Thirty local HTTP servers, each on a loopback address of its own (127.0.0.2 ... 127.0.0.31:
thirty hosts to the fetch stage, all allowlisted), serve N corpus pages spread over them
round-robin. The parse, enrich and index workers run once (the `make up` commands); the
fetch worker (`--pool threads --concurrency 32`) is started afresh for each round, with
`NEWSFLOW_FETCH_HOST_INTERVAL` at the default 1 s ("on": robots.txt fetched and obeyed,
each host one request per second, Crawl-delay none) or 0 ("off"). Rounds alternate ABBA;
each starts from fresh indices and no robots.txt or host state in Redis, and is timed from
the first submission until every item is indexed. Ratio = articles/s with pacing on /
articles/s with pacing off (target >= 0.9). Also the fetch worker's peak RSS (process
tree); `--prefork` adds an unpaced round with the old fetch worker (prefork, 8 children)
for its RSS.

Usage: .venv/bin/python bench/bench_crawl.py [--n 200] [--rounds 2] [--prefork]
(needs Redis + ES: make services). Prints one JSON object; exits 0 (it reports, not gates).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

RUN = uuid.uuid4().hex[:6]
HOSTS = [f"127.0.0.{i}" for i in range(2, 32)]
# Isolate from `make up` (Redis db 0, no prefix), the tests (db 15) and bench_pipeline (14).
os.environ.update(
    NEWSFLOW_INDEX_PREFIX=f"bench-crawl-{RUN}-",
    NEWSFLOW_LEDGER_PREFIX=f"bench-crawl-{RUN}",
    NEWSFLOW_REDIS_URL="redis://127.0.0.1:6379/13",
    NEWSFLOW_FETCH_ALLOW_HOSTS=",".join(HOSTS),
)
TARGET = 0.9
THREADS = ["--pool", "threads", "--concurrency", "32"]  # the `make up` fetch worker
PREFORK = ["--concurrency", "8"]  # the fetch worker before it
OTHERS = {
    "parse": ["--concurrency", "2"],
    "enrich": ["--concurrency", "2"],
    "index": ["--concurrency", "1", "--prefetch-multiplier", "100"],
}
_T0 = time.monotonic()


def log(msg: str) -> None:
    """Progress on stderr (stdout carries the JSON report)."""
    print(f"[bench {time.monotonic() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # so `finally` stops the workers it started


class PeakRss:
    """Peak RSS of a process tree, sampled at 4 Hz in a thread until `stop`."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.25):
            try:
                tree = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.NoSuchProcess:
                return

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return round(self.peak / 2**20, 1)


def one_round(rt: Any, app: Any, urls: list[str], interval: str, pool: list[str]) -> dict[str, Any]:
    """Fresh indices and Redis state, a fetch worker with `interval` and `pool`, the URLs
    submitted and timed until every item ended."""
    from newsflow_shared.indices import drop_indices, init_indices
    from newsflow_shared.submit import Submitter
    from newsflow_testkit.workers import start_worker, stop_workers, wait_for_job, wait_for_workers

    prefix = rt.settings.index_prefix
    drop_indices(rt.es, prefix)
    init_indices(rt.es, prefix)
    rt.es.cluster.health(index=f"{prefix}*", wait_for_status="green", timeout="60s")
    for pattern in ("robots", "host"):
        for key in rt.redis.scan_iter(f"{rt.settings.ledger_prefix}:{pattern}:*"):
            rt.redis.delete(key)
    name = f"fetch-crawl-{RUN}-{uuid.uuid4().hex[:4]}"
    env = {**os.environ, "NEWSFLOW_FETCH_HOST_INTERVAL": interval}
    fetch = start_worker("fetch", name, env, Path(os.devnull), *pool, loglevel="WARNING")
    try:
        wait_for_workers(app, {name})
        rss = PeakRss(fetch.pid)
        t = time.perf_counter()
        sub = Submitter(rt, source=f"bench crawl interval={interval}")
        for u in urls:
            sub.url(u)
        summary = wait_for_job(rt, sub.sub.job_id, timeout=1800, poll=0.1)
        seconds = time.perf_counter() - t
        indexed = summary["counts"].get("indexed", 0)
        deferrals = sum(int(r.get("deferrals:fetch", 0)) for r in rt.ledger.items(sub.sub.job_id))
        return {
            "seconds": round(seconds, 2),
            "counts": summary["counts"],
            "articles_per_s": round(indexed / seconds, 3),
            "fetch_deferrals": deferrals,
            "fetch_peak_rss_mb": rss.stop(),
        }
    finally:
        stop_workers([fetch])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2, help="pairs of rounds (on, off), ABBA")
    ap.add_argument("--prefork", action="store_true", help="also the old prefork fetch worker")
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
    servers = [pageserver.start(CORPUS, address=h) for h in HOSTS]
    urls = [
        f"http://{HOSTS[i % len(HOSTS)]}:{servers[i % len(HOSTS)].server_address[1]}"
        f"/corpus/{p.path}"
        for i, p in enumerate(pages)
    ]
    rt = get_runtime()
    init_indices(rt.es, rt.settings.index_prefix)
    rt.redis.flushdb()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    report: dict[str, Any] = {"n": len(urls), "hosts": len(HOSTS), "rounds": []}
    try:
        for stage, extra in OTHERS.items():
            procs[stage] = start_worker(
                stage,
                f"{stage}-crawl-{RUN}",
                dict(os.environ),
                Path(os.devnull),
                *extra,
                loglevel="WARNING",
            )
        wait_for_workers(app, {f"{s}-crawl-{RUN}" for s in OTHERS})
        log("workers up; warming up")
        procs["fetch"] = start_worker(
            "fetch",
            f"fetch-crawl-{RUN}",
            {**os.environ, "NEWSFLOW_FETCH_HOST_INTERVAL": "0"},
            Path(os.devnull),
            *THREADS,
            loglevel="WARNING",
        )
        wait_for_workers(app, {f"fetch-crawl-{RUN}"})
        warm = Submitter(rt, source="bench crawl warm-up")
        for u in urls[:20]:
            warm.url(u)
        wait_for_job(rt, warm.sub.job_id, timeout=600, poll=0.1)
        stop_workers([procs.pop("fetch")])
        order = ["on", "off", "off", "on"] * args.rounds
        for mode in order[: 2 * args.rounds]:
            log(f"round: pacing {mode}")
            r = one_round(rt, app, urls, "1.0" if mode == "on" else "0", THREADS)
            report["rounds"].append({"pacing": mode, **r})
            log(json.dumps(report["rounds"][-1]))
        if args.prefork:
            log("round: pacing off, prefork fetch worker (8 children)")
            report["prefork_off"] = one_round(rt, app, urls, "0", PREFORK)
    finally:
        stop_workers(procs.values())
        drop_indices(rt.es, rt.settings.index_prefix)
        rt.redis.flushdb()
        for srv in servers:
            srv.shutdown()
    rate = {
        mode: sum(r["counts"].get("indexed", 0) for r in report["rounds"] if r["pacing"] == mode)
        / sum(r["seconds"] for r in report["rounds"] if r["pacing"] == mode)
        for mode in ("on", "off")
    }
    report["articles_per_s_pacing_on"] = round(rate["on"], 3)
    report["articles_per_s_pacing_off"] = round(rate["off"], 3)
    report["ratio"] = round(rate["on"] / rate["off"], 3)
    report["ratio_per_pair"] = [
        round(a["articles_per_s"] / b["articles_per_s"], 3)
        for a, b in zip(
            [r for r in report["rounds"] if r["pacing"] == "on"],
            [r for r in report["rounds"] if r["pacing"] == "off"],
            strict=True,
        )
    ]
    report["ratio_median"] = round(statistics.median(report["ratio_per_pair"]), 3)
    report["target"] = TARGET
    report["ok"] = rate["on"] / rate["off"] >= TARGET
    report["fetch_peak_rss_mb"] = max(r["fetch_peak_rss_mb"] for r in report["rounds"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Per-host scheduling and fair queues through the real pipeline: a redis-server of the
test's own, this run's Elasticsearch indices, the four stage workers (fetch: a thread pool
of 8), the real `newsflow ingest` command, and local HTTP servers on distinct loopback
addresses (127.0.0.2, 127.0.0.3, ...: each a host of its own, allowlisted by address).
Request times are measured by the servers themselves."""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from private_redis import PrivateRedis

from helpers import REPO, STAGES
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS
from newsflow_testkit.workers import start_pipeline, stop_workers, wait_for_job

pytestmark = pytest.mark.integration

INTERVAL = 0.2  # NEWSFLOW_FETCH_HOST_INTERVAL
ONE = "127.0.0.2"  # 300 URLs
OTHERS = ("127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6")  # 5 URLs each
DELAYED = "127.0.0.7"  # robots.txt: Crawl-delay: 1
BUSY = "127.0.0.8"  # /busy/<key>: a 429 with Retry-After: 2 first
BIG = "127.0.0.9"  # the fairness test's big job: Crawl-delay: 2, 2,000 URLs
SMALL = "127.0.0.10"  # and the small job after it
ROBOTS = {
    DELAYED: b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n",
    BIG: b"User-agent: *\nCrawl-delay: 2\n",
}


@dataclass
class Crawl:
    rt: Any
    env: dict[str, str]
    folder: Path
    servers: dict[str, pageserver.CorpusServer]
    jobs: dict[str, str]
    summaries: dict[str, dict[str, Any]]
    seconds: float

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.servers[host].server_address[1]}{path}"

    def pages(self, host: str) -> list[float]:
        """Times the host's server received requests for pages (robots.txt aside)."""
        return [t for t, p in self.servers[host].access if p != "/robots.txt"]


def _ingest(crawl: Crawl, name: str, urls: list[str]) -> str:
    """Submit `urls` with the real `newsflow ingest` command; returns the job id."""
    listing = crawl.folder / f"{name}.urls"
    listing.write_text("\n".join(urls) + "\n")
    cli = str(Path(sys.executable).with_name("newsflow"))
    out = subprocess.run(
        [cli, "ingest", "--no-wait", "--json", str(listing)],
        env=crawl.env,
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return str(json.loads(out.stdout)["job_id"])


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(sorted(times))]


@pytest.fixture(scope="module")
def crawl(indices: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """The stack on a private Redis; 300 URLs on one host, then 20 on four others, 6 on a
    host with a Crawl-delay and 3 that answer 429 first, all submitted at once; yields once
    every item ended."""
    from newsflow_shared.celery_app import make_app
    from newsflow_shared.runtime import Runtime
    from newsflow_shared.settings import get_settings

    folder = tmp_path_factory.mktemp("host-schedule")
    broker = PrivateRedis(folder)
    broker.start()
    addresses = [ONE, *OTHERS, DELAYED, BUSY, BIG, SMALL]
    servers = {
        a: pageserver.start(CORPUS, address=a, robots=ROBOTS.get(a, pageserver.ROBOTS))
        for a in addresses
    }
    settings = get_settings().model_copy(update={"redis_url": broker.url})
    env = {
        **os.environ,
        "NEWSFLOW_REDIS_URL": broker.url,
        "NEWSFLOW_FETCH_ALLOW_HOSTS": ",".join(addresses),
        "NEWSFLOW_FETCH_HOST_INTERVAL": str(INTERVAL),
        "NEWSFLOW_FETCH_READ_TIMEOUT": "5",
        "NEWSFLOW_MAX_RETRIES": "2",
        "NEWSFLOW_RETRY_BACKOFF_MAX": "2",
        "NEWSFLOW_INDEX_BATCH_SECONDS": "0.5",
    }
    procs: dict[str, Any] = {}
    try:
        procs = start_pipeline(make_app(settings), STAGES, env, folder, uuid.uuid4().hex[:6])
        crawl = Crawl(Runtime(settings), env, folder, servers, {}, {}, 0.0)
        batches = {
            "one": [crawl.url(ONE, f"/small/one-{i}") for i in range(300)],
            "others": [crawl.url(h, f"/small/{h}-{i}") for h in OTHERS for i in range(5)],
            "delayed": [crawl.url(DELAYED, f"/small/delayed-{i}") for i in range(6)],
            "busy": [crawl.url(BUSY, f"/busy/busy-{i}") for i in range(3)],
        }
        t0 = time.monotonic()
        for name, urls in batches.items():
            crawl.jobs[name] = _ingest(crawl, name, urls)
        for name, job in crawl.jobs.items():
            crawl.summaries[name] = wait_for_job(crawl.rt, job, timeout=300)
        crawl.seconds = time.monotonic() - t0
        yield crawl
    finally:
        stop_workers(procs.values())
        for srv in servers.values():
            srv.shutdown()
        broker.stop()


def test_one_host_is_paced_by_its_interval_and_every_item_is_indexed(crawl: Crawl) -> None:
    """300 URLs on one host, 8 fetch slots, 0.2 s interval: all indexed, none failed for a
    busy host; the server saw requests at least the interval apart; items were put back
    (deferred) rather than waited for, spending no retry."""
    summary = crawl.summaries["one"]
    assert summary["counts"] == {"indexed": 300}, summary
    times = crawl.pages(ONE)
    gaps = _gaps([t for t, _ in crawl.servers[ONE].access])  # robots.txt is paced too
    records = crawl.rt.ledger.items(crawl.jobs["one"])
    deferrals = sum(int(r.get("deferrals:fetch", 0)) for r in records)
    spent = max(int(r["attempts:fetch"]) - int(r.get("deferrals:fetch", 0)) for r in records)
    print(
        f"\none host: {len(times)} page requests in {max(times) - min(times):.1f} s, "
        f"gaps min {min(gaps):.3f} s / median {statistics.median(gaps):.3f} s "
        f"(interval {INTERVAL} s); {deferrals} deferrals, at most {spent} attempt(s) per item"
    )
    assert len(times) == 300
    assert min(gaps) >= INTERVAL
    assert deferrals > 300  # the slots were given back, not held
    assert spent == 1  # deferrals spend no retry


def test_other_hosts_keep_flowing_meanwhile(crawl: Crawl) -> None:
    """The 20 URLs on four other hosts, submitted after the 300, were all fetched while most
    of the 300 were still waiting for their host."""
    assert crawl.summaries["others"]["counts"] == {"indexed": 20}, crawl.summaries["others"]
    others_done = max(float(r["fetch_end"]) for r in crawl.rt.ledger.items(crawl.jobs["others"]))
    one_ends = [float(r["fetch_end"]) for r in crawl.rt.ledger.items(crawl.jobs["one"])]
    after = sum(t > others_done for t in one_ends)
    print(f"\nother hosts: all 20 fetched while {after} of the 300 on one host were still to come")
    assert after >= 200


def test_crawl_delay_is_obeyed(crawl: Crawl) -> None:
    assert crawl.summaries["delayed"]["counts"] == {"indexed": 6}, crawl.summaries["delayed"]
    gaps = _gaps([t for t, _ in crawl.servers[DELAYED].access])
    print(f"\nCrawl-delay 1: gaps {[round(g, 2) for g in gaps]}")
    assert len(gaps) == 6  # robots.txt, then 6 pages
    assert min(gaps) >= 1.0


def test_retry_after_pushes_the_host_back(crawl: Crawl) -> None:
    """Each /busy/ page answers 429 with Retry-After: 2 once: no request reaches the host
    within 2 s after a 429, and every item is indexed after all."""
    assert crawl.summaries["busy"]["counts"] == {"indexed": 3}, crawl.summaries["busy"]
    access = crawl.servers[BUSY].access
    seen: set[str] = set()
    refusals = []
    for t, path in access:
        if path.startswith("/busy/") and path not in seen:
            seen.add(path)
            refusals.append(t)
    quiet = [min((u - t for u, _ in access if u > t), default=99.0) for t in refusals]
    print(f"\nRetry-After 2: next request {[round(q, 2) for q in quiet]} s after each 429")
    assert len(refusals) == 3 and min(quiet) >= 2.0


def test_a_small_job_does_not_wait_for_a_big_one(crawl: Crawl) -> None:
    """Fair queues: a 10-item job submitted after a 2,000-item job whose host allows one
    request per 2 s (Crawl-delay) is indexed in seconds, long before the big one (which
    would take over an hour)."""
    big = _ingest(crawl, "big", [crawl.url(BIG, f"/small/big-{i}") for i in range(2000)])
    t0 = time.monotonic()
    small = _ingest(crawl, "small", [crawl.url(SMALL, f"/small/small-{i}") for i in range(10)])
    summary = wait_for_job(crawl.rt, small, timeout=120)
    seconds = time.monotonic() - t0
    big_summary = crawl.rt.ledger.summary(big)
    print(
        f"\nfair queues: the 10-item job was indexed {seconds:.1f} s after it was submitted; "
        f"the 2,000-item job had {big_summary['counts'].get('indexed', 0)} indexed, "
        f"{big_summary['in_flight']} in flight"
    )
    assert summary["counts"] == {"indexed": 10}, summary
    assert big_summary["in_flight"] >= 1900
    assert seconds < 60

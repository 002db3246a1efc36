"""An Elasticsearch outage longer than the retry budget is waited out, not spent as failures.

Real processes throughout: an Elasticsearch node and a redis-server of the test's own, the
four stage workers with the production retry budget (5 retries, backoff 1+2+4+8+16 s at
most), the real `newsflow ingest` command and the local HTTP test server. The node is
stopped while items are at every stage, and more items are submitted while it is down;
it comes back on the same data after longer than the whole retry budget. Every item must
end `indexed`, exactly once in Elasticsearch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_es import PrivateElasticsearch
from private_stack import private_backends

from helpers import STAGES, ingest, stored_articles, until
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS, fundus_pages, wcxb_pages
from newsflow_testkit.workers import start_pipeline, stop_workers, wait_for_job

pytestmark = pytest.mark.integration

# Longest the old retry budget waits: Celery's full-jitter backoff of 2**n s, n = 0..4.
OLD_BUDGET = sum(2**n for n in range(5))
DOWN_FOR = 30.0  # plus the node's stop and start (~20 s): an outage of ~50 s
PAGES = fundus_pages(14) + wcxb_pages(26, start=40)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[PrivateElasticsearch, Any, dict[str, Any]]]:
    """Private Redis + Elasticsearch (indices created), the four workers on them; yields the
    node, a runtime on both and the environment a newsflow process needs to use them, and
    the workers by stage."""
    with private_backends(tmp_path, NEWSFLOW_FETCH_HOST_INTERVAL="0.05") as b:
        procs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            procs = start_pipeline(b.app, STAGES, b.env, tmp_path, uuid.uuid4().hex[:6])
            yield b.node, b.rt, {"env": b.env, "workers": procs}
        finally:
            stop_workers(procs.values())


def _states(rt: Any, job: str) -> list[dict[str, str]]:
    return rt.ledger.items(job)  # type: ignore[no-any-return]


def _count(rt: Any, job: str, state: str, *, enriched: bool = False) -> int:
    """Items of `job` in `state` (or, with `enriched`, enriched and not in `state`)."""
    recs = _states(rt, job)
    if enriched:
        return sum("enrich_end" in r and r["state"] != state for r in recs)
    return sum(r["state"] == state for r in recs)


def test_items_wait_out_an_elasticsearch_outage(stack: Any, tmp_path: Path) -> None:
    node, rt, ctx = stack
    env, index_worker = ctx["env"], ctx["workers"]["index"]
    srv = pageserver.start(CORPUS)
    base = f"http://localhost:{srv.server_address[1]}/corpus/"
    urls = [base + p.path for p in PAGES]
    try:
        first = ingest(env, urls[:24], tmp_path)
        assert until(lambda: _count(rt, first, "indexed") >= 3, 90), rt.ledger.summary(first)
        # The index worker pauses while a few enriched items queue up for it: it meets the
        # outage with a whole batch (the other stages meet it with their own messages).
        os.killpg(index_worker.pid, signal.SIGSTOP)
        assert until(lambda: _count(rt, first, "indexed", enriched=True) >= 3, 60)

        down = time.monotonic()
        node.stop()
        os.killpg(index_worker.pid, signal.SIGCONT)
        second = ingest(env, urls[24:], tmp_path)  # these meet the outage at fetch
        time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - down)))
        node.start()
        outage = time.monotonic() - down
        summaries = [wait_for_job(rt, job, timeout=120) for job in (first, second)]
    finally:
        os.killpg(index_worker.pid, signal.SIGCONT)
        srv.shutdown()

    assert outage > OLD_BUDGET + 10, f"outage of {outage:.0f} s is within the old retry budget"
    items = _states(rt, first) + _states(rt, second)
    problems = [rec for rec in items if rec.get("state") != "indexed"]
    why = [(r["state"], r.get("stage"), r.get("error") or r.get("reason")) for r in problems]
    assert not problems, ([s["counts"] for s in summaries], f"outage {outage:.0f} s", why[:5])
    assert [s["counts"] for s in summaries] == [{"indexed": 24}, {"indexed": len(urls) - 24}]
    # the outage was met, and waited out, at fetch, enrich and index (not missed by luck)
    waits = {
        stage: sum(int(r.get(f"outages:{stage}", 0)) for r in items)
        for stage in ("fetch", "parse", "enrich", "index")
    }
    print(f"outage {outage:.1f} s; outage waits by stage {waits}")  # shown with -rP
    assert waits["fetch"] > 0 and waits["enrich"] > 0 and waits["index"] > 0, waits
    # ledger = Elasticsearch: one article per item, no duplicates, nothing else
    articles = f"{rt.settings.index_prefix}articles"
    rt.es.indices.refresh(index=articles)
    doc_ids = {rec["doc_id"] for rec in items}
    assert len(doc_ids) == len(items) == len(urls)
    assert rt.es.count(index=articles)["count"] == len(doc_ids)
    assert set(stored_articles(rt.es, rt.settings.index_prefix, sorted(doc_ids))) == doc_ids

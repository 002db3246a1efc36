"""A NER server outage longer than the retry budget is waited out, not spent as failures.

Real processes throughout: a Stanford CoreNLP server, an Elasticsearch node and a
redis-server of the test's own, the four stage workers with the production retry budget
(the enrich worker names people, organisations and places with that CoreNLP server), the
real `newsflow ingest` command and the local HTTP test server. The NER server is stopped
while items are queued for enrichment and comes back on the same port after longer than
the whole retry budget. Every item must end `indexed`, exactly once in Elasticsearch, with
CoreNLP's names; the ledger must show the outage, met at the enrich stage only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_corenlp import PrivateCoreNLP
from private_corenlp import unavailable as corenlp_unavailable
from private_stack import Backends, private_backends

from helpers import STAGES, ingest, stored_articles, until
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS, fundus_pages, wcxb_pages
from newsflow_testkit.workers import start_pipeline, stop_workers, wait_for_job

pytestmark = pytest.mark.integration

DOWN_FOR = 45.0  # seconds the server is down: longer than the retry budget (~31 s)
# Few enough that the enrich worker cycles through their retries faster than the backoff
# spaces them (17 items queued at 0.5 s an attempt took ~50 s to spend a budget of ~31 s).
PAGES = fundus_pages(4) + wcxb_pages(6, start=40)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[PrivateCoreNLP, Backends]]:
    """A private CoreNLP server, Redis and Elasticsearch node, the four workers on them
    (enrich tagging names with that server); yields the server and the backends."""
    why = corenlp_unavailable()
    if why:
        pytest.fail(f"{why}: the NER outage test needs a private CoreNLP server")
    nlp = PrivateCoreNLP(tmp_path)
    nlp.launch()  # it loads its model while the Elasticsearch node starts
    try:
        with private_backends(
            tmp_path,
            NEWSFLOW_FETCH_HOST_INTERVAL="0.05",
            NEWSFLOW_ENRICH_NER="corenlp",
            NEWSFLOW_ENRICH_CORENLP_URL=nlp.url,
        ) as b:
            nlp.wait()
            procs: dict[str, Any] = {}
            try:
                procs = start_pipeline(b.app, STAGES, b.env, tmp_path, uuid.uuid4().hex[:6])
                yield nlp, b
            finally:
                stop_workers(procs.values())
    finally:
        nlp.stop()


def _enriched(rt: Any, job: str) -> set[str]:
    return {r["item_id"] for r in rt.ledger.items(job) if "enrich_end" in r}


def test_items_wait_out_a_ner_server_outage(stack: Any, tmp_path: Path) -> None:
    nlp, b = stack
    rt, settings = b.rt, b.rt.settings
    # the longest the retry budget waits: Celery's full-jitter backoff of 2**n s per retry
    budget = sum(min(2**n, settings.retry_backoff_max) for n in range(settings.max_retries))
    srv = pageserver.start(CORPUS)
    base = f"http://localhost:{srv.server_address[1]}/corpus/"
    urls = [base + p.path for p in PAGES]
    try:
        job = ingest(b.env, urls, tmp_path)
        assert until(lambda: rt.ledger.summary(job)["counts"].get("indexed", 0) >= 1, 120), (
            rt.ledger.summary(job)
        )
        down = time.monotonic()
        nlp.stop()
        # an enrichment that had its names before the stop may still be coding its events
        time.sleep(5.0)
        enriched_before = _enriched(rt, job)
        time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - down)))
        # nothing was enriched without the server (no fallback to spaCy's names), and
        # nothing failed (the old code's queued items had run out of retries by now)
        mid = rt.ledger.summary(job)
        assert _enriched(rt, job) == enriched_before, mid["counts"]
        assert mid["in_flight"] > 0 and "failed" not in mid["counts"], mid["counts"]
        restart = nlp.start()
        outage = time.monotonic() - down
        summary = wait_for_job(rt, job, timeout=150)
    finally:
        srv.shutdown()

    assert outage > budget + 10, f"outage of {outage:.0f} s is within the retry budget"
    items = rt.ledger.items(job)
    why = [(r["state"], r.get("stage"), r.get("error")) for r in items if r["state"] != "indexed"]
    assert summary["counts"] == {"indexed": len(urls)}, (summary, f"{outage:.0f} s", why[:5])
    # the outage was met, and waited out, at enrich and nowhere else; the ledger says why
    waits = {s: sum(int(r.get(f"outages:{s}", 0)) for r in items) for s in STAGES}
    waited = [r for r in items if int(r.get("outages:enrich", 0))]
    print(f"outage {outage:.1f} s (restart {restart:.1f} s); {len(waited)} items waited")
    print(f"outage waits by stage {waits}")  # shown with -rP
    assert waits["enrich"] > 0 and waits["fetch"] == waits["parse"] == waits["index"] == 0
    assert len(waited) >= len(urls) // 2, waits  # most were queued at enrich
    assert all(f"ner_unavailable: CoreNLP at {nlp.url}/" in r["outage"] for r in waited)
    # ledger = Elasticsearch: one article per item, no duplicates, names from CoreNLP
    doc_ids = {r["doc_id"] for r in items}
    stored = stored_articles(rt.es, settings.index_prefix, sorted(doc_ids))  # refreshes
    assert len(doc_ids) == len(urls) and set(stored) == doc_ids
    assert rt.es.count(index=f"{settings.index_prefix}articles")["count"] == len(urls)
    assert {a["enricher"].rsplit("+", 1)[-1] for a in stored.values()} == {"corenlp-3class"}

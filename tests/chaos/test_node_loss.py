"""Node loss: a three-node Elasticsearch cluster (one replica per shard) loses its elected
master to kill -9 during a 300-item ingest. Every item ends `indexed`, searches through the
API keep answering (never a 500), the node rejoins on its data and the cluster is green
again; the ledger matches Elasticsearch, one article per item.

All real and of the test's own: a redis-server, three Elasticsearch nodes of the stack's
build (384 MB heap each, as `make up ES_NODES=3` runs them), the four stage workers and the
API as processes given every node's address (NEWSFLOW_ES_URL), the real `newsflow ingest`,
a local HTTP server of small articles.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from private_es import PrivateCluster
from private_stack import Backends, private_backends

from helpers import REPO, STAGES
from newsflow_testkit import pageserver
from newsflow_testkit.api import running_api
from newsflow_testkit.corpus import CORPUS
from newsflow_testkit.workers import start_pipeline, stop_workers

pytestmark = pytest.mark.chaos

ITEMS = 300
INGEST_BOUND, GREEN_BOUND = 600.0, 300.0  # seconds


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Backends, Path]]:
    logs = tmp_path_factory.mktemp("node-loss")
    with private_backends(
        logs,
        cluster=True,
        NEWSFLOW_FETCH_HOST_INTERVAL="0.02",
        NEWSFLOW_RETRY_BACKOFF_MAX="5",
        NEWSFLOW_ENRICH_NER="spacy",  # the suite's CoreNLP server is not part of this
    ) as b:
        assert isinstance(b.node, PrivateCluster)
        b.node.wait_for(3, "green", GREEN_BOUND)
        yield b, logs


class Searcher(threading.Thread):
    """Calls /search and /events until stopped; counts the answers' status codes."""

    def __init__(self, api: str) -> None:
        super().__init__(daemon=True)
        self.api, self.codes, self.done = api, Counter[int](), threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.api, timeout=30) as http:
            while not self.done.is_set():
                for path, params in (("/search", {"q": "the"}), ("/events", {})):
                    try:
                        self.codes[http.get(path, params=params).status_code] += 1
                    except httpx.HTTPError:
                        self.codes[0] += 1  # no answer at all
                time.sleep(0.2)


def _master(node: PrivateCluster) -> int:
    """Index in `node.nodes` of the elected master."""
    for n in node.nodes:
        try:
            name = httpx.get(f"{n.url}/_cat/master?h=node", timeout=10).text.strip()
        except httpx.HTTPError:
            continue
        return [m.name for m in node.nodes].index(name)
    raise AssertionError("no node names a master")


def _ingest(b: Backends, base: str, logs: Path) -> str:
    listing = logs / "urls.txt"
    listing.write_text("".join(f"{base}node-loss-{i:03d}\n" for i in range(ITEMS)))
    newsflow = str(Path(sys.executable).with_name("newsflow"))
    out = subprocess.run(
        [newsflow, "ingest", "--no-wait", "--json", str(listing)],
        env=b.env,
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return str(json.loads(out.stdout)["job_id"])


def _wait(check, seconds: float, what: str) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"timed out after {seconds:.0f} s: {what}"
        time.sleep(0.5)
    return time.monotonic() - start


def test_a_node_killed_mid_ingest_loses_nothing(cluster: tuple[Backends, Path]) -> None:
    from newsflow_shared.indices import names
    from newsflow_shared.reconciler import Reconciler

    b, logs = cluster
    assert isinstance(b.node, PrivateCluster)
    rt, ledger = b.rt, b.rt.ledger
    srv = pageserver.start(CORPUS)
    base = f"http://localhost:{srv.server_address[1]}/small/"
    workers = start_pipeline(b.app, STAGES, b.env, logs, uuid.uuid4().hex[:6])
    try:
        with running_api(b.env) as api:
            searcher = Searcher(api)
            searcher.start()
            job = _ingest(b, base, logs)
            indexed = lambda: sum("index_end" in r for r in ledger.items(job))  # noqa: E731
            _wait(lambda: indexed() >= 60, INGEST_BOUND, "60 items indexed")
            victim = b.node.nodes[_master(b.node)]
            before_kill = sum(searcher.codes.values())
            victim.stop(signal.SIGKILL)
            at_kill = indexed()
            took = _wait(lambda: ledger.summary(job)["done"], INGEST_BOUND, "the job to end")
            after_kill = sum(searcher.codes.values()) - before_kill
            victim.launch()
            rejoined = time.monotonic()
            b.node.wait_for(3, "green", GREEN_BOUND)
            green = time.monotonic() - rejoined
            searcher.done.set()
            searcher.join(timeout=60)
    finally:
        stop_workers(workers.values())
        srv.shutdown()

    summary = ledger.summary(job)
    states = Counter(r["state"] for r in ledger.items(job))
    assert states == {"indexed": ITEMS}, (states, summary)
    assert 500 not in searcher.codes and 0 not in searcher.codes, searcher.codes
    assert searcher.codes[200] >= 0.9 * sum(searcher.codes.values()), searcher.codes
    assert after_kill > 0, "no search ran while the node was down"
    checks, unrecorded = Reconciler(rt, b.app).check(None)
    assert [c for c in checks if c.missing] == [] and unrecorded == [], (checks, unrecorded)
    articles = names("articles", rt.settings.index_prefix).read
    rt.es.indices.refresh(index=articles)
    assert rt.es.count(index=articles)["count"] == ITEMS, "duplicates or strays"
    print(
        f"\nnode loss: killed {victim.name} (the master) with {at_kill} of {ITEMS} indexed; "
        f"the job ended {took:.0f} s after the kill; "
        f"searches {dict(searcher.codes)} ({after_kill} while the node was down); "
        f"green {green:.0f} s after it was started again; ledger = Elasticsearch"
    )

"""Chaos: a 200-item ingest survives a killed worker, a killed Redis and a stopped
Elasticsearch; every item ends indexed, exactly once, and the ledger matches Elasticsearch.

Everything is real and of the suite's own: a redis-server (AOF, `appendfsync everysec` as
the stack runs it, so a kill -9 may lose the last second of writes), an Elasticsearch node,
the four stage workers and the reconciler (`newsflow reconcile --every 5`) as processes,
the real `newsflow ingest` command and a local HTTP server of small articles. The
reconciler runs with short limits (30 s in a state with no live message, 15 s for an
unacked message nobody holds); the visibility timeout keeps its default (~21 min), so
nothing here is recovered by waiting for it. Each fault prints how long recovery took.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
from private_es import PrivateElasticsearch
from private_redis import PrivateRedis
from private_stack import private_backends
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from helpers import REPO, STAGES
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS
from newsflow_testkit.workers import start_pipeline, start_worker, stop_workers

pytestmark = pytest.mark.chaos

ITEMS = 200
# Seconds from the end of a fault until every item has ended and no message is left.
RECOVERY_BOUND = {"workers": 240.0, "redis": 240.0, "elasticsearch": 300.0}
REDIS_DOWN, ES_DOWN = 20.0, 90.0
LIMITS = {state: 30 for state in ("queued", "fetch", "parse", "enrich", "index")}
REDIS_DOWN_ERRORS = (RedisConnectionError, RedisTimeoutError)


@dataclass
class Chaos:
    """The private stack: broker, node, workers by stage, reconciler, HTTP server."""

    broker: PrivateRedis
    node: PrivateElasticsearch
    rt: Any  # a Runtime on the private Redis and Elasticsearch
    app: Any  # a Celery app on the private Redis
    env: dict[str, str]
    logs: Path
    base: str
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    dead: list[subprocess.Popen[bytes]] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    es_start: float = 0.0  # seconds the node took to start (and will take again)

    def restart_worker(self, stage: str) -> None:
        """Start a new worker for `stage` (as a supervisor would), under a new node name."""
        name = f"{stage}-{uuid.uuid4().hex[:6]}"
        log = self.logs / f"{stage}.log"
        self.workers[stage] = start_worker(stage, name, self.env, log, *STAGES[stage])


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chaos]:
    logs = tmp_path_factory.mktemp("chaos")
    with private_backends(
        logs,
        NEWSFLOW_FETCH_HOST_INTERVAL="0.02",
        NEWSFLOW_RETRY_BACKOFF_MAX="5",
        NEWSFLOW_ENRICH_NER="spacy",  # the suite's CoreNLP server is not part of this
        NEWSFLOW_STAGE_LIMITS=json.dumps(LIMITS),
        NEWSFLOW_RECONCILE_ORPHAN_AFTER="15",
        NEWSFLOW_RECONCILE_REPLY_TIMEOUT="3",
    ) as b:
        srv = pageserver.start(CORPUS)
        base = f"http://localhost:{srv.server_address[1]}/small/"
        stack = Chaos(b.broker, b.node, b.rt, b.app, b.env, logs, base, es_start=b.es_start)
        reconciler: subprocess.Popen[bytes] | None = None
        try:
            stack.workers.update(start_pipeline(b.app, STAGES, b.env, logs, uuid.uuid4().hex[:6]))
            with open(logs / "reconciler.log", "ab") as out:
                reconciler = subprocess.Popen(
                    [_exe("newsflow"), "reconcile", "--every", "5", "--json"],
                    env=b.env,
                    cwd=REPO,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            yield stack
        finally:
            if reconciler is not None:
                os.killpg(reconciler.pid, signal.SIGTERM)
                reconciler.wait(timeout=30)
            stop_workers(stack.workers.values())
            for p in stack.dead:  # what was left of killed workers (their pool children)
                _kill_group(p.pid)
            srv.shutdown()


def _exe(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _ingest(stack: Chaos, tag: str) -> str:
    """Submit ITEMS small articles with the real `newsflow ingest`; returns the job id."""
    listing = stack.logs / f"{tag}.urls"
    listing.write_text("".join(f"{stack.base}{tag}-{i:03d}\n" for i in range(ITEMS)))
    out = subprocess.run(
        [_exe("newsflow"), "ingest", "--no-wait", "--json", str(listing)],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    job = str(json.loads(out.stdout)["job_id"])
    stack.jobs.append(job)
    return job


def _reachable(read: Callable[[], Any]) -> Any:
    """`read()` from the private Redis, or None while it is down."""
    try:
        return read()
    except REDIS_DOWN_ERRORS:
        return None


def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not _reachable(check):
        assert time.monotonic() < deadline, f"timed out after {seconds:.0f} s waiting for {what}"
        time.sleep(0.5)


def _progress(stack: Chaos, job: str, field_: str) -> int:
    """Items of `job` whose ledger record has `field_` (e.g. `enrich_start`, `index_end`)."""
    return sum(field_ in r for r in stack.rt.ledger.items(job))


def _quiet(stack: Chaos) -> bool:
    """Every job's items ended, and no message is left in any queue or unacked."""
    r = stack.rt.redis
    if any(not stack.rt.ledger.summary(job)["done"] for job in stack.jobs):
        return False
    queued = sum(r.llen(s) for s in STAGES)
    return queued == 0 and r.hlen("unacked") == 0


def _settle(stack: Chaos, since: float, fault: str) -> float:
    """Wait until the stack is quiet twice, 2 s apart; returns seconds since `since`."""
    bound = RECOVERY_BOUND[fault]
    deadline = since + bound
    while True:
        if _reachable(lambda: _quiet(stack)):
            time.sleep(2.0)
            if _reachable(lambda: _quiet(stack)):
                return time.monotonic() - since
        summaries = _reachable(lambda: [stack.rt.ledger.summary(j)["counts"] for j in stack.jobs])
        assert time.monotonic() < deadline, (
            f"{fault}: not settled within {bound:.0f} s: {summaries}"
        )
        time.sleep(1.0)


def _reconciler_totals(stack: Chaos) -> dict[str, int]:
    """What the reconciler did so far (its --json lines)."""
    totals = {"restored": 0, "redispatched": 0, "failed": 0}
    for line in (stack.logs / "reconciler.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            for k in totals:
                totals[k] += int(rec.get(k, 0))
    return totals


def _verify(stack: Chaos, job: str, fault: str, took: float, before: dict[str, int]) -> None:
    """Every item of `job` indexed, none failed or lost; ledger = Elasticsearch for all jobs
    (the `newsflow status --check` core), one article per item (no duplicates)."""
    from newsflow_shared.indices import names
    from newsflow_shared.reconciler import Reconciler

    rt = stack.rt
    items = rt.ledger.items(job)
    assert len(items) == ITEMS, f"{fault}: {len(items)} items in the ledger, not {ITEMS}"
    wrong = [(r["item_id"], r["state"], r.get("error") or r.get("reason")) for r in items
             if r["state"] != "indexed"]  # fmt: skip
    assert not wrong, f"{fault}: not indexed: {wrong[:10]}"
    checks, unrecorded = Reconciler(rt, stack.app).check(None)
    assert [c for c in checks if c.missing] == [] and unrecorded == [], (checks, unrecorded)
    articles = names("articles", rt.settings.index_prefix).read
    rt.es.indices.refresh(index=articles)
    doc_ids = {r["doc_id"] for j in stack.jobs for r in rt.ledger.items(j)}
    assert len(doc_ids) == ITEMS * len(stack.jobs)
    assert rt.es.count(index=articles)["count"] == len(doc_ids), "duplicates or strays"
    after = _reconciler_totals(stack)
    did = {k: after[k] - before[k] for k in after}
    assert did["failed"] == 0, f"{fault}: the reconciler failed items: {did}"
    print(
        f"\nchaos {fault}: {ITEMS} of {ITEMS} indexed, ledger = Elasticsearch "
        f"({len(doc_ids)} articles); settled {took:.0f} s after the fault ended "
        f"(bound {RECOVERY_BOUND[fault]:.0f} s); reconciler: {did}"
    )


def test_killed_worker_child_and_main_processes(chaos: Chaos) -> None:
    """kill -9 an enrich pool child (Celery requeues its task), then the enrich and index
    workers' main processes with messages prefetched, running and batched; a supervisor
    starts new ones. Their unacked messages come back by the reconciler."""
    before = _reconciler_totals(chaos)
    job = _ingest(chaos, "workers")
    _until(lambda: _progress(chaos, job, "enrich_start") >= 20, 180, "20 items at enrich")
    enrich = chaos.workers["enrich"]
    child = psutil.Process(enrich.pid).children()[0]
    child.send_signal(signal.SIGKILL)
    _until(lambda: _progress(chaos, job, "index_end") >= 40, 180, "40 items indexed")
    for stage in ("enrich", "index"):
        main = chaos.workers[stage]
        os.kill(main.pid, signal.SIGKILL)  # the main process only: its child is orphaned
        main.wait(timeout=30)
        chaos.dead.append(main)
    killed = time.monotonic()
    time.sleep(2.0)
    for stage in ("enrich", "index"):
        chaos.restart_worker(stage)
    took = _settle(chaos, killed, "workers")
    _verify(chaos, job, "workers", took, before)


def test_redis_killed_and_back_after_20_s(chaos: Chaos) -> None:
    """kill -9 Redis mid-ingest, start it again on its AOF 20 s later."""
    before = _reconciler_totals(chaos)
    job = _ingest(chaos, "redis")
    _until(lambda: _progress(chaos, job, "index_end") >= 30, 180, "30 items indexed")
    chaos.broker.stop(signal.SIGKILL)
    time.sleep(REDIS_DOWN)
    chaos.broker.start()
    back = time.monotonic()
    chaos.rt.redis.connection_pool.disconnect()
    took = _settle(chaos, back, "redis")
    _verify(chaos, job, "redis", took, before)


def test_elasticsearch_stopped_for_90_s(chaos: Chaos) -> None:
    """Stop Elasticsearch mid-ingest; it answers again on the same data after ~90 s (the
    node is started again as early as its first start took, so its start is part of it)."""
    before = _reconciler_totals(chaos)
    job = _ingest(chaos, "elasticsearch")
    _until(lambda: _progress(chaos, job, "index_end") >= 30, 180, "30 items indexed")
    down = time.monotonic()
    chaos.node.stop()
    time.sleep(max(0.0, ES_DOWN - chaos.es_start - (time.monotonic() - down)))
    chaos.node.start()
    back = time.monotonic()
    assert back - down >= ES_DOWN - 30, f"Elasticsearch was down only {back - down:.0f} s"
    took = _settle(chaos, back, "elasticsearch")
    waits = sum(int(v) for r in chaos.rt.ledger.items(job) for k, v in r.items()
                if k.startswith("outages:"))  # fmt: skip
    assert waits > 0, "no item met the outage"
    print(f"\nchaos elasticsearch: down {back - down:.0f} s, {waits} outage waits")
    _verify(chaos, job, "elasticsearch", took, before)

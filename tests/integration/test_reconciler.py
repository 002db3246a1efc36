"""The reconciler on a Redis of the test's own: stuck items are re-dispatched from the
content store (then failed), and a dead worker's unacked message goes back to its queue
long before the visibility timeout, while a live worker's stays where it is."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_redis import PrivateRedis

from helpers import queued_messages
from newsflow_testkit.workers import start_worker, wait_for_workers

pytestmark = pytest.mark.integration

ONE_SECOND = {state: 1 for state in ("queued", "fetch", "parse", "enrich", "index")}


@pytest.fixture
def private(tmp_path: Path, indices: str) -> Iterator[tuple[Any, Any, Any, PrivateRedis]]:
    """A private Redis; a runtime (ledger on it, content store on the suite's Elasticsearch),
    a Celery app on it, and a reconciler with 1 s limits and a 1 s orphan grace."""
    from newsflow_shared.celery_app import make_app
    from newsflow_shared.reconciler import Reconciler
    from newsflow_shared.runtime import Runtime
    from newsflow_shared.settings import get_settings

    broker = PrivateRedis(tmp_path)
    broker.start()
    settings = get_settings().model_copy(
        update={
            "redis_url": broker.url,
            "stage_limits": ONE_SECOND,
            "reconcile_orphan_after": 1,
            "reconcile_reply_timeout": 1.0,
            "reconcile_max_redispatches": 2,
        }
    )
    rt, app = Runtime(settings), make_app(settings)
    try:
        yield rt, app, Reconciler(rt, app), broker
    finally:
        broker.stop()


def _ids(redis: Any, queue: str) -> list[tuple[str, str]]:
    return [(m["body"][0][0]["job_id"], m["body"][0][0]["item_id"]) for m in queued_messages(redis, queue)]  # fmt: skip


def test_stuck_items_are_redispatched_from_the_content_store_then_failed(private: Any) -> None:
    from newsflow_shared.messages import IndexRequest
    from newsflow_shared.publish import hand_on
    from newsflow_shared.stages import TASK_INDEX

    rt, app, rec, _ = private
    job = uuid.uuid4().hex[:12]
    rt.ledger.create_job(job, "reconciler test")
    raw_doc = "rc-" + uuid.uuid4().hex
    rt.store.put_raw(raw_doc, b"<html><p>x</p></html>", source_kind="url",
                     url="https://example.org/a", final_url="https://example.org/a?b")  # fmt: skip
    for item, state, kind, doc in [
        ("enr", "enrich", "url", "d-enr"),
        ("par", "parse", "url", raw_doc),
        ("new", "queued", "url", "d-new"),
        ("idx", "index", "url", "d-idx"),  # has a live message: left alone
        ("nor", "parse", "url", "d-no-raw"),  # at parse with no stored page: failed
    ]:
        rt.ledger.add_item(job, item, f"https://example.org/{item}", kind, doc)
        if state != "queued":
            rt.ledger.start(job, item, state)
    hand_on(TASK_INDEX, IndexRequest(job_id=job, item_id="idx", doc_id="d-idx"), via=app)
    time.sleep(1.2)

    report = rec.run_once()
    assert {(a.item_id, a.stage.value) for a in report.redispatched} == {
        ("enr", "enrich"), ("par", "parse"), ("new", "fetch"),
    }  # fmt: skip
    assert [(a.item_id, a.reason.split(":")[0]) for a in report.failed] == [
        ("nor", "content_missing")
    ]
    r = rt.redis
    assert _ids(r, "enrich") == [(job, "enr")] and _ids(r, "fetch") == [(job, "new")]
    assert _ids(r, "index") == [(job, "idx")]
    (parse_msg,) = queued_messages(r, "parse")
    payload = parse_msg["body"][0][0]
    assert (payload["item_id"], payload["doc_id"]) == ("par", raw_doc)
    assert payload["final_url"] == "https://example.org/a?b" and payload["source_kind"] == "url"
    assert rt.ledger.item(job, "nor")["state"] == "failed"

    # their messages are live now: nothing to do
    again = rec.run_once()
    assert not again.redispatched and not again.failed
    # lost again (twice): re-dispatched once more, then failed after 2 re-dispatches
    for round_ in (1, 2):
        r.delete("enrich", "parse", "fetch")
        time.sleep(1.2)
        got = rec.run_once()
        acted = got.redispatched if round_ == 1 else got.failed
        assert {a.item_id for a in acted} == {"enr", "par", "new"}, got
    states = {i["item_id"]: i["state"] for i in rt.ledger.items(job)}
    assert states == {"enr": "failed", "par": "failed", "new": "failed", "nor": "failed",
                      "idx": "index"}  # fmt: skip
    assert "after 2 re-dispatches" in rt.ledger.item(job, "enr")["error"]


def test_a_dead_workers_unacked_message_is_restored_a_live_ones_is_not(
    private: Any, tmp_path: Path
) -> None:
    from newsflow_shared.messages import ParseRequest, SourceKind
    from newsflow_shared.publish import hand_on
    from newsflow_shared.stages import TASK_PARSE

    rt, app, rec, broker = private
    name = f"parse-rc-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "NEWSFLOW_REDIS_URL": broker.url}
    log = tmp_path / "parse.log"
    proc = start_worker("parse", name, env, log, "--concurrency", "1")
    try:
        assert wait_for_workers(app, {name}, timeout=90) == {name}, log.read_text()[-2000:]
        job = uuid.uuid4().hex[:12]
        msg = ParseRequest(job_id=job, item_id="000001", doc_id="d", source_kind=SourceKind.URL)
        # due in 10 minutes: the worker holds it unacknowledged in its timer meanwhile
        hand_on(TASK_PARSE, msg, countdown=600, via=app)
        deadline = time.monotonic() + 20
        while rt.redis.hlen("unacked") < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rt.redis.hlen("unacked") == 1, "the worker did not take the message"
        time.sleep(1.5)  # older than the orphan grace
        live = rec.run_once()
        assert (live.workers, live.restored) == (1, 0), "a live worker's message was taken"
        assert rt.redis.hlen("unacked") == 1

        os.killpg(proc.pid, signal.SIGKILL)  # main process and pool child, no goodbye
        proc.wait(timeout=30)
        assert rt.redis.hlen("unacked") == 1 and rt.redis.llen("parse") == 0
        dead = rec.run_once()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert (dead.workers, dead.restored) == (0, 1)
    assert rt.redis.hlen("unacked") == 0
    assert _ids(rt.redis, "parse") == [(job, "000001")]

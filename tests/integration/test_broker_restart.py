"""The index worker after a broker restart: its batches still flush by time.

A real index worker process on a redis-server of the test's own, restarted by the test.
Celery clears the worker's timer when the broker connection breaks (`hub.timer.clear()`),
and celery-batches re-arms its flush timer only while it believes none is armed: without
`ReconnectSafeBatches`, a lone message after the restart waits for 49 more.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_redis import PrivateRedis

from newsflow_testkit.workers import start_worker, stop_workers, wait_for_workers

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def index_worker(broker: PrivateRedis, indices: str, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """An index worker on the private broker (batches of 50 or 0.5 s, as in production);
    yields a Celery app and a runtime (ledger) on that broker."""
    from newsflow_shared.celery_app import make_app
    from newsflow_shared.runtime import Runtime
    from newsflow_shared.settings import get_settings

    settings = get_settings().model_copy(update={"redis_url": broker.url})
    env = {
        **os.environ,
        "NEWSFLOW_REDIS_URL": broker.url,
        "NEWSFLOW_INDEX_BATCH_SIZE": "50",
        "NEWSFLOW_INDEX_BATCH_SECONDS": "0.5",
    }
    name = f"index-restart-{uuid.uuid4().hex[:6]}"
    log = tmp_path / "index-worker.log"
    proc = start_worker(
        "index", name, env, log, "--concurrency", "1", "--prefetch-multiplier", "100"
    )
    app = make_app(settings)
    try:
        if wait_for_workers(app, {name}, timeout=60) != {name}:
            pytest.fail(f"index worker did not start; log in {log}")
        app.conf.worker_name = name
        yield app, Runtime(settings)
    finally:
        stop_workers([proc])


def _submit(app: Any, rt: Any, job: str, item: str, countdown: float | None = None) -> None:
    """Store an article and send its IndexRequest to the private broker."""
    from test_index_stage import _article

    from newsflow_shared.stages import TASK_INDEX

    doc_id = "r" + uuid.uuid4().hex
    rt.store.put_parsed(_article(doc_id))
    rt.ledger.add_item(job, item, "test", "url", doc_id)
    payload = {"schema_version": 1, "job_id": job, "item_id": item, "doc_id": doc_id}
    app.send_task(TASK_INDEX, args=[payload], queue="index", countdown=countdown)


def _state_within(rt: Any, job: str, item: str, want: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    state = ""
    while time.monotonic() < deadline:
        state = rt.ledger.item(job, item).get("state", "")
        if state == want:
            break
        time.sleep(0.1)
    return state


def _reconnected(app: Any, name: str, seconds: float) -> bool:
    """Ping until the worker answers; the first pings may meet connections the restart cut."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return wait_for_workers(app, {name}, timeout=deadline - time.monotonic()) == {name}
        except RedisConnectionError:
            time.sleep(0.2)
    return False


def test_batches_flush_by_time_after_a_broker_restart(
    broker: PrivateRedis, index_worker: tuple[Any, Any]
) -> None:
    app, rt = index_worker
    job = uuid.uuid4().hex[:12]
    rt.ledger.create_job(job, "broker restart test")
    _submit(app, rt, job, "before")
    assert _state_within(rt, job, "before", "indexed", 15) == "indexed"
    # A message due in 10 minutes waits in the worker's buffer, so the batch flush timer is
    # armed when the connection breaks, as it is during any steady stream of messages.
    _submit(app, rt, job, "later", countdown=600)
    deadline = time.monotonic() + 15
    while rt.redis.hlen("unacked") < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rt.redis.hlen("unacked") == 1, "the worker did not take the delayed message"

    broker.restart(down_for=1.0)
    rt.redis.connection_pool.disconnect()  # the test's own connections died with the server
    assert _reconnected(app, app.conf.worker_name, 90), "the worker did not reconnect"

    _submit(app, rt, job, "after")
    # one message, 49 short of a full batch: only the timer flushes it
    assert _state_within(rt, job, "after", "indexed", 20) == "indexed"

"""A stage task killed at its hard time limit still ends in the ledger.

When the hard limit kills a pool child, no code of ours runs in it: the worker's main
process marks the task failed (`backend.mark_as_failure` with the request's context) and
acks the message. Every stage message carries `stage_lost` as its errback, which Celery
calls on that path. Here the message is the one `hand_on` really publishes (read back from
Redis), and the failure is reported through Celery's own backend call, as the worker does.
"""

from __future__ import annotations

import json
import uuid
from base64 import b64decode
from types import SimpleNamespace

import pytest
from billiard.exceptions import TimeLimitExceeded
from celery.app.task import Context

from newsflow_shared import publish
from newsflow_shared.messages import ParseRequest, SourceKind
from newsflow_shared.publish import hand_on
from newsflow_shared.stages import TASK_PARSE
from newsflow_shared.worker import app

pytestmark = pytest.mark.integration


def _published(redis, queue: str, job: str, item: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Take our message back off the broker's queue (so no worker consumes it later)."""
    for raw in redis.lrange(queue, 0, -1):
        args = json.loads(b64decode(json.loads(raw)["body"]))[0]
        if args and args[0].get("job_id") == job and args[0].get("item_id") == item:
            redis.lrem(queue, 1, raw)
            return json.loads(raw)  # type: ignore[no-any-return]
    raise AssertionError(f"no message of {job}/{item} in queue {queue!r}")


def test_hard_time_limit_kill_is_recorded_failed(runtime, redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    job = uuid.uuid4().hex[:12]
    ledger = runtime.ledger
    ledger.create_job(job, "lost-task test")
    ledger.add_item(job, "i1", "http://example.org/a", "url")
    ledger.add_item(job, "i2", "http://example.org/b", "url")
    ledger.start(job, "i1", "parse")
    ledger.indexed(job, "i2", "d2")  # ended already: a late failure report must not undo it

    # hand_on publishes to a queue of this test's own (the suite's parse worker must not
    # take the messages), then the registry is back as the worker sees it
    queue = f"lost-test-{job}"
    with monkeypatch.context() as m:
        m.setitem(publish.TASK_QUEUE, TASK_PARSE, SimpleNamespace(value=queue))
        for item in ("i1", "i2"):
            hand_on(
                TASK_PARSE,
                ParseRequest(job_id=job, item_id=item, doc_id="d", source_kind=SourceKind.URL),
            )
    for item in ("i1", "i2"):
        msg = _published(redis, queue, job, item)
        args, kwargs, embed = json.loads(b64decode(msg["body"]))
        assert [e["task"] for e in embed["errbacks"]] == ["stage.lost"]
        # what celery.worker.request.Request does on a hard timeout
        context = Context({**msg["headers"], "args": args, "kwargs": kwargs, **embed})
        app.backend.mark_as_failure(msg["headers"]["id"], TimeLimitExceeded(300), request=context)

    redis.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")

    one, two = ledger.item(job, "i1"), ledger.item(job, "i2")
    assert one["state"] == "failed" and one["stage"] == "parse"
    assert "TimeLimitExceeded" in one["error"]
    assert two["state"] == "indexed"
    assert ledger.summary(job)["done"]

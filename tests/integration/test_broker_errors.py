"""Redis or Elasticsearch unreachable inside a stage is an outage, not the item's failure:
it is waited out without spending a retry (and the poison-message guard does not count those
deliveries); and a retry that cannot be published keeps its message (requeued), where Celery
would drop it. The retries are published to a real Redis and read back from it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from celery.exceptions import Reject, Retry

from helpers import queued_messages
from newsflow_shared.errors import BROKER_ERRORS, OutageError, TransientError
from newsflow_shared.messages import ParseRequest, SourceKind
from newsflow_shared.outage import OUTAGE_SINCE, OUTAGE_WAITS, OutageCeilingExceeded
from newsflow_shared.runtime import Runtime
from newsflow_shared.worker import StageTask, admit

pytestmark = pytest.mark.integration

DEAD_REDIS = "redis://127.0.0.1:9/0"  # a closed port: Redis down, not a mock of it


def _task_on(redis_url: str, settings: Any) -> Any:
    """A StageTask registered on an app whose broker is `redis_url`."""
    from newsflow_shared.celery_app import make_app

    app = make_app(settings.model_copy(update={"redis_url": redis_url}))
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}

    def run(self: StageTask, payload: dict[str, Any]) -> None:
        raise AssertionError("not run here")

    return app.task(name=f"test.retry_{uuid.uuid4().hex[:6]}", base=StageTask, bind=True)(run)


def _push_request(task: Any, **fields: Any) -> None:
    """Make the task look as if a worker were running it (what retry() reads)."""
    task.push_request(
        **{
            "id": uuid.uuid4().hex,
            "args": [{}],
            "kwargs": {},
            "retries": 0,
            "delivery_info": {},
            "called_directly": False,
            **fields,
        }
    )


def test_broker_errors_are_retried_like_transient_ones() -> None:
    assert set(StageTask.autoretry_for) >= {TransientError, OutageError, *BROKER_ERRORS}


def test_retry_that_cannot_be_published_requeues_its_message(settings: Any) -> None:
    task = _task_on(DEAD_REDIS, settings)
    _push_request(task)
    try:
        with pytest.raises(Reject) as e:
            task.retry(exc=TransientError("x"), countdown=1)
    finally:
        task.pop_request()
    assert e.value.requeue is True  # Celery's own retry() says requeue=False: dropped


def test_retry_that_is_published_is_an_ordinary_retry(settings: Any, redis: Any) -> None:
    task = _task_on(settings.redis_url, settings)
    queue = f"retry-test-{uuid.uuid4().hex[:8]}"
    _push_request(task)
    try:
        with pytest.raises(Retry):
            task.retry(exc=TransientError("x"), countdown=1, queue=queue)
    finally:
        task.pop_request()
        redis.delete(queue)


def _retry_from(task: Any, queue: str, exc: Exception, item: tuple[str, str], **fields: Any) -> Any:
    """Call retry() as autoretry does, for a message of `item` (job, item id) that came
    from `queue` (where the retry goes); returns what it raised."""
    payload = {"job_id": item[0], "item_id": item[1]}
    routing = {"exchange": "", "routing_key": queue}
    _push_request(task, args=[payload], delivery_info=routing, **fields)
    try:
        with pytest.raises((Retry, OutageCeilingExceeded)) as raised:
            task.retry(exc=exc, countdown=5)
    finally:
        task.pop_request()
    return raised.value


@pytest.fixture
def queue(redis: Any) -> Any:
    name = f"retry-test-{uuid.uuid4().hex[:8]}"
    yield name
    redis.delete(name, f"_kombu.binding.{name}")


def _item(runtime: Any) -> tuple[str, str]:
    job = uuid.uuid4().hex[:12]
    runtime.ledger.create_job(job, "outage test")
    runtime.ledger.add_item(job, "i1", "http://example.org/a", "url")
    return job, "i1"


def test_an_outage_is_waited_out_without_spending_a_retry(
    settings: Any, redis: Any, runtime: Any, queue: str
) -> None:
    task = _task_on(settings.redis_url, settings)
    job, item = _item(runtime)
    assert runtime.ledger.start(job, item, task.stage) == 1
    since = time.time() - 100
    outage = {OUTAGE_SINCE: since, OUTAGE_WAITS: 3}
    exc = OutageError("es_unreachable", "Connection refused")
    raised = _retry_from(task, queue, exc, (job, item), retries=2, headers=outage)
    assert isinstance(raised, Retry) and 1 <= float(raised.when) <= 8  # 2**3 s, jittered

    [msg] = queued_messages(redis, queue)
    headers = msg["headers"]
    assert headers["retries"] == 2  # Celery's retry() would have made it 3
    assert headers[OUTAGE_SINCE] == since and headers[OUTAGE_WAITS] == 4
    assert headers["eta"] and msg["body"][0] == [{"job_id": job, "item_id": item}]
    # the next delivery is still attempt 1: the poison-message guard does not count waits
    assert runtime.ledger.start(job, item, task.stage) == 1
    assert runtime.ledger.item(job, item)[f"outages:{task.stage}"] == "1"


def test_an_outage_past_the_ceiling_fails_the_item(
    settings: Any, redis: Any, runtime: Any, queue: str
) -> None:
    task = _task_on(settings.redis_url, settings)
    job, item = _item(runtime)
    outage = {OUTAGE_SINCE: time.time() - settings.outage_ceiling - 1, OUTAGE_WAITS: 70}
    raised = _retry_from(task, queue, OutageError("es_unreachable"), (job, item), headers=outage)
    assert isinstance(raised, OutageCeilingExceeded)
    assert queued_messages(redis, queue) == []
    # what the worker does with a task that raised: on_failure records it
    task.on_failure(raised, "id", [{"job_id": job, "item_id": item}], {}, None)
    rec = runtime.ledger.item(job, item)
    assert rec["state"] == "failed" and "outage_ceiling" in rec["error"]


def test_an_ordinary_retry_spends_one_and_ends_the_outage_clock(
    settings: Any, redis: Any, runtime: Any, queue: str
) -> None:
    task = _task_on(settings.redis_url, settings)
    job, item = _item(runtime)
    outage = {OUTAGE_SINCE: time.time() - 100, OUTAGE_WAITS: 3, "other": "kept"}
    exc = TransientError("http_503", "the site answered 503")
    raised = _retry_from(task, queue, exc, (job, item), retries=2, headers=outage)
    assert isinstance(raised, Retry)
    [msg] = queued_messages(redis, queue)
    assert msg["headers"]["retries"] == 3
    assert OUTAGE_SINCE not in msg["headers"] and OUTAGE_WAITS not in msg["headers"]
    assert msg["headers"]["other"] == "kept"


def test_poison_guard_counts_deliveries_not_outage_waits(runtime: Any) -> None:
    """The guard is the injected settings' (1 retry: 4 deliveries; 5 retries by default)."""
    rt = Runtime(runtime.settings.model_copy(update={"max_retries": 1}))
    assert rt.settings.max_deliveries == 4
    job, item = _item(runtime)
    payload = ParseRequest(
        job_id=job, item_id=item, doc_id="d", source_kind=SourceKind.URL
    ).model_dump(mode="json")
    for _ in range(3 * 4):  # a long outage: delivered, waits, delivered again
        assert admit(rt, "parse", ParseRequest, payload) is not None
        runtime.ledger.outage(job, item, "parse", "OutageError: es_unreachable")
    assert runtime.ledger.item(job, item)["state"] == "parse"
    for _ in range(4):  # deliveries that never finish: a poison message
        assert admit(rt, "parse", ParseRequest, payload) is not None
    assert admit(rt, "parse", ParseRequest, payload) is None
    assert runtime.ledger.item(job, item)["state"] == "failed"


def test_a_message_not_due_is_deferred_without_spending_a_retry(
    settings: Any, redis: Any, runtime: Any, queue: str
) -> None:
    """Deferred (e.g. its host's turn is later): put back with the countdown and the
    deferral's headers, its retry count unchanged, the delivery not counted as an attempt;
    an earlier deferral's headers and an outage's are dropped."""
    from newsflow_shared.errors import DEFER_HEADER_PREFIX, Deferred

    task = _task_on(settings.redis_url, settings)
    job, item = _item(runtime)
    assert runtime.ledger.start(job, item, task.stage) == 1
    old = {OUTAGE_SINCE: time.time(), f"{DEFER_HEADER_PREFIX}old": "x", "kept": "y"}
    turn = {f"{DEFER_HEADER_PREFIX}slot": "a.example 123.5"}
    exc = Deferred("host_not_due", "a.example: later", 2.5, turn)
    raised = _retry_from(task, queue, exc, (job, item), retries=1, headers=old)
    assert isinstance(raised, Retry) and float(raised.when) == 2.5

    [msg] = queued_messages(redis, queue)
    headers = msg["headers"]
    assert headers["retries"] == 1 and headers["eta"]
    assert headers[f"{DEFER_HEADER_PREFIX}slot"] == "a.example 123.5" and headers["kept"] == "y"
    assert OUTAGE_SINCE not in headers and f"{DEFER_HEADER_PREFIX}old" not in headers
    assert runtime.ledger.start(job, item, task.stage) == 1  # not an attempt
    assert runtime.ledger.item(job, item)[f"deferrals:{task.stage}"] == "1"


def test_a_deferral_is_capped_and_one_that_cannot_be_published_requeues(
    settings: Any, redis: Any, runtime: Any, queue: str
) -> None:
    from newsflow_shared.errors import Deferred

    far = Deferred("host_not_due", "later", 10_000.0, {})
    task = _task_on(settings.redis_url, settings)
    raised = _retry_from(task, queue, far, _item(runtime))
    assert float(raised.when) == settings.defer_max  # comes back and asks again
    dead = _task_on(DEAD_REDIS, settings)
    _push_request(dead, args=[{"job_id": "j", "item_id": "i"}])
    try:
        with pytest.raises(Reject) as e:
            dead.retry(exc=Deferred("host_not_due", "later", 1.0, {}), countdown=1)
    finally:
        dead.pop_request()
    assert e.value.requeue is True  # the message is kept, never dropped

"""Redis unreachable inside a stage is an outage, not the item's failure; and a retry that
cannot be published keeps its message (requeued), where Celery would drop it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from celery.exceptions import Reject, Retry

from newsflow_shared.errors import BROKER_ERRORS, TransientError
from newsflow_shared.worker import StageTask

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


def _push_request(task: Any) -> None:
    """Make the task look as if a worker were running it (what retry() reads)."""
    task.push_request(
        id=uuid.uuid4().hex,
        args=[{}],
        kwargs={},
        retries=0,
        delivery_info={},
        called_directly=False,
    )


def test_broker_errors_are_retried_like_transient_ones() -> None:
    assert set(StageTask.autoretry_for) >= {TransientError, *BROKER_ERRORS}


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

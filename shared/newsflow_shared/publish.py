"""Publishing a stage's message by task name: the one way stages hand on and producers submit.

It needs only the Celery app (a producer) and the stage registry (`stages`: task names and
their queues), never the worker's base task: the API and the CLI publish without loading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Celery

from newsflow_shared.celery_app import app
from newsflow_shared.messages import Message
from newsflow_shared.stages import TASK_QUEUE, TASK_STAGE_LOST

# Fair queues: the n-th item of a job (from 0) is published with the priority of its size
# class, so a job's first FAIR_HEAD items come before the 100th and later items of any
# bigger job, whenever each was submitted. On Redis, kombu keeps one list per priority step
# (0, 3, 6, 9 by default; `queue`, `queue\x06\x163`, ...) and a worker pops them in that
# order, 0 first: a small job submitted after a 2,000-item one waits for at most FAIR_HEAD
# of its items, not all of them. Within a class, order is FIFO.
FAIR_HEAD = 100
FAIR_CLASSES = ((FAIR_HEAD, 0), (10 * FAIR_HEAD, 3), (100 * FAIR_HEAD, 6))


def fair_priority(position: int) -> int:
    """The priority (0 = first) of a job's item number `position` (from 0)."""
    return next((pri for bound, pri in FAIR_CLASSES if position < bound), 9)


def hand_on(
    task_name: str,
    msg: Message,
    countdown: float | None = None,
    headers: Mapping[str, Any] | None = None,
    via: Celery | None = None,
    priority: int | None = None,
) -> None:
    """Publish the next stage's task: the one way stages hand on (and put a message back).
    Every message carries the errback `stage.lost` (registered by the workers, named here).
    `via`: another app's broker than this process's (a reconciler of another Redis);
    `priority`: see `fair_priority` (none: 0, the first)."""
    producer = via or app
    producer.send_task(
        task_name,
        args=[msg.model_dump(mode="json")],
        queue=TASK_QUEUE[task_name].value,
        countdown=countdown,
        headers=dict(headers) if headers else None,
        link_error=producer.signature(TASK_STAGE_LOST),
        priority=priority,
    )

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


def hand_on(
    task_name: str,
    msg: Message,
    countdown: float | None = None,
    headers: Mapping[str, Any] | None = None,
    via: Celery | None = None,
) -> None:
    """Publish the next stage's task: the one way stages hand on (and put a message back).
    Every message carries the errback `stage.lost` (registered by the workers, named here).
    `via`: another app's broker than this process's (a reconciler of another Redis)."""
    producer = via or app
    producer.send_task(
        task_name,
        args=[msg.model_dump(mode="json")],
        queue=TASK_QUEUE[task_name].value,
        countdown=countdown,
        headers=dict(headers) if headers else None,
        link_error=producer.signature(TASK_STAGE_LOST),
    )

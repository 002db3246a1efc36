"""Celery shell of the index stage: batches messages (celery-batches) into bulk requests.

A batch is flushed every `batch_size` messages or `batch_seconds`, whichever comes first;
messages are acked after the batch ran (acks_late). What becomes of each message (indexed,
retried, waiting out an outage, rejected, failed) is `indexing.index_batch`'s business.
"""

from __future__ import annotations

from celery_batches import SimpleRequest

from newsflow_index.batching import ReconnectSafeBatches
from newsflow_index.indexing import run_batch
from newsflow_index.settings import get_index_settings
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import HARD_LIMIT_MARGIN, get_settings
from newsflow_shared.stages import TASK_INDEX
from newsflow_shared.worker import app


@app.task(
    name=TASK_INDEX,
    base=ReconnectSafeBatches,
    flush_every=get_index_settings().batch_size,
    flush_interval=get_index_settings().batch_seconds,
    acks_late=True,
    soft_time_limit=get_settings().index_time_limit,
    time_limit=get_settings().index_time_limit + HARD_LIMIT_MARGIN,
)
def index_task(requests: list[SimpleRequest]) -> None:
    payloads = [r.args[0] if r.args else None for r in requests]
    headers = [r.request_dict or {} for r in requests]  # the message headers, Celery's too
    run_batch(get_runtime(), payloads, headers)


__all__ = ["app", "index_task"]

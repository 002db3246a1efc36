"""Celery shell of the index stage: batches messages (celery-batches) into bulk requests.

A batch is flushed every `batch_size` messages or `batch_seconds`, whichever comes first;
messages are acked after the batch ran (acks_late). Per-article 429/5xx results are
re-published with a countdown; mapping errors are recorded as rejected.
"""

from __future__ import annotations

import random
from typing import Any

from celery_batches import SimpleRequest
from elasticsearch import ApiError, TransportError

from newsflow_index.batching import ReconnectSafeBatches
from newsflow_index.bulk import write_batch
from newsflow_index.settings import IndexSettings
from newsflow_shared.errors import PermanentError, TransientError
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import Enrichment, IndexRequest, ParsedArticle
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import HARD_LIMIT_MARGIN, get_settings
from newsflow_shared.stages import TASK_INDEX
from newsflow_shared.worker import admit, app, fail_unfinished, hand_on

log = get_logger(__name__)
_s = get_settings()
_is = IndexSettings()


def _retry(msg: IndexRequest, attempt: int, why: str) -> None:
    """Re-publish with exponential backoff and jitter, or record `failed` past the cap."""
    ledger = get_runtime().ledger
    if attempt > _s.max_retries:
        ledger.fail(msg.job_id, msg.item_id, "index", why)
        return
    delay = random.uniform(0, min(_s.retry_backoff_max, 2**attempt))
    hand_on(TASK_INDEX, msg, countdown=delay)


def index_batch(payloads: list[Any]) -> None:
    """Index a batch of IndexRequests; every message ends indexed, retried, rejected or failed."""
    rt = get_runtime()
    msgs: dict[str, list[tuple[IndexRequest, int]]] = {}
    for payload in payloads:
        admitted = admit("index", IndexRequest, payload)
        if admitted is not None:
            msgs.setdefault(admitted[0].doc_id, []).append(admitted)
    if not msgs:
        return
    try:  # one read for the whole batch
        stored = rt.store.get_articles(list(msgs))
    except TransientError as exc:
        for msg, attempt in (m for pending in msgs.values() for m in pending):
            _retry(msg, attempt, str(exc))
        return
    except PermanentError as exc:
        for msg, _attempt in (m for pending in msgs.values() for m in pending):
            rt.ledger.reject(msg.job_id, msg.item_id, "index", exc.reason, exc.message)
        return
    articles: list[tuple[ParsedArticle, Enrichment | None]] = []
    for doc_id, got in stored.items():
        if isinstance(got, PermanentError):
            for msg, _attempt in msgs.pop(doc_id):
                rt.ledger.reject(msg.job_id, msg.item_id, "index", got.reason, got.message)
        else:
            articles.append(got)
    if not articles:
        return
    try:
        outcome = write_batch(rt.es, _s.index_prefix, articles)
    except (ApiError, TransportError) as exc:
        for pending in msgs.values():
            for msg, attempt in pending:
                _retry(msg, attempt, f"bulk request failed: {exc}")
        return
    for doc_id, pending in msgs.items():
        for msg, attempt in pending:
            if doc_id in outcome.ok:
                rt.ledger.indexed(msg.job_id, msg.item_id, doc_id)
            elif doc_id in outcome.retry:
                _retry(msg, attempt, outcome.retry[doc_id])
            else:
                rt.ledger.reject(
                    msg.job_id,
                    msg.item_id,
                    "index",
                    "mapping_error",
                    outcome.rejected.get(doc_id, "rejected"),
                )


@app.task(
    name=TASK_INDEX,
    base=ReconnectSafeBatches,
    flush_every=_is.batch_size,
    flush_interval=_is.batch_seconds,
    acks_late=True,
    soft_time_limit=_s.index_time_limit,
    time_limit=_s.index_time_limit + HARD_LIMIT_MARGIN,
)
def index_task(requests: list[SimpleRequest]) -> None:
    payloads = [r.args[0] if r.args else None for r in requests]
    try:
        index_batch(payloads)
    except Exception as exc:
        # The batch's messages are acked whatever happens (acks_late acks failures too):
        # every item not yet ended is recorded `failed`, then Celery logs the error.
        fail_unfinished("index", payloads, exc)
        raise

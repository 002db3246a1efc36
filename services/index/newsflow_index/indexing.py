"""The index stage's batch: every message ends indexed, rejected or failed, or goes back to
its queue, retried with backoff (spending one of the item's retries) or waiting out an outage.

Elasticsearch unreachable for the whole batch (the content read or the bulk request fails
to connect) is an outage: each message waits it out (`outage_wait`, no retry spent) and is
indexed once the node is back, or recorded `failed` past `NEWSFLOW_OUTAGE_CEILING`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from elasticsearch import ApiError, TransportError
from pydantic import ValidationError

from newsflow_index.bulk import write_batch
from newsflow_shared.errors import OutageError, PermanentError, TransientError, is_outage
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import Enrichment, IndexRequest, ParsedArticle
from newsflow_shared.outage import OutageCeilingExceeded
from newsflow_shared.publish import hand_on
from newsflow_shared.runtime import Runtime
from newsflow_shared.stages import TASK_INDEX
from newsflow_shared.worker import admit, fail_unfinished, outage_wait

log = get_logger(__name__)


class Pending(NamedTuple):
    """An admitted message: its attempt at the index stage and its headers."""

    msg: IndexRequest
    attempt: int
    headers: Mapping[str, Any]


def _retry(rt: Runtime, p: Pending, why: str) -> None:
    """Re-publish with exponential backoff and jitter, or record `failed` past the cap."""
    if p.attempt > rt.settings.max_retries:
        rt.ledger.fail(p.msg.job_id, p.msg.item_id, "index", why)
        return
    delay = random.uniform(0, min(rt.settings.retry_backoff_max, 2**p.attempt))
    hand_on(TASK_INDEX, p.msg, countdown=delay)


def _wait_out(rt: Runtime, p: Pending, exc: BaseException) -> None:
    """Re-publish to wait out an outage (no retry spent), or record `failed` past the ceiling."""
    msg = p.msg
    try:
        wait = outage_wait(rt, "index", (msg.job_id, msg.item_id), p.headers, exc)
    except OutageCeilingExceeded as gave_up:
        log.error("outage_ceiling", stage="index", job_id=msg.job_id, item_id=msg.item_id)
        rt.ledger.fail(msg.job_id, msg.item_id, "index", f"{type(gave_up).__name__}: {gave_up}")
        return
    hand_on(TASK_INDEX, msg, countdown=wait.delay, headers=wait.headers())


def put_back(rt: Runtime, pending: Iterable[Pending], exc: BaseException, why: str) -> None:
    """A failure of the whole batch: each message waits out the outage `exc` is, or is retried."""
    for p in pending:
        if is_outage(exc):
            _wait_out(rt, p, exc)
        else:
            _retry(rt, p, why)


def _reject(rt: Runtime, p: Pending, reason: str, message: str) -> None:
    rt.ledger.reject(p.msg.job_id, p.msg.item_id, "index", reason, message)


def _every(msgs: dict[str, list[Pending]]) -> list[Pending]:
    return [p for pending in msgs.values() for p in pending]


def index_batch(
    rt: Runtime, payloads: list[Any], headers: list[Mapping[str, Any]] | None = None
) -> None:
    """Index a batch of IndexRequests with `rt`'s clients and settings (`headers`: each
    message's headers, where its outage waits are counted); every message ends indexed,
    rejected or failed, or goes back."""
    msgs: dict[str, list[Pending]] = {}
    for payload, head in zip(payloads, headers or [{}] * len(payloads), strict=True):
        admitted = admit(rt, "index", IndexRequest, payload)
        if admitted is not None:
            msgs.setdefault(admitted[0].doc_id, []).append(Pending(*admitted, head))
    if not msgs:
        return
    try:  # one read for the whole batch
        stored = rt.store.get_articles(list(msgs))
    except TransientError as exc:
        put_back(rt, _every(msgs), exc, str(exc))
        return
    except PermanentError as exc:
        for p in _every(msgs):
            _reject(rt, p, exc.reason, exc.message)
        return
    articles: list[tuple[ParsedArticle, Enrichment | None]] = []
    for doc_id, got in stored.items():
        if isinstance(got, PermanentError):
            for p in msgs.pop(doc_id):
                _reject(rt, p, got.reason, got.message)
        else:
            articles.append(got)
    if not articles:
        return
    try:
        outcome = write_batch(rt.es, rt.settings.index_prefix, articles)
    except (ApiError, TransportError, TransientError) as exc:
        put_back(rt, _every(msgs), exc, f"bulk request failed: {exc}")
        return
    for doc_id, pending in msgs.items():
        for p in pending:
            if doc_id in outcome.ok:
                rt.ledger.indexed(p.msg.job_id, p.msg.item_id, doc_id)
            elif doc_id in outcome.retry:
                _retry(rt, p, outcome.retry[doc_id])
            elif doc_id in outcome.unavailable:
                _wait_out(rt, p, OutageError("es_unavailable", outcome.unavailable[doc_id]))
            else:
                _reject(rt, p, "mapping_error", outcome.rejected.get(doc_id, "rejected"))


def run_batch(rt: Runtime, payloads: list[Any], headers: list[Mapping[str, Any]]) -> None:
    """`index_batch`, and when it raises, the batch's end: its messages are acked whatever
    happens (acks_late acks failures too), so every item not yet ended waits out an outage,
    or is recorded `failed`; then the error goes on (Celery logs it)."""
    try:
        index_batch(rt, payloads, headers)
    except Exception as exc:
        if is_outage(exc):
            wait_out_unfinished(rt, payloads, headers, exc)
        else:
            fail_unfinished(rt, "index", payloads, exc)
        raise


def wait_out_unfinished(
    rt: Runtime, payloads: list[Any], headers: list[Mapping[str, Any]], exc: BaseException
) -> None:
    """Redis failed mid-batch (an outage: the ledger, a publish): put back every message
    whose item has not ended, to wait it out. A message put back before the failure may go
    twice; indexing and the ledger are idempotent, so the item still ends once."""
    ledger = rt.ledger
    for payload, head in zip(payloads, headers, strict=True):
        try:
            msg = IndexRequest.model_validate(payload)
        except ValidationError:
            admit(rt, "index", IndexRequest, payload)  # records it `rejected`
            continue
        if not ledger.ended(msg.job_id, msg.item_id):
            _wait_out(rt, Pending(msg, 0, head), exc)

"""What every stage's Celery shell shares: the base task, the stage wrapper, the failure paths.

The base task retries `TransientError` with exponential backoff and jitter (Celery's own
autoretry), records `PermanentError` once as `rejected`, and records anything that
exhausts its retries (or hits the soft time limit) as `failed`; the errback `stage_lost`
does the same when the hard time limit kills a task: every item ends in the ledger.
An outage (a backend unreachable: `errors.is_outage`) is waited out instead, spending no
retry (`newsflow_shared.outage`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any, NoReturn, TypeVar

from celery import Task
from celery.exceptions import Reject, Retry
from pydantic import ValidationError

from newsflow_shared.celery_app import app
from newsflow_shared.errors import (
    BROKER_ERRORS,
    DEFER_HEADER_PREFIX,
    OUTAGE_ERRORS,
    Deferred,
    PermanentError,
    TransientError,
    is_outage,
)
from newsflow_shared.held import newsflow_held  # registers the control command
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import Message
from newsflow_shared.outage import OutageWait, clear_headers, next_wait
from newsflow_shared.runtime import Runtime, get_runtime
from newsflow_shared.settings import HARD_LIMIT_MARGIN, Settings
from newsflow_shared.stages import TASK_QUEUE, TASK_STAGE_LOST

log = get_logger(__name__)
M = TypeVar("M", bound=Message)


def _ids(payload: Any) -> tuple[str | None, str | None]:
    if isinstance(payload, dict):
        job, item = payload.get("job_id"), payload.get("item_id")
        return (job if isinstance(job, str) else None, item if isinstance(item, str) else None)
    return None, None


class StageTask(Task):
    """Base class of every stage task (`stage_task` sets its retry budget from the settings)."""

    stage = "unknown"
    # Outages (`errors.OUTAGE_ERRORS`: OutageError and the raw Redis and Elasticsearch client
    # errors) and messages not due yet (Deferred) are retried too, but by `retry` below as
    # waits that spend none of the item's retries.
    autoretry_for = (TransientError, Deferred, *OUTAGE_ERRORS)
    retry_backoff = True
    retry_jitter = True
    acks_late = True

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        """Celery's retry, except that an outage is waited out (`wait_out`), a message not
        due yet is put back (`defer`), a retry drops the outage and deferral headers (the
        backends answered), and a retry which cannot be published keeps its message.

        Celery turns a failed publish of the retry into `Reject(requeue=False)`: the message
        is dropped and its item stays in flight forever. Requeued instead, it is delivered
        again; if Redis is down, the requeue fails too and the message stays unacknowledged
        (delivered again after the visibility timeout). Either way nothing is lost.
        """
        exc = kwargs.get("exc")
        if exc is not None and is_outage(exc) and not self.request.called_directly:
            self.wait_out(exc)
        if isinstance(exc, Deferred) and not self.request.called_directly:
            self.defer(exc)
        kwargs.setdefault("headers", _ordinary_headers(self.request.headers))
        try:
            return super().retry(*args, **kwargs)
        except Reject as exc:
            raise self._requeue(exc.reason) from exc

    def wait_out(self, exc: BaseException) -> NoReturn:
        """Put the message back to wait out an outage, its retry count unchanged.

        Not `Task.retry`, which always adds one to `retries` (the budget autoretry checks
        against `max_retries`): the same re-publish by `signature_from_request`, with the
        outage headers and `retries` as they were. Raises Retry, or OutageCeilingExceeded
        (recorded `failed` by `on_failure`) once the outage outlasted the ceiling.
        """
        req = self.request
        ids = _ids(req.args[0] if req.args else None)
        wait = outage_wait(get_runtime(), self.stage, ids, req.headers, exc)
        sig = self.signature_from_request(
            req, countdown=wait.delay, headers={**(req.headers or {}), **wait.headers()}
        )
        try:
            sig.apply_async()
        except Exception as err:
            raise self._requeue(err) from err
        raise Retry(exc=exc, when=wait.delay, sig=sig)

    def defer(self, exc: Deferred) -> NoReturn:
        """Put the message back `exc.delay` s from now (at most `defer_max`), its retry count
        unchanged and the delivery not counted as an attempt (`Ledger.deferred`): the worker
        slot goes on to other work meanwhile. Raises Retry; a message whose deferral cannot
        be published is requeued (`_requeue`), never dropped."""
        req, rt = self.request, get_runtime()
        job, item = _ids(req.args[0] if req.args else None)
        delay = max(0.0, min(exc.delay, rt.settings.defer_max))
        headers = {**_ordinary_headers(req.headers), **exc.headers}
        sig = self.signature_from_request(req, countdown=delay, headers=headers)
        try:
            if job and item:
                rt.ledger.deferred(job, item, self.stage)
            sig.apply_async()
        except Exception as err:
            raise self._requeue(err) from err
        raise Retry(exc=exc, when=delay, sig=sig)

    def _requeue(self, reason: Any) -> Reject:
        """The message of a retry that could not be published goes back to its queue."""
        log.warning("retry_not_published", stage=self.stage, error=repr(reason)[:300])
        return Reject(reason, requeue=True)

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        fail_unfinished(get_runtime(), self.stage, [args[0] if args else None], exc)


def _ordinary_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """A message's headers without those of an outage wait or of a deferral."""
    return {
        k: v for k, v in clear_headers(headers).items() if not k.startswith(DEFER_HEADER_PREFIX)
    }


def outage_wait(
    rt: Runtime,
    stage: str,
    ids: tuple[str | None, str | None],
    headers: Mapping[str, Any] | None,
    exc: BaseException,
) -> OutageWait:
    """Plan the next wait of a message (of item `ids` = (job, item), with `headers`) that
    met an outage at `stage`, and note it in the item's ledger record (`rt`'s), so that admit
    does not count the delivery as an attempt. Raises OutageCeilingExceeded past the ceiling
    (`rt.settings`)."""
    job, item = ids
    error = f"{type(exc).__name__}: {exc}"
    wait = next_wait(
        headers,
        time.time(),
        ceiling=rt.settings.outage_ceiling,
        backoff_max=rt.settings.outage_backoff_max,
        why=error,
    )
    if job and item:
        # if Redis is what is down, admit could not count this delivery either
        with suppress(*BROKER_ERRORS):
            rt.ledger.outage(job, item, stage, error)
    log.warning(
        "outage_wait",
        stage=stage,
        job_id=job,
        item_id=item,
        waits=wait.waits,
        delay=round(wait.delay, 1),
        down_for=round(time.time() - wait.since),
        error=error[:300],
    )
    return wait


def admit(rt: Runtime, stage: str, model: type[M], payload: Any) -> tuple[M, int] | None:
    """Validate a message and record its attempt at `stage` in `rt`'s ledger.

    Returns the message and its attempt number, or None when it was recorded instead:
    `rejected` (invalid message) or `failed` (delivered more than `max_deliveries` times:
    a poison message).
    """
    ledger = rt.ledger
    job, item = _ids(payload)
    try:
        msg = model.model_validate(payload)
    except ValidationError as exc:
        log.error("invalid_message", stage=stage, job_id=job, item_id=item, error=str(exc))
        if job and item:
            ledger.reject(job, item, stage, "invalid_message", str(exc))
        return None
    attempt = ledger.start(msg.job_id, msg.item_id, stage)
    if attempt > rt.settings.max_deliveries:
        ledger.fail(msg.job_id, msg.item_id, stage, f"gave up after {attempt - 1} deliveries")
        return None
    return msg, attempt


def fail_unfinished(rt: Runtime, stage: str, payloads: list[Any], exc: BaseException) -> int:
    """A task or batch failed (retries exhausted, a bug, a time limit): record `failed` for
    each of its items that has not ended yet, so none is left in flight forever; items that
    ended keep their state. The one failure path of every stage. Returns how many."""
    ledger = rt.ledger
    error = f"{type(exc).__name__}: {exc}"
    failed = 0
    for payload in payloads:
        job, item = _ids(payload)
        if job and item and ledger.fail_unless_final(job, item, stage, error):
            failed += 1
            log.error("stage_failed", stage=stage, job_id=job, item_id=item, error=error)
    return failed


def run_stage(
    rt: Runtime, stage: str, model: type[M], payload: Any, work: Callable[[M], None]
) -> None:
    """Admit `payload`, run `work` on it; record permanent errors as `rejected`."""
    admitted = admit(rt, stage, model, payload)
    if admitted is None:
        return
    msg = admitted[0]
    try:
        work(msg)
    except PermanentError as exc:
        log.info("rejected", stage=stage, job_id=msg.job_id, item_id=msg.item_id, reason=exc.reason)
        rt.ledger.reject(msg.job_id, msg.item_id, stage, exc.reason, exc.message)


def stage_task(
    name: str, stage: str, model: type[M], work: Callable[[M], None], settings: Settings
) -> Any:
    """Register the Celery task `name` that runs `work` on a validated `model` message.

    From `settings`: the retry budget, the soft limit (`<stage>_time_limit`: raises inside
    the task, recorded as failed) and the hard limit, `HARD_LIMIT_MARGIN` later (kills a
    task that ignored the soft one).
    """

    def run(self: StageTask, payload: dict[str, Any]) -> None:
        run_stage(get_runtime(), stage, model, payload, work)

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    return app.task(
        name=name,
        base=StageTask,
        bind=True,
        stage=stage,
        max_retries=settings.max_retries,
        retry_backoff_max=settings.retry_backoff_max,
        soft_time_limit=settings.time_limit(stage),
        time_limit=settings.time_limit(stage) + HARD_LIMIT_MARGIN,
    )(run)


@app.task(name=TASK_STAGE_LOST)
def stage_lost(request: Any, exc: BaseException, traceback: Any) -> None:
    """Errback (`link_error`) of every stage message: Celery calls it with the failed
    request wherever it gives up on a task. The case it exists for is the hard time limit:
    the pool child is killed, the worker's main process marks the task failed and acks the
    message, and no code of ours ran. On ordinary failures it runs in the child before
    `StageTask.on_failure`; both go through `fail_unfinished`, so the item is recorded once."""
    stage = TASK_QUEUE.get(getattr(request, "task", None) or "")
    args = getattr(request, "args", None) or [None]
    fail_unfinished(get_runtime(), stage.value if stage else "unknown", [args[0]], exc)


__all__ = [
    "StageTask",
    "TransientError",
    "admit",
    "app",
    "fail_unfinished",
    "newsflow_held",
    "outage_wait",
    "run_stage",
    "stage_lost",
    "stage_task",
]

"""The reconciler's pure core: which items are stuck, what to do with them, which unacked
messages nobody holds. No Redis, Celery or Elasticsearch here (`reconciler.py` is the shell).

An item is *stuck* when the ledger has it in flight (`queued` or at a stage), its record has
not changed for longer than that state's limit, and no message for it exists anywhere: not
in a queue, not unacknowledged (being worked on, prefetched, or waiting out a retry or an
outage). Stages are idempotent and ids deterministic, so a stuck item is re-dispatched: its
current stage's message is built again from the ledger and the content store. After
`max_redispatches` re-dispatches it is recorded `failed` instead.

An unacknowledged message is an *orphan* when it was delivered longer ago than a grace
period and no live worker says it holds it: its worker's main process died, or a live
worker forgot it on a broker reconnect (Celery drops its reserved and scheduled requests
then). Redis would hand it out again only after the visibility timeout (~21 min).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from newsflow_shared.messages import SourceKind
from newsflow_shared.stages import Stage

# Item kinds (`Ledger.add_item`) whose first stage is parse: the raw content is stored by the
# submitter itself. A `reprocess` item re-runs from stored content too.
STORED_KINDS = frozenset(
    {SourceKind.HTML_FILE.value, SourceKind.TEXT_FILE.value, SourceKind.WARC.value, "reprocess"}
)


@dataclass(frozen=True)
class Queued:
    """One message found in Redis: its task id and the item it is for (None if not ours)."""

    task_id: str | None
    job_id: str | None
    item_id: str | None


@dataclass(frozen=True)
class Action:
    """What the reconciler does to one stuck item: re-dispatch it at `stage`, or fail it."""

    kind: Literal["redispatch", "fail"]
    job_id: str
    item_id: str
    stage: Stage
    reason: str


def decode_message(raw: bytes | str) -> Queued:
    """The task id, job and item of a kombu message as Celery's Redis transport stores it
    (a queue entry, or the first element of an `unacked` entry). Never raises: a message
    that is not ours or not readable gives Nones."""
    try:
        msg = json.loads(raw)
        if isinstance(msg, list):  # unacked: [message, exchange, routing_key]
            msg = msg[0]
        task_id = (msg.get("headers") or {}).get("id")
        body = msg["body"]
        if (msg.get("properties") or {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        payload = args[0] if args else {}
        job, item = payload.get("job_id"), payload.get("item_id")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return Queued(None, None, None)
    ok = isinstance(job, str) and isinstance(item, str)
    return Queued(
        task_id if isinstance(task_id, str) else None, job if ok else None, item if ok else None
    )


def redispatch_stage(state: str, kind: str) -> Stage:
    """The stage whose message an item in ledger state `state` gets again.

    At a stage: that stage (its message was taken and never finished or handed on). Still
    `queued`: the first stage of its kind, parse for stored files, fetch for URLs and feeds.
    """
    if state == "queued":
        return Stage.PARSE if kind in STORED_KINDS else Stage.FETCH
    return Stage(state)


def plan(
    items: Iterable[Mapping[str, str]],
    live: set[tuple[str, str]],
    now: float,
    limits: Mapping[str, int],
    max_redispatches: int,
) -> list[Action]:
    """What to do with the in-flight ledger records `items` (each with `job_id`, `item_id`,
    `state`, `kind`, timestamps and `redispatches`), given the (job, item) pairs that have a
    live message. Items that moved recently, or have a message, are left alone."""
    actions = []
    for rec in items:
        state, key = rec.get("state", ""), (rec.get("job_id", ""), rec.get("item_id", ""))
        if state not in limits or key in live or not all(key):
            continue
        since = _float(rec.get("updated") or rec.get("submitted"))
        if since is None or now - since < limits[state]:
            continue
        stage = redispatch_stage(state, rec.get("kind", ""))
        done = int(_float(rec.get("redispatches")) or 0)
        idle = f"no live task at {state} for {now - since:.0f} s"
        if done >= max_redispatches:
            reason = f"{idle} after {done} re-dispatches (reconciler)"
            actions.append(Action("fail", key[0], key[1], stage, reason))
        else:
            actions.append(Action("redispatch", key[0], key[1], stage, idle))
    return actions


Suspects = dict[tuple[str, str], str]  # (job, item) -> its record's `updated` when planned


def confirmed(
    actions: list[Action], records: Mapping[tuple[str, str], Mapping[str, str]], suspects: Suspects
) -> tuple[list[Action], Suspects]:
    """Of one pass's `actions`, those planned for the same item, its record unchanged, at the
    previous pass too (`suspects`); and the suspects to remember for the next pass.

    A message can be out of sight of any snapshot for a while: popped by a worker's BRPOP and
    not yet read from its socket by a busy event loop. Acting only on what two passes saw
    stuck keeps such an item from a needless (if harmless) second dispatch."""
    now: Suspects = {}
    for a in actions:
        key = (a.job_id, a.item_id)
        now[key] = records[key].get("updated") or records[key].get("submitted") or ""
    return [
        a for a in actions if suspects.get((a.job_id, a.item_id)) == now[(a.job_id, a.item_id)]
    ], now


def orphans(
    unacked: Mapping[str, tuple[float, Queued]], held: set[str], now: float, grace: float
) -> list[str]:
    """Delivery tags of unacked messages (tag -> (delivered at, message)) that were delivered
    more than `grace` seconds ago and whose task id no live worker holds."""
    return sorted(
        tag
        for tag, (delivered, msg) in unacked.items()
        if now - delivered > grace and msg.task_id not in held
    )


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- ledger vs Elasticsearch


@dataclass(frozen=True)
class JobCheck:
    """A job's items that the ledger says are indexed, against the articles present."""

    job_id: str
    indexed: int  # items recorded indexed
    present: int  # of those, whose article is in Elasticsearch
    missing: list[str]  # doc ids recorded indexed whose article is absent


def check_job(job_id: str, indexed_doc_ids: list[str], present: set[str]) -> JobCheck:
    """Compare a job's indexed items (their doc ids) with the doc ids present in the index."""
    missing = sorted({d for d in indexed_doc_ids if d not in present})
    n_present = sum(d in present for d in indexed_doc_ids)
    return JobCheck(job_id, len(indexed_doc_ids), n_present, missing)


def unrecorded(es_ids: set[str], ledger_ids: set[str]) -> list[str]:
    """Articles present in Elasticsearch that no item of the ledger recorded indexed."""
    return sorted(es_ids - ledger_ids)

"""The reconciler's shell: reads Redis (queues, kombu's unacked hash, the ledger), asks the
workers what they hold, gives orphaned messages back to their queues, re-dispatches or fails
stuck items (`reconcile.plan`), and checks the ledger against Elasticsearch.

Run once by `newsflow reconcile`, or every N seconds by `newsflow reconcile --every N` (one
such process: `make up` starts it, and the compose service `reconciler`). Passes take a
Redis lock, so a second process only skips its passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from elasticsearch import helpers

from newsflow_shared.celery_app import app as celery_app
from newsflow_shared.errors import PermanentError
from newsflow_shared.held import HELD_COMMAND
from newsflow_shared.ids import doc_id_for_url
from newsflow_shared.indices import names
from newsflow_shared.ledger import IN_FLIGHT_STATES
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import (
    EnrichRequest,
    FeedRequest,
    FetchRequest,
    IndexRequest,
    Message,
    ParseRequest,
    SourceHints,
    SourceKind,
)
from newsflow_shared.publish import hand_on
from newsflow_shared.reconcile import (
    Action,
    JobCheck,
    Queued,
    Suspects,
    check_job,
    confirmed,
    decode_message,
    orphans,
    plan,
    unrecorded,
)
from newsflow_shared.runtime import Runtime
from newsflow_shared.stages import (
    TASK_ENRICH,
    TASK_FETCH_FEED,
    TASK_FETCH_PAGE,
    TASK_INDEX,
    TASK_PARSE,
    Stage,
)

log = get_logger(__name__)
# Jobs older than this are not looked at: an item stuck for a week is beyond reconciling.
JOB_HORIZON = 7 * 24 * 3600
# A pass takes seconds. The lock expires by itself this long after a pass that could not
# release it (Redis went down mid-pass and came back from its AOF with the lock still set):
# passes resume then, instead of being skipped for longer.
LOCK_SECONDS = 30


@dataclass
class Report:
    """What one pass did."""

    workers: int = 0  # workers that said what they hold
    restored: int = 0  # orphaned unacked messages put back on their queues
    redispatched: list[Action] = field(default_factory=list)
    failed: list[Action] = field(default_factory=list)
    skipped: bool = False  # another reconciler held the lock


class Reconciler:
    """One process's reconciler over the runtime's Redis/Elasticsearch and `app`'s broker."""

    def __init__(self, rt: Runtime, app: Celery | None = None, *, confirm: bool = False) -> None:
        """`confirm`: act on a stuck item only when the previous pass saw it stuck too (for
        a reconciler that runs passes in a loop; `reconcile.confirmed`)."""
        self.rt, self.app, self.s = rt, app or celery_app, rt.settings
        self.confirm = confirm
        self.suspects: Suspects = {}

    # ---------------------------------------------------------------- reading Redis

    def _keys(self) -> tuple[list[str], str, str]:
        """The Redis lists of every stage queue (all priorities) and kombu's unacked keys."""
        with self.app.connection_for_write() as conn:
            ch: Any = conn.default_channel
            lists = [ch._q_for_pri(s.value, p) for s in Stage for p in ch.priority_steps]
            return sorted(set(lists)), ch.unacked_key, ch.unacked_index_key

    def messages(self) -> tuple[list[Queued], dict[str, tuple[float, Queued]]]:
        """The messages waiting in the stage queues, and the unacked ones by delivery tag
        with the time each was delivered."""
        lists, unacked_key, index_key = self._keys()
        pipe = self.rt.redis.pipeline(transaction=True)
        for key in lists:
            pipe.lrange(key, 0, -1)
        pipe.hgetall(unacked_key)
        pipe.zrange(index_key, 0, -1, withscores=True)
        *queued, unacked, delivered = pipe.execute()
        waiting = [decode_message(raw) for entries in queued for raw in entries]
        when = {tag.decode(): score for tag, score in delivered}
        held = {
            tag.decode(): (when.get(tag.decode(), 0.0), decode_message(raw))
            for tag, raw in unacked.items()
        }
        return waiting, held

    def live(self) -> set[tuple[str, str]]:
        """(job, item) of every message in a queue or unacked."""
        waiting, unacked = self.messages()
        msgs = [*waiting, *(m for _, m in unacked.values())]
        return {(m.job_id, m.item_id) for m in msgs if m.job_id and m.item_id}

    def held_by_workers(self) -> tuple[int, set[str]]:
        """How many workers answered, and the task ids they hold."""
        replies = self.app.control.broadcast(
            HELD_COMMAND, reply=True, timeout=self.s.reconcile_reply_timeout
        )
        ids: set[str] = set()
        for reply in replies or []:
            for held in reply.values():
                ids.update(held if isinstance(held, list) else [])
        return len(replies or []), ids

    # ---------------------------------------------------------------- acting

    def restore_orphans(self, now: float) -> tuple[int, int]:
        """Give unacked messages that no live worker holds back to their queues (kombu's
        own `restore_by_tag`, as its visibility-timeout restore does). Returns (workers that
        answered, messages restored)."""
        _, unacked = self.messages()
        if not unacked:
            return 0, 0
        workers, held = self.held_by_workers()
        tags = orphans(unacked, held, now, self.s.reconcile_orphan_after)
        if tags:
            with self.app.connection_for_write() as conn:
                qos: Any = conn.default_channel.qos
                for tag in tags:
                    qos.restore_by_tag(tag)
            for tag in tags:
                msg = unacked[tag][1]
                log.warning(
                    "orphan_restored", tag=tag, task_id=msg.task_id, job_id=msg.job_id,
                    item_id=msg.item_id, delivered_ago=round(now - unacked[tag][0]),
                )  # fmt: skip
        return workers, len(tags)

    def in_flight(self, now: float) -> list[dict[str, str]]:
        """Ledger records of every in-flight item of the jobs of the last week."""
        out = []
        for job in self.rt.ledger.jobs_since(now - JOB_HORIZON):
            for rec in self.rt.ledger.items(job, IN_FLIGHT_STATES):
                out.append({**rec, "job_id": job})
        return out

    def message_for(self, action: Action, rec: dict[str, str]) -> tuple[str, Message]:
        """The task name and message that re-dispatch an item at `action.stage`."""
        job, item, doc_id = action.job_id, action.item_id, rec.get("doc_id", "")
        ids = {"job_id": job, "item_id": item}
        if action.stage is Stage.FETCH:
            if rec.get("kind") == SourceKind.FEED.value:
                return TASK_FETCH_FEED, FeedRequest(**ids, url=rec["source"])
            url = rec["source"]
            return TASK_FETCH_PAGE, FetchRequest(
                **ids, url=url, doc_id=doc_id or doc_id_for_url(url)
            )
        if action.stage is Stage.PARSE:
            meta = self.rt.store.raw_meta(doc_id)
            hints = meta.get("hints")
            return TASK_PARSE, ParseRequest(
                **ids,
                doc_id=doc_id,
                source_kind=SourceKind(meta.get("source_kind") or SourceKind.URL.value),
                url=meta.get("url"),
                final_url=meta.get("final_url"),
                hints=SourceHints.model_validate(hints) if hints else None,
            )
        if action.stage is Stage.ENRICH:
            return TASK_ENRICH, EnrichRequest(**ids, doc_id=doc_id)
        return TASK_INDEX, IndexRequest(**ids, doc_id=doc_id)

    def act(self, action: Action, rec: dict[str, str]) -> Action | None:
        """Re-dispatch or fail one stuck item, unless its record moved meanwhile. Returns
        what it did (a re-dispatch with no stored content to send becomes a failure)."""
        ledger = self.rt.ledger
        now = ledger.item(action.job_id, action.item_id)
        if now.get("state") != rec.get("state") or now.get("updated") != rec.get("updated"):
            return None
        if action.kind == "redispatch":
            try:
                task, msg = self.message_for(action, rec)
            except (PermanentError, ValueError) as exc:  # no stored content, a bad record
                action = Action("fail", action.job_id, action.item_id, action.stage, str(exc))
            else:
                ledger.redispatched(action.job_id, action.item_id)
                hand_on(task, msg, via=self.app)
        if action.kind == "fail":
            ledger.fail_unless_final(action.job_id, action.item_id, action.stage, action.reason)
        log.warning(
            "reconciler_acted", action=action.kind, job_id=action.job_id,
            item_id=action.item_id, stage=action.stage.value, reason=action.reason,
        )  # fmt: skip
        return action

    def run_once(self) -> Report:
        """One pass: restore orphans, then re-dispatch or fail the stuck items."""
        report = Report()
        lock = self.rt.redis.lock(f"{self.s.ledger_prefix}:reconciler", timeout=LOCK_SECONDS)
        if not lock.acquire(blocking=False):
            report.skipped = True
            return report
        try:
            now = time.time()
            report.workers, report.restored = self.restore_orphans(now)
            live = self.live()
            candidates = self.in_flight(now)
            live |= self.live()  # a message on its way into a worker in the first snapshot
            actions = plan(
                candidates, live, now, self.s.stage_limits, self.s.reconcile_max_redispatches
            )
            by_key = {(r["job_id"], r["item_id"]): r for r in candidates}
            if self.confirm:
                actions, self.suspects = confirmed(actions, by_key, self.suspects)
            for planned in actions:
                done = self.act(planned, by_key[(planned.job_id, planned.item_id)])
                if done is not None:
                    (report.redispatched if done.kind == "redispatch" else report.failed).append(
                        done
                    )
        finally:
            lock.release()
        return report

    # ---------------------------------------------------------------- ledger = Elasticsearch

    def check(self, job_ids: list[str] | None = None) -> tuple[list[JobCheck], list[str] | None]:
        """Each job's items recorded `indexed` against the articles present (by id); for all
        jobs (`job_ids` None) also the articles no item recorded (None otherwise)."""
        ledger, es = self.rt.ledger, self.rt.es
        articles = names("articles", self.s.index_prefix).read
        jobs = job_ids if job_ids is not None else ledger.jobs_since(0)
        es.indices.refresh(index=articles)  # searches see what was indexed until now
        checks, recorded = [], set()
        for job in jobs:
            doc_ids = [r.get("doc_id", "") for r in ledger.items(job, ("indexed",))]
            present = self._present(articles, sorted(set(doc_ids)))
            checks.append(check_job(job, doc_ids, present))
            recorded.update(doc_ids)
        if job_ids is not None:
            return checks, None
        in_es = {h["_id"] for h in helpers.scan(es, index=articles, _source=False)}
        return checks, unrecorded(in_es, recorded)

    def _present(self, index: str, doc_ids: list[str]) -> set[str]:
        """Which of `doc_ids` are in `index` (an alias over month partitions: a search by
        ids, since an mget needs one index)."""
        present: set[str] = set()
        for i in range(0, len(doc_ids), 1000):
            chunk = doc_ids[i : i + 1000]
            res = self.rt.es.search(
                index=index, query={"ids": {"values": chunk}}, source=False, size=2 * len(chunk)
            )
            present.update(h["_id"] for h in res["hits"]["hits"])
        return present


__all__ = ["Reconciler", "Report"]

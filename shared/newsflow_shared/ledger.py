"""The ledger: where every submitted item is, or why it stopped. Redis (with AOF) backed.

Keys (all under the ledger prefix P):
- `P:jobs`                 sorted set of job ids by creation time
- `P:job:<job>`            hash: created, source, note
- `P:job:<job>:state`      hash: item id -> state (counts are computed from it)
- `P:item:<job>:<item>`    hash: source, kind, doc_id, state, stage, attempts:<stage>,
                           outages:<stage> (deliveries that waited out an outage),
                           deferrals:<stage> (deliveries put back, not due yet), outage
                           (the last one: time and reason), <stage>_start/<stage>_end
                           timestamps, reason, message, error

States: `queued`, in flight at a stage (`fetch`, `parse`, `enrich`, `index`), and final:
`indexed`, `rejected` (reason code + message), `failed` (error after retries), `expanded`
(a feed, whose items were added to the job as items of their own).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

from redis import Redis

FINAL_STATES = ("indexed", "rejected", "failed", "expanded")
IN_FLIGHT_STATES = ("queued", "fetch", "parse", "enrich", "index")


def _decode(raw: Any) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in cast(dict[bytes, bytes], raw).items()}


def _now() -> str:
    return f"{time.time():.3f}"


class Ledger:
    """Per-item records and per-job counts; every method is idempotent per (job, item)."""

    def __init__(self, redis: Redis, prefix: str = "nf") -> None:
        self.r = redis
        self.p = prefix

    def _job(self, job_id: str) -> str:
        return f"{self.p}:job:{job_id}"

    def _states(self, job_id: str) -> str:
        return f"{self.p}:job:{job_id}:state"

    def _item(self, job_id: str, item_id: str) -> str:
        return f"{self.p}:item:{job_id}:{item_id}"

    # ---------------------------------------------------------------- writing

    def create_job(self, job_id: str, source: str, note: str = "") -> None:
        """Register a job (no-op if it exists)."""
        pipe = self.r.pipeline()
        pipe.hsetnx(self._job(job_id), "created", _now())
        pipe.hsetnx(self._job(job_id), "source", source)
        if note:
            pipe.hsetnx(self._job(job_id), "note", note)
        pipe.zadd(f"{self.p}:jobs", {job_id: time.time()}, nx=True)
        pipe.execute()

    def add_item(
        self, job_id: str, item_id: str, source: str, kind: str, doc_id: str | None = None
    ) -> None:
        """Record a submitted item as `queued` (before its first message is published)."""
        fields = {"source": source, "kind": kind, "state": "queued", "submitted": _now()}
        if doc_id:
            fields["doc_id"] = doc_id
        pipe = self.r.pipeline()
        pipe.hset(self._item(job_id, item_id), mapping=fields)
        pipe.hset(self._states(job_id), item_id, "queued")
        pipe.execute()

    def _set_state(self, job_id: str, item_id: str, state: str, **fields: Any) -> None:
        data = {k: str(v) for k, v in fields.items() if v is not None}
        data["state"] = state
        data["updated"] = _now()
        pipe = self.r.pipeline()
        pipe.hset(self._item(job_id, item_id), mapping=data)
        pipe.hset(self._states(job_id), item_id, state)
        pipe.execute()

    def start(self, job_id: str, item_id: str, stage: str) -> int:
        """Mark an item in flight at `stage`; returns the attempt number at that stage, not
        counting the deliveries that only waited out an outage (`outage`) or were not due
        yet (`deferred`)."""
        key = self._item(job_id, item_id)
        pipe = self.r.pipeline()
        pipe.hincrby(key, f"attempts:{stage}", 1)
        pipe.hsetnx(key, f"{stage}_start", _now())
        pipe.hget(key, f"outages:{stage}")
        pipe.hget(key, f"deferrals:{stage}")
        attempts, _, outages, deferrals = pipe.execute()
        self._set_state(job_id, item_id, stage)
        waits = int(cast(bytes | None, outages) or 0) + int(cast(bytes | None, deferrals) or 0)
        return int(attempts) - waits

    def deferred(self, job_id: str, item_id: str, stage: str) -> None:
        """Record that this delivery at `stage` was not due yet and was put back: not an
        attempt."""
        self.r.hincrby(self._item(job_id, item_id), f"deferrals:{stage}", 1)

    def outage(self, job_id: str, item_id: str, stage: str, reason: str) -> None:
        """Record that this delivery at `stage` met an outage and waits: it is not an attempt."""
        pipe = self.r.pipeline()
        pipe.hincrby(self._item(job_id, item_id), f"outages:{stage}", 1)
        pipe.hset(self._item(job_id, item_id), "outage", f"{_now()} {reason}"[:500])
        pipe.execute()

    def done(self, job_id: str, item_id: str, stage: str, **fields: Any) -> None:
        """Record the end of a stage (the next stage's start follows)."""
        self.r.hset(
            self._item(job_id, item_id),
            mapping={f"{stage}_end": _now(), **{k: str(v) for k, v in fields.items() if v}},
        )

    def indexed(self, job_id: str, item_id: str, doc_id: str) -> None:
        self._set_state(job_id, item_id, "indexed", doc_id=doc_id, index_end=_now())

    def reject(self, job_id: str, item_id: str, stage: str, reason: str, message: str) -> None:
        self._set_state(
            job_id, item_id, "rejected", stage=stage, reason=reason, message=message[:2000]
        )

    def fail(self, job_id: str, item_id: str, stage: str, error: str) -> None:
        self._set_state(job_id, item_id, "failed", stage=stage, error=error[:2000])

    def fail_unless_final(self, job_id: str, item_id: str, stage: str, error: str) -> bool:
        """Record `failed` unless the item already ended (e.g. indexed earlier in the same
        batch); True if it was recorded. For a stage that crashed part-way through a batch."""
        if self.ended(job_id, item_id):
            return False
        self.fail(job_id, item_id, stage, error)
        return True

    def ended(self, job_id: str, item_id: str) -> bool:
        """Whether the item is in a final state."""
        state = cast(bytes | None, self.r.hget(self._states(job_id), item_id))
        return state is not None and state.decode() in FINAL_STATES

    def redispatched(self, job_id: str, item_id: str) -> int:
        """Count a re-dispatch by the reconciler (and restart the item's clock); returns how
        many it has had."""
        pipe = self.r.pipeline()
        pipe.hincrby(self._item(job_id, item_id), "redispatches", 1)
        pipe.hset(self._item(job_id, item_id), "updated", _now())
        return int(pipe.execute()[0])

    def expanded(self, job_id: str, item_id: str, children: int) -> None:
        self._set_state(job_id, item_id, "expanded", children=children)

    # ---------------------------------------------------------------- reading

    def job_exists(self, job_id: str) -> bool:
        return bool(self.r.exists(self._job(job_id)))

    def summary(self, job_id: str) -> dict[str, Any]:
        """Counts by state; `submitted` = all items; `in_flight` = not yet final."""
        meta = _decode(self.r.hgetall(self._job(job_id)))
        states = Counter(v.decode() for v in cast(list[bytes], self.r.hvals(self._states(job_id))))
        submitted = sum(states.values())
        in_flight = sum(n for s, n in states.items() if s not in FINAL_STATES)
        return {
            "job_id": job_id,
            "source": meta.get("source"),
            "created": float(meta["created"]) if "created" in meta else None,
            "submitted": submitted,
            "counts": dict(sorted(states.items())),
            "in_flight": in_flight,
            "done": submitted > 0 and in_flight == 0,
        }

    def item(self, job_id: str, item_id: str) -> dict[str, str]:
        return _decode(self.r.hgetall(self._item(job_id, item_id)))

    def items(self, job_id: str, states: tuple[str, ...] | None = None) -> list[dict[str, str]]:
        """Item records of a job, optionally only those in `states`, in item-id order."""
        all_states = _decode(self.r.hgetall(self._states(job_id)))
        wanted = sorted(i for i, s in all_states.items() if states is None or s in states)
        pipe = self.r.pipeline()
        for item_id in wanted:
            pipe.hgetall(self._item(job_id, item_id))
        out = []
        for item_id, raw in zip(wanted, pipe.execute(), strict=True):
            rec = _decode(raw)
            rec["item_id"] = item_id
            out.append(rec)
        return out

    def jobs_since(self, since: float) -> list[str]:
        """Ids of the jobs created at or after `since` (epoch seconds), oldest first."""
        raw = cast(list[bytes], self.r.zrangebyscore(f"{self.p}:jobs", since, "+inf"))
        return [j.decode() for j in raw]

    def recent_jobs(self, n: int = 20) -> list[str]:
        return [j.decode() for j in cast(list[bytes], self.r.zrevrange(f"{self.p}:jobs", 0, n - 1))]

"""The sources and their poll schedule, in Redis (with AOF, like the ledger).

Why Redis and not an Elasticsearch index: a source is a small record rewritten on every poll
(counters, validators, the next due time), read by id, and selected by due time; Redis does
those atomically (HINCRBY, ZADD/ZRANGEBYSCORE, SET NX EX leases) and at once, where
Elasticsearch would need a refresh before a poll's update is visible to the next query. Redis
already holds the ledger with AOF (`appendfsync everysec`): sources get the same durability.

Keys (all under the ledger prefix P):
- `P:sources`              sorted set of source ids by time added
- `P:source:<id>`          hash: the `Source` fields (absent fields are None/0)
- `P:sources:due`          sorted set: id -> next due time (epoch s); paused sources absent
- `P:source:<id>:lease`    set while a poll of the source is queued or running (expires)
- `P:sources:seen`         sorted set: canonical doc id -> first time a poll saw it
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, cast

from redis import Redis

from newsflow_shared.sources import (
    NewSource,
    PollOutcome,
    Source,
    SourcesSettings,
    next_delay,
    source_id,
)


class SourceExists(ValueError):
    """A source with that URL (that id) is already registered."""


class SourceRegistry:
    """Add, list, pause and remove sources; claim due polls; record their outcomes."""

    def __init__(self, redis: Redis, prefix: str, settings: SourcesSettings) -> None:
        self.r = redis
        self.p = prefix
        self.s = settings

    def _key(self, sid: str) -> str:
        return f"{self.p}:source:{sid}"

    @property
    def _due(self) -> str:
        return f"{self.p}:sources:due"

    # ---------------------------------------------------------------- registering

    def add(self, new: NewSource, now: float | None = None) -> Source:
        """Register a source, due at once. Raises SourceExists for a URL already registered
        and ValueError for an interval below the deployment's `min_interval`."""
        if new.interval < self.s.min_interval:
            raise ValueError(
                f"interval {new.interval} s is below the minimum {self.s.min_interval} s"
            )
        now = time.time() if now is None else now
        sid = source_id(new.url)
        fields = {"id": sid, "kind": new.kind.value, "url": new.url, "interval": new.interval}
        if not self.r.hsetnx(self._key(sid), "added", f"{now:.3f}"):
            raise SourceExists(f"source {sid} is already registered for {self.get_url(sid)}")
        pipe = self.r.pipeline()
        pipe.hset(self._key(sid), mapping=fields)
        pipe.zadd(f"{self.p}:sources", {sid: now})
        pipe.zadd(self._due, {sid: now})
        pipe.execute()
        src = self.get(sid)
        assert src is not None  # written just above
        return src.model_copy(update={"next_due": now})

    def get_url(self, sid: str) -> str:
        raw = cast(bytes | None, self.r.hget(self._key(sid), "url"))
        return raw.decode() if raw else ""

    def get(self, sid: str) -> Source | None:
        """The source `sid`, or None."""
        return self._load(cast(dict[bytes, bytes], self.r.hgetall(self._key(sid))))

    def _load(self, raw: dict[bytes, bytes]) -> Source | None:
        if not raw or b"url" not in raw:
            return None
        data: dict[str, Any] = {k.decode(): v.decode() for k, v in raw.items()}
        data["paused"] = data.get("paused") == "1"
        return Source.model_validate(data)

    def all(self) -> list[Source]:
        """Every source, oldest first, with its next due time."""
        ids = [i.decode() for i in cast(list[bytes], self.r.zrange(f"{self.p}:sources", 0, -1))]
        pipe = self.r.pipeline()
        for sid in ids:
            pipe.hgetall(self._key(sid))
            pipe.zscore(self._due, sid)
        raw = pipe.execute()
        out = []
        for rec, due in zip(raw[::2], raw[1::2], strict=True):
            src = self._load(rec)
            if src is not None:
                out.append(src.model_copy(update={"next_due": due}))
        return out

    def with_due(self, src: Source) -> Source:
        """`src` with its next due time."""
        return src.model_copy(update={"next_due": self.r.zscore(self._due, src.id)})

    def remove(self, sid: str) -> bool:
        """Forget a source (its jobs stay in the ledger); False if there was none."""
        pipe = self.r.pipeline()
        pipe.delete(self._key(sid), f"{self._key(sid)}:lease")
        pipe.zrem(f"{self.p}:sources", sid)
        pipe.zrem(self._due, sid)
        return bool(pipe.execute()[0])

    def pause(self, sid: str) -> bool:
        """Stop polling a source until resumed; False if there is no such source."""
        if not self.r.exists(self._key(sid)):
            return False
        pipe = self.r.pipeline()
        pipe.hset(self._key(sid), "paused", "1")
        pipe.zrem(self._due, sid)
        pipe.execute()
        return True

    def resume(self, sid: str, now: float | None = None) -> bool:
        """Poll a paused source again, from now on; False if there is no such source."""
        if not self.r.exists(self._key(sid)):
            return False
        pipe = self.r.pipeline()
        pipe.hset(self._key(sid), "paused", "0")
        pipe.zadd(self._due, {sid: time.time() if now is None else now})
        pipe.execute()
        return True

    # ---------------------------------------------------------------- polling

    def claim_due(self, now: float | None = None) -> list[str]:
        """The ids of the sources due by `now` whose lease this call took: each is polled
        once, even if beat ticks again (or twice) before the poll ends."""
        now = time.time() if now is None else now
        due = [i.decode() for i in cast(list[bytes], self.r.zrangebyscore(self._due, "-inf", now))]
        pipe = self.r.pipeline()
        for sid in due:
            pipe.set(f"{self._key(sid)}:lease", f"{now:.3f}", nx=True, ex=self.s.lease)
        return [sid for sid, took in zip(due, pipe.execute(), strict=True) if took]

    def release(self, sid: str) -> None:
        self.r.delete(f"{self._key(sid)}:lease")

    def record(self, src: Source, out: PollOutcome, now: float | None = None) -> Source:
        """Store a poll's outcome on the source, schedule its next poll (backing off after
        errors) unless it was paused meanwhile, and release its lease."""
        now = time.time() if now is None else now
        key = self._key(src.id)
        errors = 0 if out.ok else src.errors + 1
        fields: dict[str, str] = {
            "last_poll": f"{now:.3f}",
            "last_status": out.status,
            "errors": str(errors),
        }
        drop = []
        if out.ok:
            fields |= {"last_ok": f"{now:.3f}", "new_last": str(out.new_items)}
            if out.error:  # e.g. child sitemaps that could not be read
                fields["last_error"] = out.error[:500]
            else:
                drop.append("last_error")
            # a 304 keeps the validators it answered to; a 200 replaces them
            for name in ("etag", "last_modified") if out.status != "304" else ():
                value = getattr(out, name)
                if value:
                    fields[name] = value
                else:
                    drop.append(name)
        else:
            fields["last_error"] = (out.error or out.status)[:500]
        if out.job_id:
            fields["last_job"] = out.job_id
        pipe = self.r.pipeline()
        pipe.hset(key, mapping=fields)
        if drop:
            pipe.hdel(key, *drop)
        pipe.hincrby(key, "polls", 1)
        pipe.hincrby(key, "items_total", out.new_items)
        pipe.execute()
        # `XX`: a source removed during its poll stays removed; a paused one stays paused
        if self.r.hget(key, "paused") != b"1":
            delay = next_delay(src.interval, errors, self.s.max_backoff)
            self.r.zadd(self._due, {src.id: now + delay}, xx=True)
        self.release(src.id)
        got = self.get(src.id)
        return self.with_due(got) if got else src

    # ---------------------------------------------------------------- seen items

    def unseen(self, doc_ids: Sequence[str]) -> list[bool]:
        """For each doc id, whether no poll has submitted it (within `seen_days`)."""
        if not doc_ids:
            return []
        scores = cast(list[float | None], self.r.zmscore(f"{self.p}:sources:seen", list(doc_ids)))
        return [s is None for s in scores]

    def mark_seen(self, doc_ids: Iterable[str], now: float | None = None) -> None:
        """Remember submitted doc ids; forget those older than `seen_days`."""
        now = time.time() if now is None else now
        mapping = {d: now for d in doc_ids}
        if not mapping:
            return
        pipe = self.r.pipeline()
        pipe.zadd(f"{self.p}:sources:seen", mapping, nx=True)
        pipe.zremrangebyscore(f"{self.p}:sources:seen", "-inf", now - self.s.seen_days * 86400)
        pipe.execute()

"""Politeness of the fetch stage, shared by every fetch worker through Redis: each host's
requests are spaced by its own interval, and each origin's robots.txt is fetched once per TTL.

Before each request of a page fetch (every redirect hop), `Politeness.guard(...)` checks:
1. the origin's robots.txt rules (`RobotsCache`: the text in Redis for `robots_ttl`; a missing
   one is fetched, that request taking the host's turn like any other), which may refuse the
   URL (`robots_disallowed`);
2. the host's interval: its `Crawl-delay` for our agent, else the setting (`core.host_interval`);
3. the host's turn (`HostSchedule.turn`, one Lua script: the host's last request, the turns
   booked ahead, a `Retry-After` push-back). Not due: the first request of a fetch raises
   `Deferred` with the turn booked for it, and the task puts the message back with that
   countdown (`StageTask.defer`): the worker slot does other hosts' work meanwhile. A later
   request of the same fetch (a redirect, the page after its robots.txt) waits in-process for
   a short turn instead, so a same-host redirect cannot be deferred forever.
A `429`/`503` with `Retry-After` pushes the host back (`HostSchedule.push_back`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import cast
from urllib.parse import urlsplit

import httpx
from protego import Protego
from redis import Redis

from newsflow_fetch import core, http
from newsflow_shared.errors import DEFER_HEADER_PREFIX, Deferred, PermanentError, TransientError

# origin ("https://host:port") -> (status, body) of its robots.txt; raises like `http.fetch`
RobotsFetch = Callable[[str], tuple[int, bytes]]
# "<host> <epoch seconds>": the turn booked for a deferred message (Redis's clock)
SLOT_HEADER = f"{DEFER_HEADER_PREFIX}slot"

# KEYS[1] the host's hash; ARGV: interval, horizon, the slot this message booked (0: none).
# Redis's own clock (TIME) is every worker's clock. Fields: `last` (the last request's
# time), `booked` (where the next unbooked turn starts), `until` (Retry-After).
# Go when the host is free and no booked turn is pending (or this message holds one); else
# book the next free turn if it is within the horizon, else wait the horizon unbooked.
TURN_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval, horizon, slot = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if slot > now then return {0, tostring(slot - now), tostring(slot)} end
local h = redis.call('HMGET', KEYS[1], 'last', 'booked', 'until')
local last, booked, pushed = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
local free = math.max(last + interval, pushed)
local result
if now >= free and (booked <= now or slot > 0) then
  redis.call('HSET', KEYS[1], 'last', tostring(now))
  free = now + interval
  result = {1, '0', '0'}
else
  local start = math.max(free, booked, now)
  if start - now > horizon then return {0, tostring(horizon), '0'} end
  booked = start + interval
  redis.call('HSET', KEYS[1], 'booked', tostring(booked))
  result = {0, tostring(start - now), tostring(start)}
end
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(free, booked, pushed) - now + 60) * 1000))
return result
"""
# KEYS[1] the host's hash; ARGV[1] seconds: no request to the host before then.
PUSH_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pushed = math.max(tonumber(redis.call('HGET', KEYS[1], 'until') or '0'), now + ARGV[1])
redis.call('HSET', KEYS[1], 'until', tostring(pushed))
redis.call('PEXPIRE', KEYS[1], math.ceil((pushed - now + 60) * 1000))
return tostring(pushed)
"""


def robots_over_http(
    client: httpx.Client,
    *,
    max_bytes: int,
    max_redirects: int,
    allow_hosts: frozenset[str],
    total_timeout: float,
) -> RobotsFetch:
    """A `RobotsFetch` through the guarded HTTP adapter (the same address policy as pages)."""

    def fetch(origin: str) -> tuple[int, bytes]:
        resp = http.fetch(
            client,
            f"{origin}/robots.txt",
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            allow_hosts=allow_hosts,
            total_timeout=total_timeout,
        )
        return resp.status, resp.body

    return fetch


def origin_of(url: str) -> str:
    """`scheme://netloc` of a URL: what one robots.txt speaks for."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


@lru_cache(maxsize=512)
def _parsed(text: bytes) -> Protego:
    """Parsed rules, memoised per process by text (the same robots.txt for many pages)."""
    return core.robots_rules(text)


@dataclass(frozen=True)
class RobotsCache:
    """Each origin's robots.txt text in Redis for `ttl` seconds, for every fetch worker.
    RFC 9309: a 4xx robots.txt allows everything, a 429/5xx or unreachable one means "try
    later" (TransientError `robots_unavailable`, nothing cached)."""

    redis: Redis
    prefix: str
    fetch: RobotsFetch
    ttl: float

    def _key(self, origin: str) -> str:
        return f"{self.prefix}:robots:{origin}"

    def cached(self, url: str) -> Protego | None:
        """The rules of `url`'s origin if Redis has them."""
        text = cast(bytes | None, self.redis.get(self._key(origin_of(url))))
        return None if text is None else _parsed(text)

    def refresh(self, url: str) -> Protego:
        """Fetch `url`'s origin's robots.txt now and keep it for `ttl`."""
        origin = origin_of(url)
        text = core.robots_text(*self._fetch(origin))
        self.redis.set(self._key(origin), text, px=max(1, int(self.ttl * 1000)))
        return _parsed(text)

    def _fetch(self, origin: str) -> tuple[int, bytes]:
        try:
            status, body = self.fetch(origin)
        except PermanentError as exc:
            if exc.reason == "blocked_address":
                raise
            status, body = 404, b""  # too large, redirect loop: no usable rules
        except TransientError as exc:
            raise TransientError("robots_unavailable", f"{origin}/robots.txt: {exc}") from exc
        if status == 429 or status >= 500:
            raise TransientError("robots_unavailable", f"{origin}/robots.txt answered {status}")
        return status, body


@dataclass(frozen=True)
class Turn:
    """The answer of `HostSchedule.turn`: go now, or wait `delay` s (for the turn booked at
    `slot`, Redis's clock; 0 when none could be booked within the horizon)."""

    go: bool
    delay: float
    slot: float


class HostSchedule:
    """Every host's turns, in Redis, for every fetch worker on every machine (a hash per host
    under `<prefix>:host:`). Turns are booked at most `horizon` seconds ahead."""

    def __init__(self, redis: Redis, prefix: str, horizon: float) -> None:
        self.prefix = prefix
        self.horizon = horizon
        self._turn = redis.register_script(TURN_SCRIPT)
        self._push = redis.register_script(PUSH_SCRIPT)

    def _key(self, host: str) -> str:
        return f"{self.prefix}:host:{host.lower()}"

    def turn(self, host: str, interval: float, slot: float = 0.0) -> Turn:
        """May a request go to `host` now (one per `interval` s)? `slot`: the turn this
        message booked before."""
        go, delay, booked = cast(
            list[bytes | int],
            self._turn(keys=[self._key(host)], args=[interval, self.horizon, slot]),
        )
        return Turn(go == 1, float(delay), float(booked))

    def push_back(self, host: str, seconds: float) -> None:
        """No request to `host` for `seconds` (its `Retry-After`)."""
        self._push(keys=[self._key(host)], args=[seconds])


def booked_slot(headers: object, host: str) -> float:
    """The turn a deferred message booked for `host` (its SLOT_HEADER), else 0."""
    value = headers.get(SLOT_HEADER) if isinstance(headers, dict) else None
    booked_host, _, slot = str(value or "").partition(" ")
    try:
        return float(slot) if booked_host == host else 0.0
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class Politeness:
    """robots.txt (unless `robots` is None: not obeyed) and the hosts' turns. `interval`:
    the setting (0: no pacing at all); `crawl_delay_max`: the most a `Crawl-delay` is
    obeyed; `hop_wait_max`: how long a later request of a fetch waits in-process."""

    schedule: HostSchedule
    robots: RobotsCache | None
    user_agent: str
    interval: float
    crawl_delay_max: float
    hop_wait_max: float
    retry_after_max: float

    def guard(self, headers: object) -> Callable[[str], None]:
        """The `before_hop` of one fetch of a message with `headers` (its booked turn)."""
        requests = 0

        def before_hop(url: str) -> None:
            nonlocal requests
            host = (urlsplit(url).hostname or "").lower()
            slot = booked_slot(headers, host) if requests == 0 else 0.0
            rules = None
            if self.robots is not None:
                rules = self.robots.cached(url)
                if rules is None:
                    self._wait_turn(host, self.interval, slot, in_process=requests > 0)
                    requests, slot = requests + 1, 0.0
                    rules = self.robots.refresh(url)
                core.check_robots(rules, self.user_agent, url)
            interval = core.host_interval(
                rules, self.user_agent, self.interval, self.crawl_delay_max
            )
            self._wait_turn(host, interval, slot, in_process=requests > 0)
            requests += 1

        return before_hop

    def _wait_turn(self, host: str, interval: float, slot: float, *, in_process: bool) -> None:
        """Return when a request may go to `host`; raise Deferred when the message should
        come back later (or, `in_process`, when the turn is further than `hop_wait_max`)."""
        if interval <= 0:
            return
        turn = self.schedule.turn(host, interval, slot)
        while in_process and not turn.go and turn.slot and turn.delay <= self.hop_wait_max:
            time.sleep(turn.delay)
            turn = self.schedule.turn(host, interval, turn.slot)
        if turn.go:
            return
        # unbooked (the host is booked past the horizon): come back at a jittered time, so
        # the messages waiting for one host do not all ask again at the same instant
        delay = turn.delay if turn.slot else turn.delay * random.uniform(0.5, 1.0)
        raise Deferred(
            "host_not_due",
            f"{host}: next turn in {turn.delay:.2f}s (one request per {interval}s)",
            delay,
            {SLOT_HEADER: f"{host} {turn.slot!r}"} if turn.slot else {},
        )

    def after_response(self, resp: core.FetchedResponse) -> None:
        """A `429`/`503` with `Retry-After` pushes its host back (at most `retry_after_max`)."""
        if resp.status not in (429, 503) or self.interval <= 0:
            return
        seconds = core.retry_after_seconds(resp.retry_after, datetime.now(UTC))
        if seconds:
            host = (urlsplit(resp.final_url).hostname or "").lower()
            self.schedule.push_back(host, min(seconds, self.retry_after_max))

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

# A host's hash (KEYS[1]), on Redis's own clock (TIME), every worker's clock: `last` (when
# the last request's response came, `DONE_SCRIPT`), `busy` (a request is in flight until its
# response, or at most until then: a worker that died mid-request), `start` (when it went),
# `took` (how long requests take, a moving average), `booked` (where the next unbooked turn
# starts: turns are booked an interval plus `took` apart, the pace the host really gets,
# so a booked message comes back when the host is free), `until` (a Retry-After). The next request may go when none is in
# flight, an interval after `last` and not before `until` ("free"): so the server sees its
# requests at least an interval apart, however long each took to reach it.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', KEYS[1], 'last', 'booked', 'until', 'busy', 'start', 'took')
local last, booked = tonumber(h[1] or '0'), tonumber(h[2] or '0')
local pushed, busy = tonumber(h[3] or '0'), tonumber(h[4] or '0')
local start, took = tonumber(h[5] or '0'), tonumber(h[6] or '0')
local function keep(interval)  -- the hash lives as long as it says anything
  local horizon = math.max(last + interval, booked, pushed, busy) - now + 60
  redis.call('PEXPIRE', KEYS[1], math.ceil(horizon * 1000))
end
"""
# ARGV: interval, the turn this message booked before (0: none), the longest a request may
# be in flight. A booked message goes once its turn has come and the host is free, and keeps
# its turn meanwhile (asking again an interval later while a request is in flight); a new
# one goes when the host is free and no booked turn is pending, else books the next free
# turn (FIFO). Returns {go (1/0), seconds to wait, the booked turn}.
TURN_SCRIPT = (
    _NOW
    + """
local interval, slot, flight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local free = math.max(last + interval, pushed)
if busy > now then free = math.max(free, now + interval) end
if slot > 0 then
  local at = math.max(slot, free)
  if now < at then return {0, tostring(at - now), tostring(slot)} end
elseif now < free or booked > now then
  local turn = math.max(free, booked, now)
  booked = turn + interval + took
  redis.call('HSET', KEYS[1], 'booked', tostring(booked))
  keep(interval)
  return {0, tostring(turn - now), tostring(turn)}
end
busy = now + flight
redis.call('HSET', KEYS[1], 'busy', tostring(busy), 'start', tostring(now))
keep(interval)
return {1, '0', '0'}
"""
)
# After a response, or a request that failed (ARGV: interval, Retry-After seconds or 0):
# the next request waits an interval from now, and not before a Retry-After has passed.
DONE_SCRIPT = (
    _NOW
    + """
if busy > 0 and start > 0 then took = 0.8 * took + 0.2 * math.min(now - start, 60) end
last, busy = now, 0
redis.call('HSET', KEYS[1], 'last', tostring(now), 'busy', '0', 'took', tostring(took))
local wait = tonumber(ARGV[2])
if wait > 0 and now + wait > pushed then
  pushed = now + wait
  redis.call('HSET', KEYS[1], 'until', tostring(pushed))
end
keep(tonumber(ARGV[1]))
return 1
"""
)
# A turn this near is waited for in-process, and a deferred message comes back half of it
# early: the countdown's own lateness (the worker's timer, a busy pool) would otherwise
# leave the host idle for a while at every turn.
NEAR = 0.25


def robots_over_http(client: httpx.Client, limits: http.Limits) -> RobotsFetch:
    """A `RobotsFetch` through the guarded HTTP adapter (the same address policy as pages)."""

    def fetch(origin: str) -> tuple[int, bytes]:
        resp = http.fetch(client, f"{origin}/robots.txt", limits)
        return resp.status, resp.body

    return fetch


def origin_of(url: str) -> str:
    """`scheme://netloc` of a URL: what one robots.txt speaks for."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


@lru_cache(maxsize=512)
def _parsed(text: bytes) -> Protego:
    """Parsed rules, memoised per process by text (the same robots.txt for many pages).
    Shared by the worker's threads: a Protego object only fills lazy caches of its own when
    asked (the rule set per user agent, a prefix index), idempotently."""
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
    """The answer of `HostSchedule.turn`: go now, or wait `delay` s for the turn booked at
    `slot` (Redis's clock)."""

    go: bool
    delay: float
    slot: float


class HostSchedule:
    """Every host's turns, in Redis, for every fetch worker on every machine (a hash per host
    under `<prefix>:host:`, gone a minute after it stops mattering). A request that gets a
    turn is in flight until `done`, or `flight_max` seconds (its worker died)."""

    def __init__(self, redis: Redis, prefix: str, flight_max: float) -> None:
        self.prefix = prefix
        self.flight_max = flight_max
        self._turn = redis.register_script(TURN_SCRIPT)
        self._done = redis.register_script(DONE_SCRIPT)

    def _key(self, host: str) -> str:
        return f"{self.prefix}:host:{host.lower()}"

    def turn(self, host: str, interval: float, slot: float = 0.0) -> Turn:
        """May a request go to `host` now (one per `interval` s)? `slot`: the turn this
        message booked before; without one, a turn is booked when it may not go now."""
        go, delay, booked = cast(
            list[bytes | int],
            self._turn(keys=[self._key(host)], args=[interval, slot, self.flight_max]),
        )
        return Turn(go == 1, float(delay), float(booked))

    def done(self, host: str, interval: float, retry_after: float = 0.0) -> None:
        """The request that had `host`'s turn is over (its response came, or it failed);
        `retry_after`: no request before that many seconds from now."""
        self._done(keys=[self._key(host)], args=[interval, retry_after])


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

    def guard(self, headers: object) -> HopGuard:
        """The `before_hop` of one fetch of a message with `headers` (its booked turn)."""
        return HopGuard(self, headers)

    def wait_turn(self, host: str, interval: float, slot: float, *, in_process: bool) -> None:
        """Return when a request may go to `host`; else raise Deferred with the turn booked
        for the message. A near turn (`NEAR`, or up to `hop_wait_max` for a later request of
        the same fetch) is waited for in-process."""
        limit = self.hop_wait_max if in_process else NEAR
        waited = 0.0
        turn = self.schedule.turn(host, interval, slot)
        while not turn.go and waited + turn.delay <= limit:
            time.sleep(turn.delay)
            waited += turn.delay
            turn = self.schedule.turn(host, interval, turn.slot)
        if not turn.go:
            raise Deferred(
                "host_not_due",
                f"{host}: its turn is in {turn.delay:.2f}s (one request per {interval}s)",
                max(0.0, turn.delay - NEAR / 2),
                {SLOT_HEADER: f"{host} {turn.slot!r}"},
            )


class HopGuard:
    """One fetch's politeness: called before each request (`http.fetch`'s `before_hop`),
    `finish`ed once the fetch is over (the last request's host is free again)."""

    def __init__(self, polite: Politeness, headers: object) -> None:
        self.p = polite
        self.headers = headers
        self.requests = 0
        self.in_flight: str | None = None  # the host our request is in flight to

    def __call__(self, url: str) -> None:
        """Robots.txt, then the host's turn, for the request of `url` about to go."""
        p, host = self.p, (urlsplit(url).hostname or "").lower()
        self._done(None)  # the previous hop's response came: its host is free again
        slot = booked_slot(self.headers, host) if self.requests == 0 else 0.0
        rules = None
        if p.robots is not None:
            rules = p.robots.cached(url)
            if rules is None:
                self._turn(host, p.interval, slot)
                slot = 0.0
                rules = p.robots.cached(url)  # another worker's, while this one waited
                if rules is None:
                    try:
                        rules = p.robots.refresh(url)
                    finally:
                        self._done(None)
                else:
                    self._done(None)  # no request was made with that turn
            core.check_robots(rules, p.user_agent, url)
        interval = core.host_interval(rules, p.user_agent, p.interval, p.crawl_delay_max)
        self._turn(host, interval, slot)

    def _turn(self, host: str, interval: float, slot: float) -> None:
        if interval <= 0:
            return
        self.p.wait_turn(host, interval, slot, in_process=self.requests > 0)
        self.requests += 1
        self.in_flight = host

    def _done(self, resp: core.FetchedResponse | None) -> None:
        """Our request in flight is over; a `429`/`503` with `Retry-After` pushes its host
        back (at most `retry_after_max`)."""
        if self.in_flight is None:
            return
        host, self.in_flight = self.in_flight, None
        seconds = None
        if resp is not None and resp.status in (429, 503):
            seconds = core.retry_after_seconds(resp.headers.get("retry-after"), datetime.now(UTC))
        self.p.schedule.done(host, self.p.interval, min(seconds or 0.0, self.p.retry_after_max))

    def finish(self, resp: core.FetchedResponse | None) -> None:
        """The fetch is over: `resp`, or None when it raised."""
        self._done(resp)

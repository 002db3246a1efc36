"""Politeness of the fetch stage: robots.txt rules cached per origin, and one request per
interval to a host across every fetch worker.

`Politeness.before_hop` runs before each request of a page fetch (every redirect hop): it
waits for the host's turn, then refuses a URL the host's robots.txt disallows. What it needs
from the outside (Redis, the HTTP client, the clock) is passed in, so each part is unit-tested
on its own; `tasks.py` only wires it to the settings and the runtime.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from redis import Redis

from newsflow_fetch import core, http
from newsflow_shared.errors import PermanentError, TransientError

# origin ("https://host:port") -> (status, body) of its robots.txt; raises like `http.fetch`
RobotsFetch = Callable[[str], tuple[int, bytes]]


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
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class RobotsCache:
    """Each origin's robots.txt rules, fetched once per `ttl` seconds and kept for at most
    `max_origins` origins (per worker process). RFC 9309: a 4xx robots.txt allows everything,
    a 429/5xx or unreachable one means "try later" (TransientError `robots_unavailable`)."""

    fetch: RobotsFetch
    ttl: float
    max_origins: int = 10_000
    clock: Callable[[], float] = time.monotonic
    # origin -> (clock time of expiry, rules)
    entries: dict[str, tuple[float, RobotFileParser]] = field(default_factory=dict)

    def rules(self, url: str) -> RobotFileParser:
        """The rules of `url`'s origin, from the cache while they are fresh."""
        origin = origin_of(url)
        cached = self.entries.get(origin)
        if cached is not None and cached[0] > self.clock():
            return cached[1]
        rules = core.robots_rules(*self._fetch(origin))
        self._keep(origin, rules)
        return rules

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

    def _keep(self, origin: str, rules: RobotFileParser) -> None:
        now = self.clock()
        if len(self.entries) >= self.max_origins:  # bounded: drop expired rules, else start afresh
            for key in [k for k, (expires, _) in self.entries.items() if expires <= now]:
                del self.entries[key]
            if len(self.entries) >= self.max_origins:
                self.entries.clear()
        self.entries[origin] = (now + self.ttl, rules)


class HostPacer:
    """At most one request per `interval` seconds to a host, across every fetch worker on
    every machine. A Redis key per host lives for the interval (SET NX PX); a worker that
    finds it taken waits for it to expire, up to `max_wait`, then gives the message back for
    a later retry (`host_busy`, transient)."""

    def __init__(self, redis: Redis, prefix: str, interval: float, max_wait: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.interval = interval
        self.max_wait = max_wait

    def wait_turn(self, host: str) -> float:
        """Block until this process may send a request to `host`; returns seconds waited."""
        if self.interval <= 0:
            return 0.0
        key = f"{self.prefix}:pace:{host.lower()}"
        ms = max(1, int(self.interval * 1000))
        waited = 0.0
        while not self.redis.set(key, b"1", nx=True, px=ms):
            # -2: expired meanwhile (ask again at once); -1 cannot happen (always set with PX)
            left = cast(int, self.redis.pttl(key))
            # a little jitter so waiting workers do not all ask again at the same instant
            pause = max(left, 1) / 1000 + random.uniform(0, 0.01)
            if waited + pause > self.max_wait:
                raise TransientError(
                    "host_busy",
                    f"{host}: no turn within {self.max_wait}s (one request per "
                    f"{self.interval}s to a host)",
                )
            time.sleep(pause)
            waited += pause
        return waited


@dataclass
class Politeness:
    """What a fetch does before each request: the host's turn, then its robots.txt (unless
    `robots` is None, i.e. robots.txt is not obeyed)."""

    pacer: HostPacer
    robots: RobotsCache | None
    user_agent: str

    def before_hop(self, url: str) -> None:
        """Wait for `url`'s host; raise PermanentError `robots_disallowed` if it is refused."""
        self.pacer.wait_turn(urlsplit(url).hostname or "")
        if self.robots is not None:
            core.check_robots(self.robots.rules(url), self.user_agent, url)

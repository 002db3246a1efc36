"""Politeness: at most one request per `interval` seconds to a host, across every fetch
worker on every machine. A Redis key per host lives for the interval (SET NX PX); a worker
that finds it taken waits for it to expire, up to `max_wait`, then gives the message back
for a later retry (`host_busy`, transient)."""

from __future__ import annotations

import random
import time
from typing import cast

from redis import Redis

from newsflow_shared.errors import TransientError


class HostPacer:
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

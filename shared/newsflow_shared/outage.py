"""Waiting out an outage: how long a message that cannot reach a backend waits.

An outage (`errors.is_outage`, where the backends are declared) is nobody's item's fault, so
it spends none of the item's retry budget. The message is put back with a capped, jittered backoff, carrying two headers:
when it first met the outage and how often it has waited since. It waits as long as the
outage lasts, up to `NEWSFLOW_OUTAGE_CEILING`; past that it is recorded `failed` with the
reason `outage_ceiling`. A retry for any other reason drops the headers (`clear_headers`):
the backends answered, so a later outage is a new one with a ceiling of its own.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from newsflow_shared.errors import NewsflowError

# Message headers (Celery keeps custom headers across its retries and redeliveries).
OUTAGE_SINCE = "newsflow_outage_since"  # epoch seconds: when this message first met it
OUTAGE_WAITS = "newsflow_outage_waits"  # how many times it has waited since


class OutageCeilingExceeded(NewsflowError):
    """An outage outlasted the ceiling: the item is recorded `failed` after all."""


@dataclass(frozen=True)
class OutageWait:
    """The next wait of a message in an outage: put it back `delay` s from now."""

    since: float
    waits: int
    delay: float

    def headers(self) -> dict[str, Any]:
        """The headers the message is put back with."""
        return {OUTAGE_SINCE: self.since, OUTAGE_WAITS: self.waits}


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def next_wait(
    headers: Mapping[str, Any] | None,
    now: float,
    *,
    ceiling: float,
    backoff_max: float,
    why: str = "outage",
    rand: Callable[[], float] = random.random,
) -> OutageWait:
    """The wait after meeting an outage at `now`, given the message's `headers`.

    Backoff 2**waits s capped at `backoff_max`, jittered to between half and all of it (so
    the messages held up by one outage do not all come back at once), and never past the
    ceiling. Raises OutageCeilingExceeded once the outage has lasted `ceiling` seconds.
    """
    headers = headers or {}
    since = min(_number(headers.get(OUTAGE_SINCE), now), now)
    waits = int(_number(headers.get(OUTAGE_WAITS), 0))
    waited = now - since
    if waited >= ceiling:
        raise OutageCeilingExceeded(
            "outage_ceiling",
            f"backends unreachable for {waited:.0f} s (ceiling {ceiling:.0f} s): {why}"[:2000],
        )
    cap = min(backoff_max, 2.0**waits)
    delay = min(cap * (0.5 + 0.5 * rand()), ceiling - waited)
    return OutageWait(since=since, waits=waits + 1, delay=max(delay, 0.1))


def clear_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """`headers` without the outage headers (for a retry that is not an outage's)."""
    return {k: v for k, v in (headers or {}).items() if k not in (OUTAGE_SINCE, OUTAGE_WAITS)}

"""The two error classes every stage raises: transient ones retry, permanent ones are recorded.

A third kind of transient error is the outage (`is_outage`): Redis or Elasticsearch
unreachable. It is waited out (`newsflow_shared.outage`) without spending the item's retries.
"""

from __future__ import annotations

from elasticsearch import ApiError as EsApiError
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import ConnectionTimeout as EsConnectionTimeout
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class NewsflowError(Exception):
    """Base class; carries a machine-readable reason code and a human message."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message or reason


class TransientError(NewsflowError):
    """A failure worth retrying with backoff (timeouts, connection errors, 429, 5xx)."""


class OutageError(TransientError):
    """Redis or Elasticsearch is unreachable: no fault of the item, waited out (`is_outage`)."""


class Deferred(NewsflowError):
    """The message is not due yet (e.g. its host's next turn is later): it is put back with a
    countdown of `delay` s (capped at `NEWSFLOW_DEFER_MAX`) and `headers` (names starting
    with `DEFER_HEADER_PREFIX`), spending none of the item's retries (`StageTask.defer`)."""

    def __init__(self, reason: str, message: str, delay: float, headers: dict[str, str]) -> None:
        super().__init__(reason, message)
        self.delay = delay
        self.headers = headers


# Headers a deferral adds to its message; an ordinary retry drops them (they spoke for that
# one deferral, e.g. the turn booked for it).
DEFER_HEADER_PREFIX = "newsflow_defer_"


class PermanentError(NewsflowError):
    """A failure that retrying cannot fix; the item is recorded as rejected with `reason`."""


# Redis (the broker and the ledger) unreachable: from redis-py directly (the ledger), or as
# kombu's OperationalError from a publish that ran out of its connection retries.
BROKER_ERRORS: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OperationalError,
)

# Elasticsearch unreachable: no connection, no answer in time, or a node or proxy saying it
# cannot serve at all (502/503/504: e.g. no master yet, shards still recovering). A 429 or
# 500 stays an ordinary transient error: it may be this item's request that is too much.
ES_OUTAGE_ERRORS: tuple[type[Exception], ...] = (EsConnectionError, EsConnectionTimeout)
ES_OUTAGE_STATUSES = frozenset({502, 503, 504})
# What a stage may raise that is an outage (raw client errors included).
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OutageError, *BROKER_ERRORS, *ES_OUTAGE_ERRORS)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says Redis or Elasticsearch is unreachable, not that the item failed."""
    if isinstance(exc, OUTAGE_ERRORS):
        return True
    return isinstance(exc, EsApiError) and exc.meta.status in ES_OUTAGE_STATUSES

"""The two error classes every stage raises: transient ones retry, permanent ones are recorded.

A third kind of transient error is the outage (`is_outage`): a backend unreachable, no fault
of the item. This module declares which backends and which of their errors: Redis
(`BROKER_ERRORS`), Elasticsearch (`ES_OUTAGE_ERRORS`, `OUTAGE_STATUSES`) and the enrich
stage's NER server (`SERVICE_OUTAGE_ERRORS`, `OUTAGE_STATUSES`, raised as `OutageError` by
`newsflow_enrich.ner`). An outage is waited out (`newsflow_shared.outage`) without spending
the item's retries.
"""

from __future__ import annotations

import httpx
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
    """A backend is unreachable: no fault of the item, waited out (`is_outage`)."""


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

# An HTTP backend (Elasticsearch, the NER server) or a proxy before it saying it cannot serve
# at all: 502/503/504 (e.g. no master yet, shards still recovering, the server not up). A 429
# or 500 stays an ordinary transient error: it may be this item's request that is too much.
OUTAGE_STATUSES = frozenset({502, 503, 504})
# Elasticsearch unreachable: no connection or no answer in time.
ES_OUTAGE_ERRORS: tuple[type[Exception], ...] = (EsConnectionError, EsConnectionTimeout)
# An HTTP service of our own (the NER server) unreachable: no connection (refused, or not made
# in time), or one dropped before the answer (the server stopped or died mid-request). A read
# or write timeout is not an outage: it may be this item's text that is too heavy. Not in
# OUTAGE_ERRORS: the fetch stage's httpx errors come from news sites, which are no backend;
# the service's client raises OutageError instead.
SERVICE_OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
# What a stage may raise that is an outage (raw Redis and Elasticsearch client errors included).
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OutageError, *BROKER_ERRORS, *ES_OUTAGE_ERRORS)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says a backend is unreachable (the module's list), not that the item
    failed."""
    if isinstance(exc, OUTAGE_ERRORS):
        return True
    return isinstance(exc, EsApiError) and exc.meta.status in OUTAGE_STATUSES

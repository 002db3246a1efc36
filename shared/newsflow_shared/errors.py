"""The two error classes every stage raises: transient ones retry, permanent ones are recorded."""

from __future__ import annotations

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


class PermanentError(NewsflowError):
    """A failure that retrying cannot fix; the item is recorded as rejected with `reason`."""


# Redis (the broker and the ledger) unreachable: from redis-py directly (the ledger), or as
# kombu's OperationalError from a publish that ran out of its connection retries.
BROKER_ERRORS: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OperationalError,
)

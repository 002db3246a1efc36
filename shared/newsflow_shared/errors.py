"""The two error classes every stage raises: transient ones retry, permanent ones are recorded."""

from __future__ import annotations


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

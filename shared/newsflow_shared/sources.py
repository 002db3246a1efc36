"""Sources watched on a schedule: what a source is, when it is due, how it backs off.

A source is a feed (RSS/Atom), a news sitemap (or sitemap index) or a site's front page read
as a list of links. Celery beat sends `fetch.poll_due` every `tick` seconds; it sends one
`fetch.poll_source` per due source (newsflow_fetch.poll), which submits the items not seen
before into a job of their own and records the result on the source. The records live in
Redis (`newsflow_shared.source_registry`). This module is pure: no Redis, no HTTP.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsflow_shared.ids import canonicalize_url, stable_id

MIN_INTERVAL = 1  # seconds; a deployment's own floor is `SourcesSettings.min_interval`
DEFAULT_INTERVAL = 900


class SourceType(StrEnum):
    FEED = "feed"
    SITEMAP = "sitemap"
    FRONTPAGE = "frontpage"


class SourcesSettings(BaseSettings):
    """`NEWSFLOW_SOURCES_*`: the schedule of the beat process and of every poll."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_SOURCES_", extra="ignore")

    # beat sends `poll_due` this often; a source is polled at most `tick` s after it is due
    tick: float = Field(30.0, gt=0)
    # a poll holds its source this long at most: a poll lost with its worker is sent again
    # after it (never two polls of one source at once)
    lease: int = Field(600, ge=5)
    # after n consecutive errors a source waits interval * 2**n, at most this long
    max_backoff: int = Field(6 * 3600, ge=1)
    # the lowest interval a source may be registered with (API and CLI refuse less)
    min_interval: int = Field(60, ge=MIN_INTERVAL)
    # items submitted per poll at most (newest first); the rest come with the next polls
    max_items_per_poll: int = Field(500, ge=1)
    # child sitemaps of a sitemap index read per poll at most (newest `lastmod` first)
    max_child_sitemaps: int = Field(20, ge=1)
    # an item's canonical id is remembered this long: seen again later, it is submitted again
    # (harmless: its id is deterministic, so it is indexed once)
    seen_days: int = Field(90, ge=1)


@cache
def get_sources_settings() -> SourcesSettings:
    """This process's `SourcesSettings`, read once from the environment."""
    return SourcesSettings()


def source_id(url: str) -> str:
    """The deterministic id of the source at `url` (its canonical URL's hash)."""
    return "s" + stable_id(canonicalize_url(url))[:15]


class NewSource(BaseModel):
    """What registering a source takes (API body, CLI arguments)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(max_length=2048)
    kind: SourceType = SourceType.FEED
    interval: int = Field(DEFAULT_INTERVAL, ge=MIN_INTERVAL, le=7 * 86400)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a source is an http(s) URL")
        return v.strip()


class Source(BaseModel):
    """A stored source and the health of its polls (`newsflow sources list`, `GET /sources`)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    kind: SourceType
    url: str
    interval: int
    paused: bool = False
    added: float
    next_due: float | None = None  # epoch seconds; None while paused
    last_poll: float | None = None
    last_ok: float | None = None
    last_status: str | None = None  # "200", "304", or the error's reason code
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    errors: int = 0  # consecutive failed polls
    new_last: int = 0  # items the last successful poll submitted
    polls: int = 0
    items_total: int = 0
    last_job: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def health(self) -> str:
        """paused | new (never polled) | ok | failing (the last poll failed)."""
        if self.paused:
            return "paused"
        if self.last_poll is None:
            return "new"
        return "failing" if self.errors else "ok"


class PollOutcome(BaseModel):
    """What one poll found: stored on the source by `SourceRegistry.record`."""

    model_config = ConfigDict(frozen=True)

    status: str  # "200", "304" or an error's reason code
    ok: bool
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    new_items: int = 0
    job_id: str | None = None


def next_delay(interval: float, errors: int, max_backoff: float) -> float:
    """Seconds until the next poll: the interval, or after `errors` consecutive failures
    interval * 2**errors, capped at `max_backoff` (never below the interval)."""
    if errors <= 0:
        return interval
    return max(interval, min(interval * 2 ** min(errors, 32), max_backoff))


def conditional_headers(src: Source) -> dict[str, str]:
    """The validators of the last answer sent back (RFC 9110 conditional GET): a server
    whose content did not change answers 304 with no body."""
    headers = {}
    if src.etag:
        headers["If-None-Match"] = src.etag
    if src.last_modified:
        headers["If-Modified-Since"] = src.last_modified
    return headers

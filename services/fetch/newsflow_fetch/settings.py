"""Fetch settings (`NEWSFLOW_FETCH_*`)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newsflow_fetch.http import Limits


class FetchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_FETCH_", extra="ignore")

    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(60.0, gt=0)
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow; news research crawler)"
    # politeness: one request per `host_interval` seconds to a host across all fetch workers,
    # or per its robots.txt `Crawl-delay` (obeyed up to `crawl_delay_max`); 0 turns pacing
    # off altogether. A fetch whose host is not due is put back with a countdown to its
    # booked turn (`NEWSFLOW_DEFER_MAX` ahead at most), spending no retry; a later request of
    # the same fetch (a redirect, the page after its robots.txt) waits in-process up to
    # `hop_wait_max`. A 429/503's `Retry-After` pushes the host back (up to `retry_after_max`).
    host_interval: float = Field(1.0, ge=0)
    crawl_delay_max: float = Field(60.0, ge=0)
    hop_wait_max: float = Field(5.0, ge=0)
    retry_after_max: float = Field(3600.0, ge=0)
    # robots.txt (RFC 9309, parsed by protego): obeyed for our user agent's product token
    # ("newsflow"); its text is kept in Redis for `robots_ttl` seconds for every worker
    obey_robots: bool = True
    robots_ttl: float = Field(3600.0, gt=0)
    robots_max_bytes: int = Field(512 * 1024, gt=0)
    # A host that does not exist (DNS NXDOMAIN) is tried this many more times (Celery
    # retries, with backoff) before the item is rejected `dns_no_such_host`: a brief DNS
    # glitch is survived, and thousands of dead hosts do not hold the fetch queue.
    dns_retries: int = Field(1, ge=0, le=10)
    # Hosts exempt from the non-global address check (comma-separated), e.g. "127.0.0.1"
    # for a local test server. Empty in production.
    allow_hosts: Annotated[frozenset[str], NoDecode] = frozenset()

    def limits(self, max_bytes: int | None = None) -> Limits:
        """What one fetch may take (`max_bytes` for a smaller kind, e.g. robots.txt)."""
        return Limits(
            max_bytes=self.max_bytes if max_bytes is None else max_bytes,
            max_redirects=self.max_redirects,
            total_timeout=self.total_timeout,
            allow_hosts=self.allow_hosts,
        )

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return frozenset(h.strip().lower() for h in v.split(",") if h.strip())
        return v


@cache
def get_fetch_settings() -> FetchSettings:
    """This process's `FetchSettings`, read once from the environment."""
    return FetchSettings()

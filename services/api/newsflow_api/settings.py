"""API settings (`NEWSFLOW_API_*`); the shared `NEWSFLOW_*` settings say where ES/Redis are."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """What only the search API needs."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_API_", extra="ignore")

    # Required by POST /ingest (header `X-API-Key`); without it ingest is disabled (403).
    key: SecretStr | None = Field(None, min_length=12)  # NEWSFLOW_API_KEY
    cors_origins: list[str] = Field(default_factory=list)
    # The issue caps pages at 100 hits; a deployment may only lower it.
    max_page_size: int = Field(100, ge=1, le=100)
    default_page_size: int = Field(20, ge=1, le=100)
    max_facet_size: int = Field(50, ge=1, le=500)
    # How long a cursor stays valid between two pages (Elasticsearch point-in-time keep-alive).
    cursor_keep_alive: str = Field("5m", pattern=r"^[1-9][0-9]*[smh]$")
    # Per-request budget for health probes, so /readyz answers fast when a backend hangs.
    probe_timeout: float = Field(2.0, gt=0, le=30)
    # elasticsearch-py's async transport: "aiohttp" (elasticsearch[async], the default: p50
    # ~25% lower than "httpxasync" in bench/bench_api.py) or "httpxasync" (httpx).
    es_node_class: Literal["aiohttp", "httpxasync"] = "aiohttp"
    # Longest request target (path + query string) answered; longer ones get 414 (JSON). Kept
    # below what the HTTP server itself parses (httptools: 64 KiB; h11: 16 KiB for the whole
    # head by default) so that our limit, with our error body, is met first.
    max_request_target_bytes: int = Field(16_384, ge=1024, le=65_000)
    # POST /ingest refuses a submission of more items (urls + feeds) than this (413), and
    # any URL longer than this many bytes (422, naming the item).
    ingest_max_items: int = Field(10_000, ge=1)
    ingest_max_url_bytes: int = Field(8192, ge=256)
    # Cached query lemmatisations (a lone word costs four spaCy calls, ~5 ms).
    lemma_cache_size: int = Field(20_000, ge=0)


@cache
def get_api_settings() -> ApiSettings:
    """This process's `ApiSettings`, read once from the environment."""
    return ApiSettings()

"""Per-process connections (settings, Elasticsearch, Redis, ledger, content store), built once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from elasticsearch import Elasticsearch
from redis import Redis

from newsflow_shared.es import make_es
from newsflow_shared.ledger import Ledger
from newsflow_shared.settings import Settings, get_settings
from newsflow_shared.source_registry import SourceRegistry
from newsflow_shared.sources import get_sources_settings
from newsflow_shared.store import ContentStore


@dataclass
class Runtime:
    """Lazily built clients for one process; workers and the CLI share this shape."""

    settings: Settings

    @cached_property
    def es(self) -> Elasticsearch:
        return make_es(self.settings)

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(self.settings.redis_url, health_check_interval=30)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.redis, self.settings.ledger_prefix)

    @cached_property
    def sources(self) -> SourceRegistry:
        return SourceRegistry(self.redis, self.settings.ledger_prefix, get_sources_settings())

    @cached_property
    def store(self) -> ContentStore:
        return ContentStore(self.es, self.settings.index_prefix)


@cache
def get_runtime() -> Runtime:
    """The process-wide runtime (created on first use, after a worker has forked)."""
    return Runtime(get_settings())

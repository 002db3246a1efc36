"""Elasticsearch clients built from settings (sync for workers/CLI, async for the API)."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch
from elasticsearch.serializer import OrjsonSerializer

from newsflow_shared.settings import Settings


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Connection options both clients share (hosts, timeouts, retries, credentials)."""
    kwargs: dict[str, Any] = {
        "hosts": settings.es_hosts,
        "request_timeout": settings.es_request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
        # orjson (a project dependency): the workers move whole pages and articles as JSON
        "serializer": OrjsonSerializer(),
    }
    if settings.es_username and settings.es_password:
        kwargs["basic_auth"] = (settings.es_username, settings.es_password.get_secret_value())
    return kwargs


def make_es(settings: Settings) -> Elasticsearch:
    """A synchronous client (workers, CLI)."""
    return Elasticsearch(**client_kwargs(settings))


def make_async_es(settings: Settings, **overrides: Any) -> AsyncElasticsearch:
    """An asynchronous client (the API; create once per process in the lifespan).

    The transport defaults to aiohttp (elasticsearch[async]; ~25% faster than httpx here);
    `overrides` may change it and
    any other client option.
    """
    return AsyncElasticsearch(**{**client_kwargs(settings), "node_class": "aiohttp", **overrides})

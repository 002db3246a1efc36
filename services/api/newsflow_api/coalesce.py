"""Concurrent identical searches share one Elasticsearch request (request coalescing, as a
caching proxy's "cache lock" or Go's singleflight do; no result is kept afterwards).

A popular query (a front page, a dashboard, a story everyone looks up at once) arrives many
times within the few tens of milliseconds a faceted search takes. Each copy would make every
shard run the same query, highlight the same hits and count the same facets. Here the first
copy runs it and the others, arriving while it is in flight, await its answer: each caller
gets a response computed after its own request arrived, so nothing is staler than without
coalescing. Responses are shared, so callers must not mutate them (the routes build new
dicts from them).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from elasticsearch import AsyncElasticsearch


def search_key(index: str, body: dict[str, Any]) -> str:
    """Identical searches have identical keys (the body in a canonical JSON form)."""
    return index + "\0" + json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


class Coalescer:
    """In-flight searches by key; a search leaves the table as soon as it completes."""

    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Task[Any]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def search(self, es: AsyncElasticsearch, index: str, body: dict[str, Any]) -> Any:
        key = search_key(index, body)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(es.search(index=index, body=body))
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._done(key, t))
        # Shielded: a caller that goes away (client disconnect) does not cancel the search
        # the others are waiting for.
        return await asyncio.shield(task)

    def _done(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so a failure nobody awaited is not logged as lost

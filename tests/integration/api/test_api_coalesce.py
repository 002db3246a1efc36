"""Concurrent identical `/search` and `/events` requests on the real Elasticsearch: one search
runs for all of them, and each answer is exactly the one a request alone gets."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

CONCURRENT = 8


def shard_queries(es: Any, prefix: str) -> int:
    """Query phases run so far on the shards of the article and event partitions."""
    stats = es.indices.stats(index=f"{prefix}articles-*,{prefix}events-*", metric="search")
    return int(stats["_all"]["primaries"]["search"]["query_total"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/search", {"q": "ceasefire talks", "size": 5}),
        ("/search", {"country": "UKR", "size": 3}),
        ("/events", {"size": 4}),
    ],
)
async def test_concurrent_identical_requests_share_one_search(
    client: httpx.AsyncClient, app: Any, es: Any, indices: str, path: str, params: dict[str, Any]
) -> None:
    before = shard_queries(es, indices)
    alone = await client.get(path, params=params)
    assert alone.status_code == 200, alone.text
    per_search = shard_queries(es, indices) - before
    assert per_search > 0

    before = shard_queries(es, indices)
    together = await asyncio.gather(*(client.get(path, params=params) for _ in range(CONCURRENT)))
    used = shard_queries(es, indices) - before

    assert [r.status_code for r in together] == [200] * CONCURRENT
    assert all(r.json() == alone.json() for r in together)
    # Without coalescing each request searches every shard: CONCURRENT * per_search.
    assert used < CONCURRENT * per_search, (used, per_search)
    assert len(app.state.api.searches) == 0  # nothing is kept in flight or cached

"""Request coalescing: concurrent identical searches share one request; nothing is kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from newsflow_api.coalesce import Coalescer, search_key

pytestmark = pytest.mark.unit


class GatedES:
    """An Elasticsearch stand-in whose searches wait for `open()`, counting requests."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = asyncio.Event()

    def open(self) -> None:
        self.gate.set()

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        call = self.calls
        await self.gate.wait()
        if body.get("fail"):
            raise RuntimeError("shard failure")
        return {"index": index, "call": call}


async def _started(n: int = 3) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_concurrent_identical_searches_run_once() -> None:
    es, c = GatedES(), Coalescer()
    waiting = [asyncio.create_task(c.search(es, "a", {"q": 1, "size": 2})) for _ in range(5)]
    await _started()
    assert len(c) == 1
    es.open()
    results = await asyncio.gather(*waiting)
    assert es.calls == 1
    assert all(r == {"index": "a", "call": 1} for r in results)
    assert len(c) == 0  # nothing kept once it completes


async def test_different_searches_and_later_ones_are_not_shared() -> None:
    es, c = GatedES(), Coalescer()
    es.open()
    first = await c.search(es, "a", {"q": 1})
    again = await c.search(es, "a", {"q": 1})  # after the first completed: runs anew
    other = await asyncio.gather(c.search(es, "a", {"q": 2}), c.search(es, "b", {"q": 1}))
    assert (first["call"], again["call"]) == (1, 2)
    assert sorted(r["call"] for r in other) == [3, 4]


async def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    es, c = GatedES(), Coalescer()
    waiting = [asyncio.create_task(c.search(es, "a", {"fail": True})) for _ in range(3)]
    await _started()
    es.open()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert es.calls == 1 and len(c) == 0


async def test_a_caller_that_goes_away_does_not_cancel_the_others() -> None:
    es, c = GatedES(), Coalescer()
    leaving = asyncio.create_task(c.search(es, "a", {"q": 1}))
    staying = asyncio.create_task(c.search(es, "a", {"q": 1}))
    await _started()
    leaving.cancel()
    await _started()
    es.open()
    assert (await staying)["call"] == 1
    assert leaving.cancelled()


def test_the_key_does_not_depend_on_key_order() -> None:
    assert search_key("i", {"a": 1, "b": [1, 2]}) == search_key("i", {"b": [1, 2], "a": 1})
    assert search_key("i", {"a": 1}) != search_key("j", {"a": 1})
    assert search_key("i", {"a": [1, 2]}) != search_key("i", {"a": [2, 1]})

"""GET /readyz follows the cluster's health: ready means yellow or better, with every primary
shard assigned (issue 17). On an Elasticsearch node of the test's own (the suite's node is
never made red), an index of the API's pattern gets a primary that no node may hold
(`index.routing.allocation.require._name` names no node): the cluster goes red and /readyz
answers 503 naming the index; lifting the filter makes it green and ready again; a replica
that a single node cannot place makes it yellow, which is still ready."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from private_es import PrivateElasticsearch, unavailable
from private_redis import PrivateRedis, free_port

pytestmark = pytest.mark.integration

REQUIRE_NODE = "index.routing.allocation.require._name"


@pytest.fixture(scope="module")
def backends(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrivateElasticsearch, PrivateRedis]]:
    """The private node, and a private Redis beside it (readiness needs both up)."""
    why = unavailable()
    if why:
        pytest.fail(f"{why}: this test needs a private node (make test installs one)")
    broker = PrivateRedis(tmp_path_factory.mktemp("redis"))
    es_node = PrivateElasticsearch()
    try:
        broker.start()
        es_node.start()
        yield es_node, broker
    finally:
        es_node.remove()
        broker.stop()


@pytest.fixture(scope="module")
def es(backends: tuple[PrivateElasticsearch, PrivateRedis]) -> Iterator[Any]:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(backends[0].url, request_timeout=60)
    yield client
    client.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(
    backends: tuple[PrivateElasticsearch, PrivateRedis], settings: Any, api_settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app on the private node and Redis, served in-process."""
    from newsflow_api.main import create_app

    es_node, broker = backends
    app = create_app(
        settings.model_copy(update={"es_url": es_node.url, "redis_url": broker.url}), api_settings
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
            yield c


def _until_red(es: Any, indices: list[str], seconds: float = 60) -> None:
    """Until every one of `indices` is red: the allocator has tried and failed to place its
    primary (a new index is yellow until then)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = es.cat.indices(index=",".join(indices), health="red", h="index", format="json")
        if len(rows) == len(indices):
            return
        assert time.monotonic() < deadline, f"not all red after {seconds} s: {rows}"
        time.sleep(0.5)


async def _readyz_until(
    client: httpx.AsyncClient, status: int, seconds: float = 60
) -> httpx.Response:
    """/readyz once it answers `status`, or its last answer after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        r = await client.get("/readyz")
        if r.status_code == status or time.monotonic() > deadline:
            return r
        await asyncio.sleep(0.5)


async def test_readyz_is_503_while_a_primary_is_unassigned(
    client: httpx.AsyncClient, es: Any, settings: Any
) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text  # the node is green to begin with
    index = f"{settings.index_prefix}articles-v1-2020-01"  # a partition the API reads
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0, REQUIRE_NODE: "no-such-node"},
        wait_for_active_shards="0",
    )
    try:
        _until_red(es, [index])
        r = await client.get("/readyz")
        assert r.status_code == 503, r.text
        assert r.json() == {
            "status": "unavailable",
            "elasticsearch": f"down: red, 1 primaries unassigned in {index}",
            "redis": "ok",
        }
        assert es.cluster.health()["status"] == "red"

        es.indices.put_settings(index=index, settings={REQUIRE_NODE: None})
        es.cluster.health(index=index, wait_for_status="green", timeout="60s")
        r = await _readyz_until(client, 200)
        assert r.status_code == 200 and r.json()["elasticsearch"] == "ok", r.text

        # Yellow: every primary assigned, a replica with nowhere to go (one node only).
        es.indices.put_settings(index=index, settings={"number_of_replicas": 1})
        health = es.cluster.health()
        assert health["status"] == "yellow", health
        assert health["unassigned_primary_shards"] == 0 and health["unassigned_shards"] >= 1
        r = await client.get("/readyz")
        assert r.status_code == 200 and r.json()["elasticsearch"] == "ok", r.text
    finally:
        es.indices.delete(index=index)


async def test_readyz_names_at_most_three_red_indices(
    client: httpx.AsyncClient, es: Any, settings: Any
) -> None:
    red = [f"{settings.index_prefix}events-v1-2020-0{m}" for m in range(1, 6)]
    for index in red:
        es.indices.create(
            index=index,
            settings={"number_of_shards": 1, "number_of_replicas": 0, REQUIRE_NODE: "none"},
            wait_for_active_shards="0",
        )
    try:
        _until_red(es, red)
        r = await client.get("/readyz")
        assert r.status_code == 503, r.text
        reason = r.json()["elasticsearch"]
        assert reason == f"down: red, 5 primaries unassigned in {', '.join(red[:3])} and 2 more"
    finally:
        es.indices.delete(index=",".join(red))
    r = await _readyz_until(client, 200)
    assert r.status_code == 200, r.text


async def test_readyz_asks_the_cluster_not_one_dead_node(
    backends: tuple[PrivateElasticsearch, PrivateRedis], settings: Any, api_settings: Any
) -> None:
    """A cluster that lost a node is yellow, and ready: the probe tries each listed node
    once, so the dead node the client keeps trying again (after a backoff of 1, 2, 4 s...)
    never makes /readyz say 503 (it did, 2 times in 20, in `make compose-cluster-test`)."""
    from newsflow_api.main import create_app

    es_node, broker = backends
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    app = create_app(
        settings.model_copy(update={"es_url": f"{dead},{es_node.url}", "redis_url": broker.url}),
        api_settings,
    )
    answers: list[int] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
            for _ in range(25):  # 7.5 s: the dead node is tried again at 1, 3 and 7 s
                answers.append((await c.get("/readyz")).status_code)
                await asyncio.sleep(0.3)
    assert answers == [200] * 25, answers

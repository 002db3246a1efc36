"""GET /healthz (process up), GET /readyz (Elasticsearch and Redis reachable), GET /metrics."""

from __future__ import annotations

import asyncio
import contextlib

from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.concurrency import run_in_threadpool

from newsflow_api.deps import State, json_response
from newsflow_api.metrics import source_metrics
from newsflow_api.schemas.ops import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Response:
    return json_response(Health())


# A red cluster's reason names at most this many of its red indices.
RED_NAMED = 3


def _probe(state: State) -> AsyncElasticsearch:
    """The client for a readiness probe: a short timeout, and each node tried at most once.
    The cluster's health is asked, not one node's: a dead node (which the client keeps
    trying again after a backoff) must not make a yellow cluster look down."""
    return state.es.options(
        request_timeout=state.api.probe_timeout, max_retries=len(state.settings.es_hosts) - 1
    )


async def _red_indices(state: State) -> str:
    """` in <index>, ...`: the red indices, for the reason; empty if they cannot be listed."""
    try:
        health = await _probe(state).cluster.health(level="indices", filter_path="indices.*.status")
    except (TransportError, ApiError):
        return ""
    red = sorted(i for i, h in health.get("indices", {}).items() if h["status"] == "red")
    if not red:
        return ""
    more = f" and {len(red) - RED_NAMED} more" if len(red) > RED_NAMED else ""
    return f" in {', '.join(red[:RED_NAMED])}{more}"


async def _es_status(state: State) -> str:
    try:
        # `cluster.health` rather than ping: the local stripped build refuses GET /.
        health = await _probe(state).cluster.health()
    except (TransportError, ApiError) as exc:
        return f"down: {type(exc).__name__}"
    # Ready means yellow or better: every primary shard assigned (a replica may be missing).
    if health.get("status") == "red":
        unassigned = health.get("unassigned_primary_shards", "?")
        return f"down: red, {unassigned} primaries unassigned{await _red_indices(state)}"
    return "ok"


async def _ping(state: State) -> None:
    await state.redis.ping()  # type: ignore[misc]  # redis-py types ping() as sync-or-async


async def _redis_status(state: State) -> str:
    try:
        await asyncio.wait_for(_ping(state), timeout=state.api.probe_timeout)
    except (RedisError, OSError, TimeoutError) as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a backend is down (named in the body)"}},
    summary="Readiness",
)
async def readyz(state: State) -> Response:
    es, redis = await asyncio.gather(_es_status(state), _redis_status(state))
    ok = es == "ok" and redis == "ok"
    body = Readiness(status="ok" if ok else "unavailable", elasticsearch=es, redis=redis)
    return json_response(body, 200 if ok else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(request: Request, state: State) -> Response:
    body = generate_latest(request.app.state.metrics.registry)
    # the request metrics are still worth serving without Redis
    with contextlib.suppress(RedisError):
        body += await run_in_threadpool(lambda: source_metrics(state.runtime.sources.all()))
    return Response(body, media_type=CONTENT_TYPE_LATEST)

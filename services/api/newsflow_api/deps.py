"""Per-process state built in the lifespan, and the dependency aliases routes declare."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from redis.asyncio import Redis as AsyncRedis

from newsflow_api.coalesce import Coalescer
from newsflow_api.lemmatiser import Lemmatiser
from newsflow_api.query.clauses import ParamError
from newsflow_api.reader import QueryReader
from newsflow_api.settings import ApiSettings
from newsflow_shared.es import make_async_es
from newsflow_shared.indices import names
from newsflow_shared.runtime import Runtime
from newsflow_shared.settings import Settings


def make_es_client(settings: Settings, api: ApiSettings) -> AsyncElasticsearch:
    """The API's one async Elasticsearch client."""
    return make_async_es(
        settings,
        node_class=api.es_node_class,
        max_retries=2,
        # Keep-alive connections for the concurrent requests of one process.
        connections_per_node=32,
    )


@dataclass
class ApiState:
    """Everything a request handler may use; one per app, created in the lifespan."""

    settings: Settings
    api: ApiSettings
    es: AsyncElasticsearch
    redis: AsyncRedis
    lemmatise: Lemmatiser
    runtime: Runtime
    # Fire-and-forget work (closing finished PITs); referenced so it is not collected.
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # Concurrent identical first-page searches share one request (`coalesce.py`).
    searches: Coalescer = field(default_factory=Coalescer)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run `coro` detached from the request; awaited at shutdown."""
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait for detached work (at shutdown, before the clients close)."""
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    @property
    def articles_index(self) -> str:
        return names("articles", self.settings.index_prefix).read

    @property
    def events_index(self) -> str:
        return names("events", self.settings.index_prefix).read


async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]


def known_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares (the fields of a query model included)."""
    known = _KNOWN.get(route.unique_id)
    if known is None:
        known = _KNOWN[route.unique_id] = frozenset(_declared(route.dependant))
    return known


_KNOWN: dict[str, frozenset[str]] = {}  # by route id: routes are declared once per process


def _declared(dependant: Dependant) -> list[str]:
    names: list[str] = []
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.extend(info.alias or name for name, info in model.model_fields.items())
        else:
            names.append(param.alias)
    for sub in dependant.dependencies:
        if isinstance(sub.call, QueryReader):
            names.extend(sub.call.model.model_fields)
        else:
            names.extend(_declared(sub))
    return names


async def no_unknown_parameters(request: Request) -> None:
    """Refuse (400) a query parameter the route does not declare: a misspelt filter would
    otherwise be ignored and the answer look right."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return  # pages (the explorer) keep their own state in the query string
    known = known_query_parameters(route)
    for name in request.query_params:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise ParamError(name, f"unknown parameter; the known ones are: {listed}", 400)


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise a validated response model once, with pydantic's Rust encoder."""
    return Response(
        model.model_dump_json(exclude_none=False),
        status_code=status_code,
        media_type="application/json",
    )

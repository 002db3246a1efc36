"""GET /actors (lookup by name or alias) and GET /actors/{actor_id} (profile)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.errors import error
from newsflow_api.query.actors import actor_lookup_body, actor_profile_bodies
from newsflow_api.routes.common import day_of
from newsflow_api.schemas.actors import (
    ActorProfile,
    ActorsResponse,
    ActorSummary,
    ArticleBrief,
    CoActor,
    MentionBucket,
)
from newsflow_api.schemas.base import Bucket, ErrorBody
from newsflow_shared.messages import ActorType

router = APIRouter(tags=["actors"])


def _first(agg: Mapping[str, Any]) -> str | None:
    b = agg.get("buckets") or []
    return str(b[0]["key"]) if b else None


def _keys(agg: Mapping[str, Any]) -> list[str]:
    return [str(b["key"]) for b in agg.get("buckets") or []]


@router.get(
    "/actors",
    response_model=ActorsResponse,
    responses={
        422: {"model": ErrorBody, "description": "invalid parameter"},
        503: {"model": ErrorBody, "description": "Elasticsearch unavailable"},
    },
    summary="Look up actors",
    description="Actors whose id, name or alias matches `q` (word prefixes match, so `zelen` "
    "finds Zelensky), most mentioned first; without `q`, the most mentioned actors.",
)
async def lookup_actors(
    state: State,
    q: Annotated[str | None, Query(max_length=200, examples=["putin"])] = None,
    type: Annotated[list[ActorType] | None, Query(description="actor type(s)")] = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    types = sorted({t.value for t in type or []})
    resp = await state.es.search(index=state.articles_index, body=actor_lookup_body(q, types, size))
    out = []
    for b in resp["aggregations"]["actors"]["matching"]["ids"]["buckets"]:
        out.append(
            ActorSummary(
                id=b["key"],
                name=_first(b["name"]) or b["key"],
                type=_first(b["type"]),
                country=_first(b["country"]),
                sector=_first(b["sector"]),
                aliases=_keys(b["aliases"]),
                articles=int(b["doc_count"]),
                mentions=int(b["mentions"]["value"]),
                actor_url=f"/actors/{b['key']}",
            )
        )
    return json_response(ActorsResponse(actors=out))


@router.get(
    "/actors/{actor_id}",
    response_model=ActorProfile,
    responses={
        404: {"model": ErrorBody, "description": "no article mentions this actor"},
        503: {"model": ErrorBody, "description": "Elasticsearch unavailable"},
    },
    summary="Actor profile",
    description="Names, aliases, type, country and sector; articles and mentions per month; "
    "the actors most often in the same articles; counted events as source and as target by "
    "type; latest articles.",
)
async def actor_profile(
    state: State,
    actor_id: Annotated[str, Path(min_length=1, max_length=200, examples=["country:RUS"])],
    latest: Annotated[int, Query(ge=0, le=100, description="latest articles to list")] = 10,
    co_actors: Annotated[int, Query(ge=1, le=100, description="co-occurring actors to list")] = 20,
) -> Response:
    art_body, ev_body = actor_profile_bodies(actor_id, latest=latest, co_actors=co_actors)
    arts, evs = await asyncio.gather(
        state.es.search(index=state.articles_index, body=art_body),
        state.es.search(index=state.events_index, body=ev_body),
    )
    n = int(arts["hits"]["total"]["value"])
    if n == 0:
        return error(404, f"no article mentions actor {actor_id!r}", "actor_id")
    aggs = arts["aggregations"]
    this = aggs["actor"]["this"]
    names = _keys(this["names"])
    profile = ActorProfile(
        id=actor_id,
        name=names[0] if names else actor_id,
        names=names,
        aliases=_keys(this["aliases"]),
        roles=_keys(this["roles"]),
        type=_first(this["type"]),
        country=_first(this["country"]),
        sector=_first(this["sector"]),
        articles=n,
        mentions=int(this["mentions"]["value"]),
        mentions_over_time=[
            MentionBucket(
                date=day_of(b["key"]),
                articles=int(b["doc_count"]),
                mentions=int(b["actor"]["this"]["mentions"]["value"]),
            )
            for b in aggs["over_time"]["buckets"]
        ],
        co_actors=[
            CoActor(
                id=b["key"],
                name=_first(b["name"]),
                type=_first(b["type"]),
                articles=int(b["doc_count"]),
                actor_url=f"/actors/{b['key']}",
            )
            for b in aggs["actor"]["others"]["ids"]["buckets"]
        ],
        events_as_source=[
            Bucket(value=b["key"], count=b["doc_count"])
            for b in evs["aggregations"]["as_source"]["types"]["buckets"]
        ],
        events_as_target=[
            Bucket(value=b["key"], count=b["doc_count"])
            for b in evs["aggregations"]["as_target"]["types"]["buckets"]
        ],
        latest_articles=[
            ArticleBrief(
                id=h["_id"],
                title=h["_source"].get("title") or "",
                site=h["_source"].get("site"),
                published=h["_source"].get("published"),
                article_url=f"/articles/{h['_id']}",
            )
            for h in arts["hits"]["hits"]
        ],
    )
    return json_response(profile)

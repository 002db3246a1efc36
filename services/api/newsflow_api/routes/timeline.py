"""GET /timeline: article or event counts per day/week/month for any query and filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.query.bodies import ARTICLES, EVENTS, timeline_body
from newsflow_api.query.clauses import ParamError
from newsflow_api.query.filters import foreign_filters, plan_for
from newsflow_api.query.params import TimelineParams
from newsflow_api.query.syntax import parse_user_query
from newsflow_api.reader import QueryReader, query_parameters
from newsflow_api.routes.common import date_buckets, total_of
from newsflow_api.routes.search import ERRORS
from newsflow_api.schemas.search import TimelineResponse

router = APIRouter(tags=["timeline"])


@router.get(
    "/timeline",
    response_model=TimelineResponse,
    responses=ERRORS,
    openapi_extra=query_parameters(TimelineParams),
    summary="Counts over time",
    description=(
        "Articles (by published date) or events (by event date) per interval, for the same "
        "query and filters as /search or /events. Filters of the other endpoint are refused."
    ),
)
async def timeline(
    state: State, params: Annotated[TimelineParams, Depends(QueryReader(TimelineParams))]
) -> Response:
    parsed = parse_user_query(params.q)
    kind, index = (
        (ARTICLES, state.articles_index)
        if params.of == "articles"
        else (EVENTS, state.events_index)
    )
    foreign = [n for n in foreign_filters(TimelineParams, kind.scope) if getattr(params, n)]
    if foreign:
        other = "search" if params.of == "articles" else "events"
        raise ParamError(foreign[0], f"not a filter of {params.of} (see /{other})")
    plan = plan_for(params, kind.scope)
    body = timeline_body(kind, parsed, plan, state.lemmatise, params.interval)
    resp = await state.es.search(index=index, body=body)
    total, _ = total_of(resp)
    return json_response(
        TimelineResponse(
            of=params.of,
            interval=params.interval,
            total=total,
            buckets=date_buckets(resp["aggregations"], "timeline"),
        )
    )

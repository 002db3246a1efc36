"""GET /timeline: article or event counts per day/week/month for any query and filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.query import (
    ARTICLE_TEXT,
    EVENT_TEXT,
    EventConstraints,
    ParamError,
    article_filter_plan,
    event_filter_plan,
    parse_user_query,
    timeline_body,
)
from newsflow_api.routes.common import date_buckets, total_of
from newsflow_api.routes.params import (
    ArticleOnly,
    Common,
    EventOnly,
    QParam,
    article_only,
    common,
    event_constraints,
    event_only,
    to_article_filters,
    to_event_filters,
)
from newsflow_api.routes.search import ERRORS
from newsflow_api.schemas import TimelineResponse

router = APIRouter(tags=["timeline"])


@router.get(
    "/timeline",
    response_model=TimelineResponse,
    responses=ERRORS,
    summary="Counts over time",
    description=(
        "Articles (by published date) or events (by event date) per interval, for the same "
        "query and filters as /search or /events. Filters of the other endpoint are refused."
    ),
)
async def timeline(
    state: State,
    of: Annotated[Literal["articles", "events"], Query(description="what to count")] = "articles",
    interval: Annotated[
        Literal["day", "week", "month"], Query(description="bucket size")
    ] = "month",
    q: QParam = None,
    ev: EventConstraints = Depends(event_constraints),  # noqa: B008 - FastAPI dependency
    c: Common = Depends(common),  # noqa: B008
    a: ArticleOnly = Depends(article_only),  # noqa: B008
    e: EventOnly = Depends(event_only),  # noqa: B008
) -> Response:
    parsed = parse_user_query(q)
    foreign = a.given() if of == "events" else e.given()
    if foreign:
        raise ParamError(
            foreign[0], f"not a filter of {of} (see /{'search' if of == 'articles' else 'events'})"
        )
    if of == "articles":
        plan, tf, index, field = (
            article_filter_plan(to_article_filters(ev, c, a)),
            ARTICLE_TEXT,
            state.articles_index,
            "published",
        )
    else:
        plan, tf, index, field = (
            event_filter_plan(to_event_filters(ev, c, e)),
            EVENT_TEXT,
            state.events_index,
            "date",
        )
    body = timeline_body(parsed, plan, tf, state.lemmatise, field, interval)
    resp = await state.es.search(index=index, body=body)
    total, _ = total_of(resp)
    return json_response(
        TimelineResponse(
            of=of,
            interval=interval,
            total=total,
            buckets=date_buckets(resp["aggregations"], "timeline"),
        )
    )

"""GET /events: event-level search over evidence sentences, with facets; hits link to articles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from newsflow_api.deps import ApiState, State, get_state, json_response
from newsflow_api.query import EventFilters, Page, ParamError, event_search_body, parse_user_query
from newsflow_api.routes import fastpath as fp
from newsflow_api.routes.common import buckets, date_buckets, paged_search, total_of
from newsflow_api.routes.params import (
    Q_MAX,
    Paging,
    QParam,
    event_filters,
    fast_event_filters,
    fast_paging,
    paging,
    result_set_hash,
)
from newsflow_api.routes.search import ERRORS
from newsflow_api.schemas import EventFacets, EventHit, EventsResponse

router = APIRouter(tags=["events"], route_class=fp.FastPathRoute)


def event_hit(hit: dict[str, Any]) -> EventHit:
    src = hit["_source"]
    hl = (hit.get("highlight") or {}).get("sentence")
    return EventHit(
        id=hit["_id"],
        type=src["type"],
        mode=src.get("mode"),
        source_actors=src.get("source_actors") or [],
        target_actors=src.get("target_actors") or [],
        source_names=src.get("source_names") or [],
        target_names=src.get("target_names") or [],
        source_countries=src.get("source_countries") or [],
        target_countries=src.get("target_countries") or [],
        reported_by=src.get("reported_by") or [],
        trigger=src.get("trigger"),
        sentence=src.get("sentence") or "",
        highlight=hl[0] if hl else None,
        date=src.get("date"),
        date_granularity=src.get("date_granularity"),
        date_text=src.get("date_text"),
        location=src.get("location"),
        confidence=src.get("confidence"),
        negated=bool(src.get("negated")),
        hypothetical=bool(src.get("hypothetical")),
        future=bool(src.get("future")),
        score=hit.get("_score"),
        article_id=src["article_id"],
        article_url=f"/articles/{src['article_id']}",
        title=src.get("title"),
        url=src.get("url"),
        site=src.get("site"),
        language=src.get("language"),
        published=src.get("published"),
    )


async def events_fast(request: Request) -> Response | None:
    """The strictly parsed common case (see `fastpath`); None lets FastAPI validate."""
    qp = request.query_params
    state = await get_state(request)
    try:
        filters = await fast_event_filters(qp)
        paging_ = await fast_paging(state, qp)
        q = fp.text(qp, "q", Q_MAX)
    except (fp.Unsure, ParamError):
        return None
    return await run_events(state, q, filters, paging_)


async def run_events(
    state: ApiState, q: str | None, filters: EventFilters, paging_: Paging
) -> Response:
    parsed = parse_user_query(q)
    page = paging_.page
    qhash = result_set_hash("events", q, filters, page.sort)

    def build(p: Page, pit: str, after: list[Any] | None) -> dict[str, Any]:
        return event_search_body(
            parsed,
            filters,
            p,
            state.lemmatise,
            irregular=state.lemmatise.irregular,
            pit=pit,
            search_after=after,
            keep_alive=state.api.cursor_keep_alive,
        )

    res = await paged_search(state, state.events_index, page, paging_.cursor, qhash, build)
    total, relation = total_of(res.response)
    aggs = res.response.get("aggregations")
    facets = None
    if aggs is not None:
        facets = EventFacets(
            types=buckets(aggs, "types"),
            source_countries=buckets(aggs, "source_countries", labels=True),
            target_countries=buckets(aggs, "target_countries", labels=True),
            source_actors=buckets(aggs, "source_actors"),
            target_actors=buckets(aggs, "target_actors"),
            months=date_buckets(aggs, "months"),
        )
    out = EventsResponse(
        total=total,
        total_relation="eq" if relation == "eq" else "gte",
        hits=[event_hit(h) for h in res.hits],
        facets=facets,
        next_cursor=res.next_cursor,
    )
    return json_response(out)


@router.get(
    "/events",
    response_model=EventsResponse,
    responses=ERRORS,
    summary="Search events",
    description=(
        "Coded events (one per evidence sentence). `q` searches the evidence sentences. "
        "Negated and hypothetical events are left out unless `include_negated` / "
        "`include_hypothetical`. Facets are multi-select; `months` buckets the event date. "
        "`sort=newest|oldest` orders by event date."
    ),
)
@fp.fast_path(events_fast)
async def events(
    state: State,
    q: QParam = None,
    filters: EventFilters = Depends(event_filters),  # noqa: B008 - FastAPI dependency
    paging_: Paging = Depends(paging),  # noqa: B008
) -> Response:
    return await run_events(state, q, filters, paging_)

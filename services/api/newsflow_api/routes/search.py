"""GET /search: full-text article search with filters, multi-select facets and a cursor."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from newsflow_api.deps import ApiState, State, get_state, json_response
from newsflow_api.query import (
    ArticleFilters,
    Interval,
    Page,
    ParamError,
    article_search_body,
    parse_user_query,
)
from newsflow_api.routes import fastpath as fp
from newsflow_api.routes.common import (
    INTERVALS,
    bucket_dicts,
    date_bucket_dicts,
    paged_search,
    total_of,
)
from newsflow_api.routes.params import (
    Q_MAX,
    Paging,
    QParam,
    article_filters,
    fast_article_filters,
    fast_paging,
    paging,
    result_set_hash,
)
from newsflow_api.schemas import ErrorBody, SearchResponse

router = APIRouter(tags=["search"], route_class=fp.FastPathRoute)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "malformed or foreign cursor"},
    410: {"model": ErrorBody, "description": "cursor expired"},
    422: {"model": ErrorBody, "description": "invalid parameter (named in the body)"},
    503: {"model": ErrorBody, "description": "Elasticsearch unavailable"},
}


def article_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """An `ArticleHit` as a dict: validated once, with the whole response, in pydantic-core."""
    src = hit["_source"]
    hl = hit.get("highlight") or {}
    title_hl = hl.get("title")
    return {
        "id": hit["_id"],
        "title": src.get("title") or "",
        "url": src.get("canonical_url") or src.get("url"),
        "site": src.get("site"),
        "site_name": src.get("site_name"),
        "published": src.get("published"),
        "language": src.get("language"),
        "authors": src.get("authors") or [],
        "description": src.get("description"),
        "persons": src.get("persons") or [],
        "organizations": src.get("organizations") or [],
        "countries": src.get("countries") or [],
        "locations": src.get("locations") or [],
        "groups": src.get("groups") or [],
        "event_types": src.get("event_types") or [],
        "score": hit.get("_score"),
        "highlights": {"title": title_hl[0] if title_hl else None, "text": hl.get("text") or []},
        "article_url": f"/articles/{hit['_id']}",
    }


async def run_search(
    state: ApiState, q: str | None, filters: ArticleFilters, paging_: Paging, interval: Interval
) -> Response:
    parsed = parse_user_query(q)
    page = replace(paging_.page, interval=interval)
    qhash = result_set_hash("search", q, filters, page.sort)

    def build(p: Page, pit: str, after: list[Any] | None) -> dict[str, Any]:
        return article_search_body(
            parsed,
            filters,
            p,
            state.lemmatise,
            irregular=state.lemmatise.irregular,
            pit=pit,
            search_after=after,
            keep_alive=state.api.cursor_keep_alive,
        )

    res = await paged_search(state, state.articles_index, page, paging_.cursor, qhash, build)
    total, relation = total_of(res.response)
    aggs = res.response.get("aggregations")
    facets = None
    if aggs is not None:
        facets = {
            "persons": bucket_dicts(aggs, "persons"),
            "organizations": bucket_dicts(aggs, "organizations"),
            "locations": bucket_dicts(aggs, "locations"),
            "groups": bucket_dicts(aggs, "groups"),
            "countries": bucket_dicts(aggs, "countries", labels=True),
            "event_types": bucket_dicts(aggs, "event_types"),
            "sites": bucket_dicts(aggs, "sites"),
            "languages": bucket_dicts(aggs, "languages"),
            "published": date_bucket_dicts(aggs, "published"),
        }
    out = SearchResponse.model_validate(
        {
            "total": total,
            "total_relation": "eq" if relation == "eq" else "gte",
            "hits": [article_hit(h) for h in res.hits],
            "facets": facets,
            "next_cursor": res.next_cursor,
        }
    )
    return json_response(out)


async def search_fast(request: Request) -> Response | None:
    """The strictly parsed common case (see `fastpath`); None lets FastAPI validate."""
    qp = request.query_params
    state = await get_state(request)
    try:
        filters = await fast_article_filters(qp)
        paging_ = await fast_paging(state, qp)
        q = fp.text(qp, "q", Q_MAX)
        interval = fp.choice(qp, "interval", INTERVALS, "month")
    except (fp.Unsure, ParamError):
        return None
    return await run_search(state, q, filters, paging_, interval)  # type: ignore[arg-type]


@router.get(
    "/search",
    response_model=SearchResponse,
    responses=ERRORS,
    summary="Search articles",
    description=(
        'Full-text search (words, "phrases", -exclude, OR; inflections match) with filters. '
        "Facets are multi-select: each facet's counts apply every filter except its own. "
        "Pass `next_cursor` back as `cursor` (with the same other parameters) for the next page."
    ),
)
@fp.fast_path(search_fast)
async def search(
    state: State,
    q: QParam = None,
    filters: ArticleFilters = Depends(article_filters),  # noqa: B008 - FastAPI dependency
    paging_: Paging = Depends(paging),  # noqa: B008
    interval: Annotated[
        Interval, Query(description="bucket size of the `published` facet")
    ] = "month",
) -> Response:
    return await run_search(state, q, filters, paging_, interval)

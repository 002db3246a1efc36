"""GET /search: full-text article search with filters, multi-select facets and a cursor."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.query import ArticleFilters, Interval, Page, article_search_body, parse_user_query
from newsflow_api.routes.common import buckets, date_buckets, paged_search, total_of
from newsflow_api.routes.params import Paging, QParam, article_filters, paging, result_set_hash
from newsflow_api.schemas import ArticleHit, ErrorBody, Highlights, SearchFacets, SearchResponse

router = APIRouter(tags=["search"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "malformed or foreign cursor"},
    410: {"model": ErrorBody, "description": "cursor expired"},
    422: {"model": ErrorBody, "description": "invalid parameter (named in the body)"},
    503: {"model": ErrorBody, "description": "Elasticsearch unavailable"},
}


def article_hit(hit: dict[str, Any]) -> ArticleHit:
    src = hit["_source"]
    hl = hit.get("highlight") or {}
    title_hl = hl.get("title")
    return ArticleHit(
        id=hit["_id"],
        title=src.get("title") or "",
        url=src.get("canonical_url") or src.get("url"),
        site=src.get("site"),
        site_name=src.get("site_name"),
        published=src.get("published"),
        language=src.get("language"),
        authors=src.get("authors") or [],
        description=src.get("description"),
        persons=src.get("persons") or [],
        organizations=src.get("organizations") or [],
        countries=src.get("countries") or [],
        locations=src.get("locations") or [],
        groups=src.get("groups") or [],
        event_types=src.get("event_types") or [],
        score=hit.get("_score"),
        highlights=Highlights(title=title_hl[0] if title_hl else None, text=hl.get("text") or []),
        article_url=f"/articles/{hit['_id']}",
    )


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
async def search(
    state: State,
    q: QParam = None,
    filters: ArticleFilters = Depends(article_filters),  # noqa: B008 - FastAPI dependency
    paging_: Paging = Depends(paging),  # noqa: B008
    interval: Annotated[
        Interval, Query(description="bucket size of the `published` facet")
    ] = "month",
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
        facets = SearchFacets(
            persons=buckets(aggs, "persons"),
            organizations=buckets(aggs, "organizations"),
            locations=buckets(aggs, "locations"),
            groups=buckets(aggs, "groups"),
            countries=buckets(aggs, "countries", labels=True),
            event_types=buckets(aggs, "event_types"),
            sites=buckets(aggs, "sites"),
            languages=buckets(aggs, "languages"),
            published=date_buckets(aggs, "published"),
        )
    out = SearchResponse(
        total=total,
        total_relation="eq" if relation == "eq" else "gte",
        hits=[article_hit(h) for h in res.hits],
        facets=facets,
        next_cursor=res.next_cursor,
    )
    return json_response(out)

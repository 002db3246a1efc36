"""GET /search: full-text article search with filters, multi-select facets and a cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.query.bodies import ARTICLES
from newsflow_api.query.params import SearchParams
from newsflow_api.reader import QueryReader, query_parameters
from newsflow_api.routes.common import run_list
from newsflow_api.schemas.base import ErrorBody
from newsflow_api.schemas.search import SearchResponse

router = APIRouter(tags=["search"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "unknown parameter; malformed or foreign cursor"},
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


@router.get(
    "/search",
    response_model=SearchResponse,
    responses=ERRORS,
    openapi_extra=query_parameters(SearchParams),
    summary="Search articles",
    description=(
        'Full-text search (words, "phrases", -exclude, OR; inflections match) with filters. '
        "Facets are multi-select: each facet's counts apply every filter except its own. "
        "Pass `next_cursor` back as `cursor` (with the same other parameters) for the next page."
    ),
)
async def search(
    state: State, params: Annotated[SearchParams, Depends(QueryReader(SearchParams))]
) -> Response:
    res = await run_list(state, state.articles_index, ARTICLES, params, params.interval)
    res.hits = [article_hit(h) for h in res.hits]
    return json_response(SearchResponse.model_validate(res.fields()))

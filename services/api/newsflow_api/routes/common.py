"""The list endpoints' shared runner: parameters to one page over a point in time (with a
cursor), facets shaped from the aggregations."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pycountry
from elasticsearch import ApiError, BadRequestError, NotFoundError

from newsflow_api.deps import ApiState
from newsflow_api.errors import es_error_type
from newsflow_api.query.bodies import Page, SearchKind, facet_buckets, search_body
from newsflow_api.query.clauses import Interval, ParamError
from newsflow_api.query.cursor import Cursor, decode_cursor, encode_cursor, query_hash
from newsflow_api.query.filters import filter_values, plan_for
from newsflow_api.query.params import PageParams
from newsflow_api.query.syntax import parse_user_query
from newsflow_api.schemas.base import DateBucket

BodyFn = Callable[[Page, str | None, list[Any] | None], dict[str, Any]]


@dataclass
class PagedResult:
    response: Mapping[str, Any]
    hits: list[dict[str, Any]]
    next_cursor: str | None


async def _close_pit(state: ApiState, pit: str) -> None:
    with contextlib.suppress(ApiError):  # already expired: nothing to free
        await state.es.close_point_in_time(id=pit)


async def paged_search(
    state: ApiState, index: str, page: Page, cursor: str | None, qhash: str, build: BodyFn
) -> PagedResult:
    """One page; the cursor carries the last sort values and, from the second page on, the
    point in time the later pages are read from.

    The first page is searched in the index itself: most searches never ask for a second
    page, so opening (and closing) a point in time for each would cost Elasticsearch two
    more requests. One hit more than asked is fetched, so `next_cursor` is null exactly on
    the last page (whose PIT, if any, is then closed in the background).
    """
    pit: str | None = None
    after: list[Any] | None = None
    if cursor is not None:
        c = decode_cursor(cursor, sort=page.sort, qhash=qhash)
        pit, after = c.pit, c.after
        if pit is None:  # the second page: later pages read from the same snapshot
            opened = await state.es.open_point_in_time(
                index=index, keep_alive=state.api.cursor_keep_alive
            )
            pit = opened["id"]
    body = build(replace(page, size=page.size + 1), pit, after)
    try:
        if pit is not None:  # with a point in time the body names the indices
            resp = await state.es.search(body=body)
        else:  # a first page: the same search asked concurrently runs once
            resp = await state.searches.search(state.es, index, body)
    except NotFoundError as exc:
        # An expired PIT: 404 `search_phase_execution_exception` (cause: search_context_missing).
        if cursor is not None and es_error_type(exc) != "index_not_found_exception":
            raise ParamError(
                "cursor", "cursor expired: search again without a cursor", 410
            ) from exc
        raise
    except BadRequestError as exc:
        if cursor is not None:
            raise ParamError(
                "cursor", "cursor not accepted: pass back next_cursor unchanged", 400
            ) from exc
        raise
    hits: list[dict[str, Any]] = resp["hits"]["hits"]
    new_pit = resp.get("pit_id", pit)
    next_cursor = None
    if len(hits) > page.size:
        hits = hits[: page.size]
        next_cursor = encode_cursor(Cursor(new_pit, hits[-1]["sort"], page.sort, qhash))
    elif new_pit is not None:
        # Last page: free the PIT without making this response (or the next one on the
        # same keep-alive connection, as a Starlette background task would) wait for it.
        state.spawn(_close_pit(state, new_pit))
    return PagedResult(resp.body, hits, next_cursor)


def page_of(state: ApiState, params: PageParams, interval: Interval = "month") -> Page:
    """Page size, sort and facets; size and facet_size bounded by the settings."""
    n = params.size if params.size is not None else state.api.default_page_size
    if n > state.api.max_page_size:
        raise ParamError("size", f"must be at most {state.api.max_page_size}")
    if params.facet_size > state.api.max_facet_size:
        raise ParamError("facet_size", f"must be at most {state.api.max_facet_size}")
    return Page(
        size=n,
        sort=params.sort,
        facet_size=params.facet_size,
        interval=interval,
        facets=params.facets,
    )


def result_set_hash(kind: SearchKind, params: PageParams) -> str:
    """What a cursor is bound to: the endpoint, query, filters and sort (not the page size)."""
    return query_hash(
        {
            "endpoint": kind.scope,
            "q": (params.q or "").strip(),
            "filters": filter_values(params),
            "sort": params.sort,
        }
    )


@dataclass
class ListResult:
    """A page of hits with its total and facets, as the response models take them."""

    total: int
    total_relation: str
    hits: list[dict[str, Any]]
    facets: dict[str, Any] | None
    next_cursor: str | None

    def fields(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "total_relation": self.total_relation,
            "hits": self.hits,
            "facets": self.facets,
            "next_cursor": self.next_cursor,
        }


async def run_list(
    state: ApiState, index: str, kind: SearchKind, params: PageParams, interval: Interval = "month"
) -> ListResult:
    """One page of an article or event search: body, point in time, cursor and facets."""
    parsed = parse_user_query(params.q)
    plan = plan_for(params, kind.scope)
    page = page_of(state, params, interval)

    def build(p: Page, pit: str | None, after: list[Any] | None) -> dict[str, Any]:
        return search_body(
            kind,
            parsed,
            plan,
            p,
            state.lemmatise,
            irregular=state.lemmatise.irregular,
            pit=pit,
            search_after=after,
            keep_alive=state.api.cursor_keep_alive,
        )

    qhash = result_set_hash(kind, params)
    res = await paged_search(state, index, page, params.cursor, qhash, build)
    total, relation = total_of(res.response)
    aggs = res.response.get("aggregations")
    return ListResult(
        total=total,
        total_relation="eq" if relation == "eq" else "gte",
        hits=res.hits,
        facets=None if aggs is None else facets_of(kind, aggs),
        next_cursor=res.next_cursor,
    )


def facets_of(kind: SearchKind, aggs: Mapping[str, Any]) -> dict[str, Any]:
    """Every facet of `kind` as bucket dicts (validated with the whole response)."""
    out: dict[str, Any] = {
        f.name: bucket_dicts(aggs, f.name, labels=f.countries) for f in kind.facets
    }
    out[kind.date_facet] = date_bucket_dicts(aggs, kind.date_facet)
    return out


@cache
def country_label(code: str) -> str | None:
    """The English short name of an ISO 3166 alpha-3 code, when pycountry knows it."""
    found = pycountry.countries.get(alpha_3=code)
    return str(found.name) if found is not None else None


def bucket_dicts(aggs: Mapping[str, Any], name: str, labels: bool = False) -> list[dict[str, Any]]:
    """`buckets` as dicts, for validation with the whole response."""
    return [
        {
            "value": str(b["key"]),
            "count": int(b["doc_count"]),
            "label": country_label(str(b["key"])) if labels else None,
        }
        for b in facet_buckets(aggs, name)
    ]


def date_bucket_dicts(aggs: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    return [
        {"date": day_of(b["key"]), "count": int(b["doc_count"])} for b in facet_buckets(aggs, name)
    ]


def date_buckets(aggs: Mapping[str, Any], name: str) -> list[DateBucket]:
    return [
        DateBucket(date=day_of(b["key"]), count=int(b["doc_count"]))
        for b in facet_buckets(aggs, name)
    ]


def day_of(epoch_millis: int) -> date:
    """The UTC calendar day of a histogram key."""
    return datetime.fromtimestamp(epoch_millis / 1000, tz=UTC).date()


def total_of(resp: Any) -> tuple[int, str]:
    total = resp["hits"]["total"]
    return int(total["value"]), str(total.get("relation", "eq"))

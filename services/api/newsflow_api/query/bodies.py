"""Elasticsearch request bodies of the list endpoints: one builder for article and event
searches, each described by a `SearchKind` (fields, facets, sort field, source), and the
timeline's counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from newsflow_api.query.clauses import Clause, Interval, Lemmatise, Sort
from newsflow_api.query.filters import FilterPlan, Scope
from newsflow_api.query.syntax import (
    ARTICLE_TEXT,
    EVENT_TEXT,
    ParsedQuery,
    TextFields,
    highlight_query,
    text_query,
)
from newsflow_api.schemas.search import DateFacet, EventFacets, SearchFacets, TermsFacet

HIGHLIGHT_TAGS = ("<mark>", "</mark>")
# Elasticsearch refuses (400, the whole search) to highlight a field longer than its
# `index.highlight.max_analyzed_offset` (1,000,000 chars) unless the request sets this: a
# 3 MB article would fail every search it matches. Text past it is not highlighted.
HIGHLIGHT_MAX_CHARS = 1_000_000


@dataclass(frozen=True)
class Facet:
    """A terms facet: its name in the response, the field it counts, whether values are
    ISO country codes (labelled with the country's name)."""

    name: str
    field: str
    countries: bool = False


def terms_facets(model: type[BaseModel]) -> tuple[Facet, ...]:
    """The terms facets a response's facet model declares (`TermsFacet`), in field order."""
    return tuple(
        Facet(name, meta.field, meta.countries)
        for name, info in model.model_fields.items()
        for meta in info.metadata
        if isinstance(meta, TermsFacet)
    )


def date_facet(model: type[BaseModel]) -> str:
    """The name of the date histogram facet of a facet model (`DateFacet`)."""
    (name,) = (
        n
        for n, info in model.model_fields.items()
        if any(isinstance(m, DateFacet) for m in info.metadata)
    )
    return name


@dataclass(frozen=True)
class SearchKind:
    """What differs between the article and the event search."""

    scope: Scope
    text: TextFields
    facets: tuple[Facet, ...]
    date_facet: str  # name of the date histogram facet; it counts `sort_field`
    sort_field: str
    id_field: str  # unique per document: the sort's tiebreaker
    source: tuple[str, ...]
    whole_fields: tuple[str, ...]  # highlighted whole, not in fragments


ARTICLES = SearchKind(
    scope="articles",
    text=ARTICLE_TEXT,
    facets=terms_facets(SearchFacets),
    date_facet=date_facet(SearchFacets),
    sort_field="published",
    id_field="doc_id",
    source=(
        "doc_id",
        "title",
        "url",
        "canonical_url",
        "site",
        "site_name",
        "published",
        "language",
        "authors",
        "description",
        "persons",
        "organizations",
        "countries",
        "locations",
        "groups",
        "event_types",
    ),
    whole_fields=("title",),
)
EVENTS = SearchKind(
    scope="events",
    text=EVENT_TEXT,
    facets=terms_facets(EventFacets),
    date_facet=date_facet(EventFacets),
    sort_field="date",
    id_field="id",
    source=(
        "id",
        "type",
        "mode",
        "source_actors",
        "target_actors",
        "source_names",
        "target_names",
        "source_countries",
        "target_countries",
        "reported_by",
        "trigger",
        "sentence",
        "date",
        "date_granularity",
        "date_text",
        "location",
        "confidence",
        "negated",
        "hypothetical",
        "future",
        "article_id",
        "title",
        "url",
        "site",
        "language",
        "published",
    ),
    whole_fields=("sentence",),
)


@dataclass(frozen=True)
class Page:
    """Pagination and presentation options shared by the list endpoints."""

    size: int = 20
    sort: Sort = "relevance"
    facet_size: int = 10
    interval: Interval = "month"
    facets: bool = True


def calendar_histogram(field_: str, interval: Interval) -> Clause:
    return {"date_histogram": {"field": field_, "calendar_interval": interval, "min_doc_count": 1}}


def facet_aggs(
    kind: SearchKind, plan: FilterPlan, size: int, interval: Interval
) -> dict[str, Clause]:
    """One aggregation per facet, each under every filter except its own."""
    inner: dict[str, Clause] = {
        f.name: {"terms": {"field": f.field, "size": size}} for f in kind.facets
    }
    inner[kind.date_facet] = calendar_histogram(kind.sort_field, interval)
    aggs: dict[str, Clause] = {}
    for name, agg in inner.items():
        filters = plan.facet_filters(name)
        if filters:
            aggs[name] = {"filter": {"bool": {"filter": filters}}, "aggs": {"values": agg}}
        else:
            aggs[name] = agg
    return aggs


def facet_buckets(aggs: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The buckets of a facet built by `facet_aggs` (filtered or not)."""
    agg = aggs.get(name) or {}
    if "values" in agg:
        agg = agg["values"]
    buckets: list[dict[str, Any]] = agg.get("buckets", [])
    return buckets


def sort_clause(sort: Sort, date_field: str, id_field: str) -> list[Any]:
    """Sort with a unique tiebreaker, so search_after pages neither repeat nor skip, with or
    without a point in time (the first page has none, later ones have)."""
    primary: list[Any]
    if sort == "relevance":
        primary = [{"_score": "desc"}, {date_field: {"order": "desc", "missing": "_last"}}]
    else:
        order = "desc" if sort == "newest" else "asc"
        primary = [{date_field: {"order": order, "missing": "_last"}}]
    return [*primary, {id_field: "asc"}]


def _highlight(tf: TextFields, hq: Clause, whole: Sequence[str]) -> Clause:
    spec: dict[str, Clause] = {}
    for f in tf.highlight:
        spec[f] = (
            {"number_of_fragments": 0}
            if f in whole
            else {"fragment_size": 180, "number_of_fragments": 3}
        )
    return {
        "pre_tags": [HIGHLIGHT_TAGS[0]],
        "post_tags": [HIGHLIGHT_TAGS[1]],
        "encoder": "html",
        "highlight_query": hq,
        "max_analyzed_offset": HIGHLIGHT_MAX_CHARS,
        "fields": spec,
    }


def _query(
    parsed: ParsedQuery, tf: TextFields, lemmatise: Lemmatise, filters: list[Clause]
) -> Clause:
    tq = text_query(parsed, tf, lemmatise)
    bool_q: dict[str, Any] = {}
    if tq is not None:
        bool_q["must"] = [tq]
    if filters:
        bool_q["filter"] = filters
    return {"bool": bool_q} if bool_q else {"match_all": {}}


def search_body(
    kind: SearchKind,
    parsed: ParsedQuery,
    plan: FilterPlan,
    page: Page,
    lemmatise: Lemmatise,
    *,
    irregular: Mapping[str, Sequence[str]] | None = None,
    pit: str | None = None,
    search_after: list[Any] | None = None,
    keep_alive: str = "5m",
) -> dict[str, Any]:
    """The `/search` or `/events` request body (index-less when `pit` is given)."""
    body: dict[str, Any] = {
        "query": _query(parsed, kind.text, lemmatise, plan.always),
        "size": page.size,
        "sort": sort_clause(page.sort, kind.sort_field, kind.id_field),
        "track_total_hits": True,
        "_source": list(kind.source),
    }
    if plan.by_facet:
        body["post_filter"] = {"bool": {"filter": list(plan.by_facet.values())}}
    if page.facets and search_after is None:
        # Facets describe the whole result set: computed on the first page only.
        body["aggs"] = facet_aggs(kind, plan, page.facet_size, page.interval)
    hq = highlight_query(parsed, kind.text, lemmatise, irregular)
    if hq is not None:
        body["highlight"] = _highlight(kind.text, hq, kind.whole_fields)
    if pit is not None:
        body["pit"] = {"id": pit, "keep_alive": keep_alive}
    if search_after is not None:
        body["search_after"] = search_after
    return body


def timeline_body(
    kind: SearchKind,
    parsed: ParsedQuery,
    plan: FilterPlan,
    lemmatise: Lemmatise,
    interval: Interval,
) -> dict[str, Any]:
    """Counts per calendar interval of everything matching the query and every filter."""
    return {
        "query": _query(parsed, kind.text, lemmatise, plan.all_filters()),
        "size": 0,
        "track_total_hits": True,
        "aggs": {"timeline": calendar_histogram(kind.sort_field, interval)},
    }

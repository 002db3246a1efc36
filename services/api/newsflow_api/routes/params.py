"""Query parameters shared by the list endpoints, parsed into the pure filter types of `query`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import date
from typing import Annotated, Any, get_args

from fastapi import Depends, Query
from starlette.datastructures import QueryParams

from newsflow_api.deps import ApiState, State
from newsflow_api.query import (
    ArticleFilters,
    EventConstraints,
    EventFilters,
    Page,
    ParamError,
    Sort,
    check_date_range,
    query_hash,
)
from newsflow_api.routes import fastpath as fp
from newsflow_shared.messages import ActorType, EventType

MAX_VALUES = 50
MAX_VALUE_CHARS = 300
_COUNTRY = re.compile(r"^[A-Za-z]{3}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}$")

Values = list[str] | None


def _values(
    values: Values, name: str, pattern: re.Pattern[str] | None = None, what: str = ""
) -> tuple[str, ...]:
    """Clean a repeated parameter: strip, drop empties, check count, length and format."""
    out = tuple(v.strip() for v in (values or []) if v.strip())
    if len(out) > MAX_VALUES:
        raise ParamError(name, f"at most {MAX_VALUES} values")
    for v in out:
        if len(v) > MAX_VALUE_CHARS:
            raise ParamError(name, f"values are at most {MAX_VALUE_CHARS} characters")
        if pattern is not None and not pattern.match(v):
            raise ParamError(name, f"{v!r} is not {what}")
    return out


def _countries(values: Values, name: str) -> tuple[str, ...]:
    return tuple(
        v.upper() for v in _values(values, name, _COUNTRY, "an ISO 3166 alpha-3 code (e.g. UKR)")
    )


def _enum_values(values: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(sorted({v.value for v in values or []}))


async def event_constraints(
    event_type: Annotated[
        list[EventType] | None, Query(description="PLOVER event type(s)", examples=[["ASSAULT"]])
    ] = None,
    event_mode: Annotated[Values, Query(description="event mode(s), e.g. `aerial`")] = None,
    source_actor: Annotated[
        Values, Query(description="source actor id or name", examples=[["country:RUS"]])
    ] = None,
    source_country: Annotated[
        Values, Query(description="ISO alpha-3 of a source actor", examples=[["RUS"]])
    ] = None,
    target_actor: Annotated[Values, Query(description="target actor id or name")] = None,
    target_country: Annotated[
        Values, Query(description="ISO alpha-3 of a target actor", examples=[["UKR"]])
    ] = None,
) -> EventConstraints:
    """Event conditions; on /search they must all hold for one event of the article."""
    return EventConstraints(
        event_type=_enum_values(event_type),
        event_mode=_values(event_mode, "event_mode"),
        source_actor=_values(source_actor, "source_actor"),
        source_country=_countries(source_country, "source_country"),
        target_actor=_values(target_actor, "target_actor"),
        target_country=_countries(target_country, "target_country"),
    )


@dataclass(frozen=True)
class Common:
    site: tuple[str, ...]
    language: tuple[str, ...]
    published_from: date | None
    published_to: date | None


async def common(
    site: Annotated[
        Values, Query(description="site host(s)", examples=[["kyivindependent.com"]])
    ] = None,
    language: Annotated[
        Values, Query(description="ISO 639 language code(s)", examples=[["en"]])
    ] = None,
    published_from: Annotated[
        date | None,
        Query(description="published on or after (YYYY-MM-DD)", examples=["2024-06-01"]),
    ] = None,
    published_to: Annotated[
        date | None,
        Query(description="published on or before (YYYY-MM-DD)", examples=["2024-06-30"]),
    ] = None,
) -> Common:
    check_date_range(published_from, published_to, "published_from", "published_to")
    langs = _values(language, "language", _LANGUAGE, "an ISO 639 code (e.g. en)")
    return Common(
        _values(site, "site"), tuple(v.lower() for v in langs), published_from, published_to
    )


@dataclass(frozen=True)
class ArticleOnly:
    actor: tuple[str, ...]
    actor_type: tuple[str, ...]
    person: tuple[str, ...]
    organization: tuple[str, ...]
    location: tuple[str, ...]
    group: tuple[str, ...]
    country: tuple[str, ...]
    author: tuple[str, ...]

    def given(self) -> list[str]:
        return [k for k, v in asdict(self).items() if v]


async def article_only(
    actor: Annotated[
        Values,
        Query(
            description="actor id or canonical name; every one given must be in the article",
            examples=[["country:RUS"]],
        ),
    ] = None,
    actor_type: Annotated[
        list[ActorType] | None,
        Query(description="restrict `actor` (or, alone, articles) to actors of these types"),
    ] = None,
    person: Annotated[Values, Query(description="person name(s) (facet `persons`)")] = None,
    organization: Annotated[Values, Query(description="organisation name(s)")] = None,
    location: Annotated[Values, Query(description="location name(s)")] = None,
    group: Annotated[Values, Query(description="group name(s)")] = None,
    country: Annotated[
        Values, Query(description="ISO alpha-3 country of any actor", examples=[["UKR"]])
    ] = None,
    author: Annotated[Values, Query(description="author name(s)")] = None,
) -> ArticleOnly:
    return ArticleOnly(
        actor=_values(actor, "actor"),
        actor_type=_enum_values(actor_type),
        person=_values(person, "person"),
        organization=_values(organization, "organization"),
        location=_values(location, "location"),
        group=_values(group, "group"),
        country=_countries(country, "country"),
        author=_values(author, "author"),
    )


@dataclass(frozen=True)
class EventOnly:
    article_id: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    include_negated: bool
    include_hypothetical: bool

    def given(self) -> list[str]:
        return [k for k, v in asdict(self).items() if v]


async def event_only(
    article_id: Annotated[Values, Query(description="events of these articles only")] = None,
    date_from: Annotated[
        date | None, Query(description="event date on or after (YYYY-MM-DD)")
    ] = None,
    date_to: Annotated[
        date | None, Query(description="event date on or before (YYYY-MM-DD)")
    ] = None,
    include_negated: Annotated[
        bool, Query(description='include negated events ("did not attack")')
    ] = False,
    include_hypothetical: Annotated[
        bool, Query(description='include hypothetical events ("could attack")')
    ] = False,
) -> EventOnly:
    check_date_range(date_from, date_to, "date_from", "date_to")
    return EventOnly(
        _values(article_id, "article_id"), date_from, date_to, include_negated, include_hypothetical
    )


def to_article_filters(ev: EventConstraints, c: Common, a: ArticleOnly) -> ArticleFilters:
    return ArticleFilters(
        actor=a.actor,
        actor_type=a.actor_type,
        person=a.person,
        organization=a.organization,
        location=a.location,
        group=a.group,
        country=a.country,
        events=ev,
        site=c.site,
        author=a.author,
        language=c.language,
        published_from=c.published_from,
        published_to=c.published_to,
    )


def to_event_filters(ev: EventConstraints, c: Common, e: EventOnly) -> EventFilters:
    return EventFilters(
        events=ev,
        site=c.site,
        language=c.language,
        article_id=e.article_id,
        date_from=e.date_from,
        date_to=e.date_to,
        published_from=c.published_from,
        published_to=c.published_to,
        include_negated=e.include_negated,
        include_hypothetical=e.include_hypothetical,
    )


async def article_filters(
    ev: Annotated[EventConstraints, Depends(event_constraints)],
    c: Annotated[Common, Depends(common)],
    a: Annotated[ArticleOnly, Depends(article_only)],
) -> ArticleFilters:
    return to_article_filters(ev, c, a)


async def event_filters(
    ev: Annotated[EventConstraints, Depends(event_constraints)],
    c: Annotated[Common, Depends(common)],
    e: Annotated[EventOnly, Depends(event_only)],
) -> EventFilters:
    return to_event_filters(ev, c, e)


Q_MAX = 500
CURSOR_MAX = 4096
SORTS = frozenset(get_args(Sort))

QParam = Annotated[
    str | None,
    Query(
        max_length=Q_MAX,
        description='words, "phrases", -excluded, a OR b',
        examples=['attacks ukraine -drill "black sea"'],
    ),
]
SortParam = Annotated[Sort, Query(description="relevance | newest | oldest")]
CursorParam = Annotated[
    str | None,
    Query(
        max_length=CURSOR_MAX,
        description="`next_cursor` of the previous page; repeat the other parameters unchanged",
    ),
]


@dataclass(frozen=True)
class Paging:
    page: Page
    cursor: str | None


async def paging(
    state: State,
    size: Annotated[int | None, Query(ge=1, description="hits per page (at most 100)")] = None,
    sort: SortParam = "relevance",
    cursor: CursorParam = None,
    facet_size: Annotated[int, Query(ge=1, description="buckets per facet")] = 10,
    facets: Annotated[bool, Query(description="compute facets (first page only)")] = True,
) -> Paging:
    """Page size, sort and cursor; size and facet_size bounded by the settings."""
    n = size if size is not None else state.api.default_page_size
    if n > state.api.max_page_size:
        raise ParamError("size", f"must be at most {state.api.max_page_size}")
    if facet_size > state.api.max_facet_size:
        raise ParamError("facet_size", f"must be at most {state.api.max_facet_size}")
    return Paging(Page(size=n, sort=sort, facet_size=facet_size, facets=facets), cursor)


def result_set_hash(endpoint: str, q: str | None, filters: Any, sort: str) -> str:
    """What a cursor is bound to: the endpoint, query, filters and sort (not the page size)."""
    return query_hash(
        {"endpoint": endpoint, "q": (q or "").strip(), "filters": _plain(filters), "sort": sort}
    )


def _plain(obj: Any) -> Any:
    """`dataclasses.asdict` for the frozen filter dataclasses (whose values are immutable), without
    its deep copies: the same dict, several times faster, for a hash on every request."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    return obj


# ---------------------------------------------------------------- fast path (see fastpath.py)
# The same dependency functions, fed by the strict readers instead of FastAPI's validation.


async def fast_event_constraints(qp: QueryParams) -> EventConstraints:
    return await event_constraints(
        event_type=fp.enums(qp, "event_type", EventType),
        event_mode=fp.texts(qp, "event_mode"),
        source_actor=fp.texts(qp, "source_actor"),
        source_country=fp.texts(qp, "source_country"),
        target_actor=fp.texts(qp, "target_actor"),
        target_country=fp.texts(qp, "target_country"),
    )


async def fast_common(qp: QueryParams) -> Common:
    return await common(
        site=fp.texts(qp, "site"),
        language=fp.texts(qp, "language"),
        published_from=fp.iso_date(qp, "published_from"),
        published_to=fp.iso_date(qp, "published_to"),
    )


async def fast_article_filters(qp: QueryParams) -> ArticleFilters:
    ev = await fast_event_constraints(qp)
    c = await fast_common(qp)
    a = await article_only(
        actor=fp.texts(qp, "actor"),
        actor_type=fp.enums(qp, "actor_type", ActorType),
        person=fp.texts(qp, "person"),
        organization=fp.texts(qp, "organization"),
        location=fp.texts(qp, "location"),
        group=fp.texts(qp, "group"),
        country=fp.texts(qp, "country"),
        author=fp.texts(qp, "author"),
    )
    return to_article_filters(ev, c, a)


async def fast_event_filters(qp: QueryParams) -> EventFilters:
    ev = await fast_event_constraints(qp)
    c = await fast_common(qp)
    e = await event_only(
        article_id=fp.texts(qp, "article_id"),
        date_from=fp.iso_date(qp, "date_from"),
        date_to=fp.iso_date(qp, "date_to"),
        include_negated=fp.flag(qp, "include_negated", False),
        include_hypothetical=fp.flag(qp, "include_hypothetical", False),
    )
    return to_event_filters(ev, c, e)


async def fast_paging(state: ApiState, qp: QueryParams) -> Paging:
    facet_size = fp.positive_int(qp, "facet_size", 10) or 10
    return await paging(
        state,
        size=fp.positive_int(qp, "size", None),
        sort=fp.choice(qp, "sort", SORTS, "relevance"),  # type: ignore[arg-type]
        cursor=fp.text(qp, "cursor", CURSOR_MAX),
        facet_size=facet_size,
        facets=fp.flag(qp, "facets", True),
    )

"""The query parameters of the list endpoints, declared once as pydantic models.

Each filter is one field: its type says how values are read and checked, its `Filter`
metadata how it narrows articles and events (`filters.py`). The endpoint models combine the
groups and forbid any other parameter, so a misspelt one is refused, not ignored. FastAPI
reads them as query parameter models (`Annotated[SearchParams, Query()]`) and documents
every field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from newsflow_api.query.clauses import DATE_MAX, DATE_MIN, Interval, Sort
from newsflow_api.query.filters import Filter, Range, SameActor, SameEvent, Terms, Unless
from newsflow_shared.messages import ActorType, EventType

MAX_VALUES = 50
MAX_VALUE_CHARS = 300
Q_MAX = 500
CURSOR_MAX = 4096


def _clean(values: tuple[str, ...]) -> tuple[str, ...]:
    """Strip, drop empties, check count and length."""
    out = tuple(v.strip() for v in values if v.strip())
    if len(out) > MAX_VALUES:
        raise PydanticCustomError("too_many_values", f"at most {MAX_VALUES} values")
    if any(len(v) > MAX_VALUE_CHARS for v in out):
        raise PydanticCustomError(
            "value_too_long", f"values are at most {MAX_VALUE_CHARS} characters"
        )
    return out


def _codes(pattern: str, what: str, case: Callable[[str], str]) -> AfterValidator:
    """Values that each match `pattern` (else "'x' is not `what`"), in one letter case."""
    rx = re.compile(pattern)

    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        for v in values:
            if not rx.fullmatch(v):
                raise PydanticCustomError("invalid_code", f"{v!r} is not {what}")
        return tuple(case(v) for v in values)

    return AfterValidator(check)


def _enum_values(values: tuple[Enum, ...]) -> tuple[str, ...]:
    return tuple(sorted({v.value for v in values}))


def _in_range(value: date | None) -> date | None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError(
            "date_out_of_range",
            f"{value} is out of range: give a date from {DATE_MIN} to {DATE_MAX}",
        )
    return value


Texts = Annotated[tuple[str, ...], AfterValidator(_clean)]
Countries = Annotated[
    tuple[str, ...],
    AfterValidator(_clean),
    _codes("[A-Za-z]{3}", "an ISO 3166 alpha-3 code (e.g. UKR)", str.upper),
]
Languages = Annotated[
    tuple[str, ...],
    AfterValidator(_clean),
    _codes("[A-Za-z]{2,3}", "an ISO 639 code (e.g. en)", str.lower),
]
EventTypes = Annotated[tuple[EventType, ...], AfterValidator(_enum_values)]
ActorTypes = Annotated[tuple[ActorType, ...], AfterValidator(_enum_values)]
Day = Annotated[date | None, AfterValidator(_in_range)]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True)


class EventFilterParams(_Params):
    """Event conditions; on /search they must all hold for one event of the article."""

    event_type: Annotated[
        EventTypes,
        Filter(
            SameEvent(("type",), flat="event_types", facet="event_types"), Terms(("type",), "types")
        ),
    ] = Field((), description="PLOVER event type(s)", examples=[["ASSAULT"]])
    event_mode: Annotated[
        Texts, Filter(SameEvent(("mode",), flat="event_modes"), Terms(("mode",), "modes"))
    ] = Field((), description="event mode(s), e.g. `aerial`")
    source_actor: Annotated[
        Texts,
        Filter(
            SameEvent(("source_actors", "source_names")),
            Terms(("source_actors", "source_names"), "source_actors"),
        ),
    ] = Field((), description="source actor id or name", examples=[["country:RUS"]])
    source_country: Annotated[
        Countries,
        Filter(SameEvent(("source_countries",)), Terms(("source_countries",), "source_countries")),
    ] = Field((), description="ISO alpha-3 of a source actor", examples=[["RUS"]])
    target_actor: Annotated[
        Texts,
        Filter(
            SameEvent(("target_actors", "target_names")),
            Terms(("target_actors", "target_names"), "target_actors"),
        ),
    ] = Field((), description="target actor id or name")
    target_country: Annotated[
        Countries,
        Filter(SameEvent(("target_countries",)), Terms(("target_countries",), "target_countries")),
    ] = Field((), description="ISO alpha-3 of a target actor", examples=[["UKR"]])


class CommonFilterParams(_Params):
    """Filters of both articles and events (on events: the article's site, language, date)."""

    site: Annotated[Texts, Filter(Terms(("site",), "sites"), Terms(("site",)))] = Field(
        (), description="site host(s)", examples=[["kyivindependent.com"]]
    )
    language: Annotated[
        Languages, Filter(Terms(("language",), "languages"), Terms(("language",)))
    ] = Field((), description="ISO 639 language code(s)", examples=[["en"]])
    published_from: Annotated[
        Day, Filter(Range("published", "from", "published"), Range("published", "from"))
    ] = Field(None, description="published on or after (YYYY-MM-DD)", examples=["2024-06-01"])
    published_to: Annotated[
        Day, Filter(Range("published", "to", "published"), Range("published", "to"))
    ] = Field(None, description="published on or before (YYYY-MM-DD)", examples=["2024-06-30"])


def _article_facet(field_: str, facet: str | None = None) -> Filter:
    return Filter(articles=Terms((field_,), facet or field_))


class ArticleFilterParams(_Params):
    """Filters of articles only."""

    actor: Annotated[Texts, Filter(articles=SameActor("id"))] = Field(
        (),
        description="actor id or canonical name; every one given must be in the article",
        examples=[["country:RUS"]],
    )
    actor_type: Annotated[ActorTypes, Filter(articles=SameActor("type"))] = Field(
        (), description="restrict `actor` (or, alone, articles) to actors of these types"
    )
    person: Annotated[Texts, _article_facet("persons")] = Field(
        (), description="person name(s) (facet `persons`)"
    )
    organization: Annotated[Texts, _article_facet("organizations")] = Field(
        (), description="organisation name(s)"
    )
    location: Annotated[Texts, _article_facet("locations")] = Field(
        (), description="location name(s)"
    )
    group: Annotated[Texts, _article_facet("groups")] = Field((), description="group name(s)")
    country: Annotated[Countries, _article_facet("countries")] = Field(
        (), description="ISO alpha-3 country of any actor", examples=[["UKR"]]
    )
    author: Annotated[Texts, Filter(articles=Terms(("authors",)))] = Field(
        (), description="author name(s)"
    )


class EventOnlyFilterParams(_Params):
    """Filters of events only."""

    article_id: Annotated[Texts, Filter(events=Terms(("article_id",)))] = Field(
        (), description="events of these articles only"
    )
    date_from: Annotated[Day, Filter(events=Range("date", "from", "months"))] = Field(
        None, description="event date on or after (YYYY-MM-DD)"
    )
    date_to: Annotated[Day, Filter(events=Range("date", "to", "months"))] = Field(
        None, description="event date on or before (YYYY-MM-DD)"
    )
    include_negated: Annotated[bool, Filter(events=Unless("negated"))] = Field(
        False, description='include negated events ("did not attack")'
    )
    include_hypothetical: Annotated[bool, Filter(events=Unless("hypothetical"))] = Field(
        False, description='include hypothetical events ("could attack")'
    )


class TextParam(_Params):
    q: str | None = Field(
        None,
        max_length=Q_MAX,
        description='words, "phrases", -excluded, a OR b',
        examples=['attacks ukraine -drill "black sea"'],
    )


class PageParams(TextParam):
    size: int | None = Field(None, ge=1, description="hits per page (at most 100)")
    sort: Sort = Field("relevance", description="relevance | newest | oldest")
    cursor: str | None = Field(
        None,
        max_length=CURSOR_MAX,
        description="`next_cursor` of the previous page; repeat the other parameters unchanged",
    )
    facet_size: int = Field(10, ge=1, description="buckets per facet")
    facets: bool = Field(True, description="compute facets (first page only)")


# Fields come base by base from the last: the text and paging first, then the filters.
_ENDPOINT = ConfigDict(frozen=True, extra="forbid")


class SearchParams(ArticleFilterParams, CommonFilterParams, EventFilterParams, PageParams):
    """GET /search."""

    model_config = _ENDPOINT
    interval: Interval = Field("month", description="bucket size of the `published` facet")


class EventsParams(EventOnlyFilterParams, CommonFilterParams, EventFilterParams, PageParams):
    """GET /events."""

    model_config = _ENDPOINT


class TimelineParams(
    EventOnlyFilterParams, ArticleFilterParams, CommonFilterParams, EventFilterParams, TextParam
):
    """GET /timeline: the filters of the endpoint counted (`of`) apply, the others are refused."""

    model_config = _ENDPOINT
    of: Literal["articles", "events"] = Field("articles", description="what to count")
    interval: Literal["day", "week", "month"] = Field("month", description="bucket size")

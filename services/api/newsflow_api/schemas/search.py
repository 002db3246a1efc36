"""The list endpoints: /search, /events and /timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from newsflow_api.schemas.articles import EventFields
from newsflow_api.schemas.base import Bucket, DateBucket, Highlights, Out, examples


class ArticleHit(Out):
    id: str
    title: str
    url: str | None = None
    site: str | None = None
    site_name: str | None = None
    published: dt.datetime | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    description: str | None = None
    persons: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    event_types: list[str] = Field(default_factory=list)
    score: float | None = None
    highlights: Highlights = Field(default_factory=Highlights)
    article_url: str


@dataclass(frozen=True)
class TermsFacet:
    """Field metadata of a facet: the indexed field it counts; `countries`: its values are
    ISO alpha-3 codes, labelled with the country's name. The request's aggregations
    (`query/bodies.py`) are derived from the facet models below."""

    field: str
    countries: bool = False


@dataclass(frozen=True)
class DateFacet:
    """Field metadata of the date histogram facet (it counts the endpoint's sort date)."""


Buckets = list[Bucket]


class SearchFacets(Out):
    persons: Annotated[Buckets, TermsFacet("persons")] = Field(default_factory=list)
    organizations: Annotated[Buckets, TermsFacet("organizations")] = Field(default_factory=list)
    locations: Annotated[Buckets, TermsFacet("locations")] = Field(default_factory=list)
    groups: Annotated[Buckets, TermsFacet("groups")] = Field(default_factory=list)
    countries: Annotated[Buckets, TermsFacet("countries", countries=True)] = Field(
        default_factory=list
    )
    event_types: Annotated[Buckets, TermsFacet("event_types")] = Field(default_factory=list)
    sites: Annotated[Buckets, TermsFacet("site")] = Field(default_factory=list)
    languages: Annotated[Buckets, TermsFacet("language")] = Field(default_factory=list)
    published: Annotated[list[DateBucket], DateFacet()] = Field(default_factory=list)


class SearchResponse(Out):
    model_config = examples(
        {
            "total": 1,
            "total_relation": "eq",
            "hits": [
                {
                    "id": "3f1c9a0e5b7d2c41",
                    "title": "Russia attacks Ukrainian ports",
                    "url": "https://example.org/news/ports",
                    "site": "example.org",
                    "published": "2024-06-12T08:00:00Z",
                    "language": "en",
                    "persons": ["Vladimir Putin"],
                    "countries": ["RUS", "UKR"],
                    "event_types": ["ASSAULT"],
                    "score": 7.1,
                    "highlights": {
                        "title": "Russia <mark>attacks</mark> Ukrainian ports",
                        "text": ["Russian drones <mark>attacked</mark> Odesa overnight"],
                    },
                    "article_url": "/articles/3f1c9a0e5b7d2c41",
                }
            ],
            "facets": {
                "countries": [{"value": "RUS", "count": 1, "label": "Russian Federation"}],
                "event_types": [{"value": "ASSAULT", "count": 1}],
                "published": [{"date": "2024-06-01", "count": 1}],
            },
            "next_cursor": None,
        }
    )

    total: int
    total_relation: Literal["eq", "gte"] = "eq"
    hits: list[ArticleHit]
    facets: SearchFacets | None = None  # first page only
    next_cursor: str | None = None


class EventHit(EventFields):
    highlight: str | None = None
    score: float | None = None
    article_id: str
    article_url: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None
    published: dt.datetime | None = None


class EventFacets(Out):
    types: Annotated[Buckets, TermsFacet("type")] = Field(default_factory=list)
    modes: Annotated[Buckets, TermsFacet("mode")] = Field(default_factory=list)
    source_countries: Annotated[Buckets, TermsFacet("source_countries", countries=True)] = Field(
        default_factory=list
    )
    target_countries: Annotated[Buckets, TermsFacet("target_countries", countries=True)] = Field(
        default_factory=list
    )
    source_actors: Annotated[Buckets, TermsFacet("source_names")] = Field(default_factory=list)
    target_actors: Annotated[Buckets, TermsFacet("target_names")] = Field(default_factory=list)
    months: Annotated[list[DateBucket], DateFacet()] = Field(default_factory=list)


class EventsResponse(Out):
    model_config = examples(
        {
            "total": 1,
            "total_relation": "eq",
            "hits": [
                {
                    "id": "3f1c9a0e5b7d2c41:e0",
                    "type": "ASSAULT",
                    "mode": "aerial",
                    "source_actors": ["country:RUS"],
                    "target_actors": ["country:UKR"],
                    "source_names": ["Russia"],
                    "target_names": ["Ukraine"],
                    "source_countries": ["RUS"],
                    "target_countries": ["UKR"],
                    "sentence": "Russian drones attacked Odesa overnight, officials said.",
                    "date": "2024-06-11",
                    "article_id": "3f1c9a0e5b7d2c41",
                    "article_url": "/articles/3f1c9a0e5b7d2c41",
                    "site": "example.org",
                }
            ],
            "facets": {
                "types": [{"value": "ASSAULT", "count": 1}],
                "modes": [{"value": "aerial", "count": 1}],
                "months": [{"date": "2024-06-01", "count": 1}],
            },
            "next_cursor": None,
        }
    )

    total: int
    total_relation: Literal["eq", "gte"] = "eq"
    hits: list[EventHit]
    facets: EventFacets | None = None
    next_cursor: str | None = None


class TimelineResponse(Out):
    model_config = examples(
        {
            "of": "events",
            "interval": "month",
            "total": 3,
            "buckets": [{"date": "2024-05-01", "count": 1}, {"date": "2024-06-01", "count": 2}],
        }
    )

    of: Literal["articles", "events"]
    interval: str
    total: int
    buckets: list[DateBucket]

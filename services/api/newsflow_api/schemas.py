"""Request and response schemas: one model per direction, typed, with OpenAPI examples."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(extra="forbid")


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


# ---------------------------------------------------------------- errors


class ParamProblem(Out):
    parameter: str
    location: str = "query"
    message: str


class ErrorBody(Out):
    """Every 4xx/5xx answer: a code, a sentence, and the parameter at fault when there is one."""

    model_config = _examples(
        {
            "status": 422,
            "error": "invalid_parameter",
            "message": "size: must be at most 100",
            "parameter": "size",
            "problems": [
                {"parameter": "size", "location": "query", "message": "must be at most 100"}
            ],
        }
    )

    status: int
    error: str
    message: str
    parameter: str | None = None
    problems: list[ParamProblem] = Field(default_factory=list)


# ---------------------------------------------------------------- shared pieces


class Bucket(Out):
    value: str
    count: int
    label: str | None = None  # e.g. the country name for an ISO code


class DateBucket(Out):
    date: dt.date  # start of the interval
    count: int


class Highlights(Out):
    title: str | None = None
    text: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------- /search


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


class SearchFacets(Out):
    persons: list[Bucket] = Field(default_factory=list)
    organizations: list[Bucket] = Field(default_factory=list)
    locations: list[Bucket] = Field(default_factory=list)
    groups: list[Bucket] = Field(default_factory=list)
    countries: list[Bucket] = Field(default_factory=list)
    event_types: list[Bucket] = Field(default_factory=list)
    sites: list[Bucket] = Field(default_factory=list)
    languages: list[Bucket] = Field(default_factory=list)
    published: list[DateBucket] = Field(default_factory=list)


class SearchResponse(Out):
    model_config = _examples(
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


# ---------------------------------------------------------------- /articles/{id}


class ActorOut(Out):
    id: str
    name: str
    type: str
    country: str | None = None
    sector: str | None = None
    roles: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    mentions: int = 0
    actor_url: str


class EventFields(Out):
    """What an event says, wherever it is shown (in its article, or as an /events hit)."""

    id: str
    type: str
    mode: str | None = None
    source_actors: list[str] = Field(default_factory=list)
    target_actors: list[str] = Field(default_factory=list)
    source_names: list[str] = Field(default_factory=list)
    target_names: list[str] = Field(default_factory=list)
    source_countries: list[str] = Field(default_factory=list)
    target_countries: list[str] = Field(default_factory=list)
    reported_by: list[str] = Field(default_factory=list)
    trigger: str | None = None
    sentence: str
    date: dt.date | None = None
    date_granularity: str | None = None
    date_text: str | None = None
    location: str | None = None
    confidence: float | None = None
    negated: bool = False
    hypothetical: bool = False
    future: bool = False


class ArticleEvent(EventFields):
    sentence_start: int | None = None
    sentence_end: int | None = None
    counted: bool = True


class QuoteOut(Out):
    text: str
    kind: str
    speaker: str | None = None
    speaker_name: str | None = None
    start: int | None = None
    end: int | None = None


class ArticleOut(Out):
    model_config = _examples(
        {
            "id": "3f1c9a0e5b7d2c41",
            "title": "Russia attacks Ukrainian ports",
            "text": "Russian drones attacked Odesa overnight, officials said...",
            "url": "https://example.org/news/ports",
            "site": "example.org",
            "published": "2024-06-12T08:00:00Z",
            "language": "en",
            "actors": [
                {
                    "id": "country:RUS",
                    "name": "Russia",
                    "type": "country",
                    "country": "RUS",
                    "mentions": 3,
                    "actor_url": "/actors/country:RUS",
                }
            ],
            "events": [
                {
                    "id": "3f1c9a0e5b7d2c41:e0",
                    "type": "ASSAULT",
                    "mode": "aerial",
                    "source_actors": ["country:RUS"],
                    "target_actors": ["country:UKR"],
                    "sentence": "Russian drones attacked Odesa overnight, officials said.",
                }
            ],
            "quotes": [],
        }
    )

    id: str
    url: str | None = None
    canonical_url: str | None = None
    title: str
    text: str
    description: str | None = None
    authors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    published: dt.datetime | None = None
    indexed: dt.datetime | None = None
    language: str | None = None
    site: str | None = None
    site_name: str | None = None
    image: str | None = None
    word_count: int | None = None
    actors: list[ActorOut] = Field(default_factory=list)
    events: list[ArticleEvent] = Field(default_factory=list)
    quotes: list[QuoteOut] = Field(default_factory=list)


# ---------------------------------------------------------------- /events


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
    types: list[Bucket] = Field(default_factory=list)
    source_countries: list[Bucket] = Field(default_factory=list)
    target_countries: list[Bucket] = Field(default_factory=list)
    source_actors: list[Bucket] = Field(default_factory=list)
    target_actors: list[Bucket] = Field(default_factory=list)
    months: list[DateBucket] = Field(default_factory=list)


class EventsResponse(Out):
    model_config = _examples(
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


# ---------------------------------------------------------------- /actors


class ActorSummary(Out):
    id: str
    name: str
    type: str | None = None
    country: str | None = None
    sector: str | None = None
    aliases: list[str] = Field(default_factory=list)
    articles: int  # articles mentioning the actor
    mentions: int  # mentions summed over those articles
    actor_url: str


class ActorsResponse(Out):
    model_config = _examples(
        {
            "actors": [
                {
                    "id": "person:vladimir-putin",
                    "name": "Vladimir Putin",
                    "type": "person",
                    "country": "RUS",
                    "sector": "GOV",
                    "aliases": ["Putin"],
                    "articles": 12,
                    "mentions": 40,
                    "actor_url": "/actors/person:vladimir-putin",
                }
            ]
        }
    )

    actors: list[ActorSummary]


class MentionBucket(Out):
    date: dt.date
    articles: int
    mentions: int


class CoActor(Out):
    id: str
    name: str | None = None
    type: str | None = None
    articles: int  # articles mentioning both actors
    actor_url: str


class ArticleBrief(Out):
    id: str
    title: str
    site: str | None = None
    published: dt.datetime | None = None
    article_url: str


class ActorProfile(Out):
    model_config = _examples(
        {
            "id": "country:RUS",
            "name": "Russia",
            "names": ["Russia"],
            "aliases": ["Moscow", "Russian Federation"],
            "type": "country",
            "country": "RUS",
            "articles": 12,
            "mentions": 58,
            "mentions_over_time": [{"date": "2024-06-01", "articles": 12, "mentions": 58}],
            "co_actors": [
                {
                    "id": "country:UKR",
                    "name": "Ukraine",
                    "type": "country",
                    "articles": 10,
                    "actor_url": "/actors/country:UKR",
                }
            ],
            "events_as_source": [{"value": "ASSAULT", "count": 7}],
            "events_as_target": [{"value": "SANCTION", "count": 3}],
            "latest_articles": [
                {
                    "id": "3f1c9a0e5b7d2c41",
                    "title": "Russia attacks Ukrainian ports",
                    "published": "2024-06-12T08:00:00Z",
                    "article_url": "/articles/3f1c9a0e5b7d2c41",
                }
            ],
        }
    )

    id: str
    name: str
    names: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    type: str | None = None
    country: str | None = None
    sector: str | None = None
    articles: int
    mentions: int
    mentions_over_time: list[MentionBucket] = Field(default_factory=list)
    co_actors: list[CoActor] = Field(default_factory=list)
    events_as_source: list[Bucket] = Field(default_factory=list)
    events_as_target: list[Bucket] = Field(default_factory=list)
    latest_articles: list[ArticleBrief] = Field(default_factory=list)


# ---------------------------------------------------------------- /timeline


class TimelineResponse(Out):
    model_config = _examples(
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


# ---------------------------------------------------------------- ingest and jobs


class IngestRequest(BaseModel):
    """POST /ingest body: page URLs and feed URLs to fetch (at least one of either)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "urls": ["https://kyivindependent.com/some-article/"],
                    "feeds": ["https://www.theguardian.com/world/rss"],
                }
            ]
        },
    )

    # How many items and how long each may be are settings (NEWSFLOW_API_INGEST_MAX_*).
    urls: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    note: str | None = Field(None, max_length=200)


class Rejection(Out):
    source: str
    reason: str


class IngestResponse(Out):
    model_config = _examples(
        {
            "job_id": "5b0d2f4c9e1a7b33",
            "items": 2,
            "rejected": [],
            "job_url": "/jobs/5b0d2f4c9e1a7b33",
        }
    )

    job_id: str
    items: int
    rejected: list[Rejection] = Field(default_factory=list)
    job_url: str


class JobItem(Out):
    item_id: str
    source: str | None = None
    kind: str | None = None
    state: str | None = None
    stage: str | None = None
    doc_id: str | None = None
    reason: str | None = None
    message: str | None = None
    error: str | None = None


class JobOut(Out):
    model_config = _examples(
        {
            "job_id": "5b0d2f4c9e1a7b33",
            "source": "api",
            "created": "2024-06-12T08:00:00Z",
            "submitted": 2,
            "counts": {"indexed": 1, "rejected": 1},
            "in_flight": 0,
            "done": True,
            "rejected": [
                {
                    "item_id": "000002",
                    "source": "ftp://x",
                    "kind": "url",
                    "state": "rejected",
                    "stage": "submit",
                    "reason": "unsupported_scheme",
                    "message": "only http(s) URLs can be fetched",
                }
            ],
            "failed": [],
        }
    )

    job_id: str
    source: str | None = None
    created: dt.datetime | None = None
    submitted: int
    counts: dict[str, int]
    in_flight: int
    done: bool
    rejected: list[JobItem] = Field(default_factory=list)
    failed: list[JobItem] = Field(default_factory=list)


# ---------------------------------------------------------------- health


class Health(Out):
    model_config = _examples({"status": "ok"})

    status: Literal["ok"] = "ok"


class Readiness(Out):
    model_config = _examples(
        {"status": "unavailable", "elasticsearch": "down: ConnectionError", "redis": "ok"}
    )

    status: Literal["ok", "unavailable"]
    elasticsearch: str
    redis: str

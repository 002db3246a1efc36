"""GET /articles/{id}: the article with its actors, events and quotes."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from newsflow_api.schemas.base import Out, examples


class SpanOut(Out):
    """Character offsets into the article's `text` (end exclusive)."""

    start: int
    end: int


class ActorOut(Out):
    id: str
    name: str
    type: str
    country: str | None = None
    sector: str | None = None
    roles: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    mentions: int = 0
    spans: list[SpanOut] = Field(default_factory=list)  # its mentions in the text, in order
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
    model_config = examples(
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
                    "spans": [{"start": 0, "end": 7}],
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

"""GET /actors and GET /actors/{id}."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from newsflow_api.schemas.base import Bucket, Out, examples


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
    model_config = examples(
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
    model_config = examples(
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

"""Typed, frozen, versioned messages between stages, and the enrichment data model.

Messages carry references (a `doc_id` whose content lives in the content store), never
pages. Every stage validates what it receives with `Model.model_validate(payload)`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

SCHEMA_VERSION = 1


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(Frozen):
    """Base of every queue message: versioned, and always naming its job and item."""

    schema_version: Literal[1] = 1  # SCHEMA_VERSION; bump both with a new message shape
    job_id: str
    item_id: str


class SourceKind(StrEnum):
    URL = "url"
    FEED = "feed"
    HTML_FILE = "html_file"
    TEXT_FILE = "text_file"
    WARC = "warc"  # a response record of a WARC archive (`newsflow ingest archive.warc.gz`)


class SourceHints(Frozen):
    """What the source said about an item beforehand (a feed entry, a file's sidecar
    `.meta.json`), kept as hints for parsing: used where the page itself is silent."""

    feed_url: str | None = None
    url: str | None = None
    feed_title: str | None = None
    title: str | None = None
    published: datetime | None = None
    summary: str | None = None
    fetched: datetime | None = None  # when the page was fetched (a WARC record's WARC-Date)


class FetchRequest(Message):
    """fetch.fetch_page: download `url`, store it, hand on to parse."""

    url: HttpUrl
    doc_id: str
    hints: SourceHints | None = None


class FeedRequest(Message):
    """fetch.fetch_feed: read a feed once and submit its items to the same job."""

    url: HttpUrl


class PollRequest(Frozen):
    """fetch.poll_source: poll one registered source (sent by fetch.poll_due)."""

    schema_version: Literal[1] = 1
    source_id: str


class ParseRequest(Message):
    """parse.parse_page: the raw page is in the content store under `doc_id`."""

    doc_id: str
    source_kind: SourceKind
    url: str | None = None
    final_url: str | None = None
    hints: SourceHints | None = None


class EnrichRequest(Message):
    """enrich.enrich_article: the parsed article is in the content store under `doc_id`."""

    doc_id: str


class IndexRequest(Message):
    """index.index_article: parsed + enriched article are in the content store."""

    doc_id: str


# ---------------------------------------------------------------- parsed article


class ParsedArticle(Frozen):
    """What parsing yields: text and metadata of one article."""

    doc_id: str
    url: str | None = None
    canonical_url: str | None = None
    title: str
    text: str
    authors: list[str] = Field(default_factory=list)
    published: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    site: str | None = None  # registered host, e.g. "kyivindependent.com"
    description: str | None = None
    image: str | None = None
    tags: list[str] = Field(default_factory=list)
    source_kind: SourceKind
    parser: str  # which parser and version produced this, e.g. "trafilatura-2.3.1"


# ---------------------------------------------------------------- enrichment


class ActorType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LOCATION = "location"
    GROUP = "group"


class EventType(StrEnum):
    """The 16 PLOVER event types."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    CONCEDE = "CONCEDE"
    COOPERATE = "COOPERATE"
    AID = "AID"
    RETREAT = "RETREAT"
    REQUEST = "REQUEST"
    ACCUSE = "ACCUSE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    PROTEST = "PROTEST"
    SANCTION = "SANCTION"
    MOBILIZE = "MOBILIZE"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"


class Span(Frozen):
    start: int
    end: int


class Actor(Frozen):
    """One real-world actor as seen in one article (all its mentions merged)."""

    id: str  # stable across articles: "person:vladimir-putin", "country:RUS", "org:nato"
    name: str  # canonical name
    type: ActorType
    country: str | None = None  # ISO 3166 alpha-3
    sector: str | None = None  # GOV, MIL, REB, CVL, BUS, MED, IGO, ...
    roles: list[str] = Field(default_factory=list)  # "Kremlin aide", "Foreign Minister"
    aliases: list[str] = Field(default_factory=list)  # surface forms seen
    mentions: int = 0
    spans: list[Span] = Field(default_factory=list)


class EventDate(Frozen):
    value: date | None = None  # the resolved date (first day of the period when coarse)
    granularity: Literal["day", "week", "month", "year", "unknown"] = "unknown"
    text: str | None = None  # the expression it came from ("on Thursday", "July 3")


class Event(Frozen):
    """One coded event with its evidence."""

    id: str
    type: EventType
    mode: str | None = None
    source_actors: list[str] = Field(default_factory=list)  # actor ids
    target_actors: list[str] = Field(default_factory=list)
    reported_by: list[str] = Field(default_factory=list)  # who says it happened
    trigger: str
    sentence: str
    sentence_lemmas: str = ""  # lemmas of the sentence, for inflection-aware event search
    span: Span  # of the sentence in the article text
    date: EventDate = EventDate()
    location: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    negated: bool = False
    hypothetical: bool = False
    future: bool = False


class Quote(Frozen):
    text: str
    kind: Literal["direct", "reported"]
    speaker: str | None = None  # actor id
    speaker_name: str | None = None
    span: Span


class Enrichment(Frozen):
    """What enrichment yields for one article."""

    language: str | None
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    # Lemmatised title and text (lower-case lemmas, space separated) for inflection-aware
    # search on Elasticsearch builds without stemmers; the API lemmatises queries the same way.
    title_lemmas: str = ""
    text_lemmas: str = ""
    enricher: str  # name and version of the enricher, e.g. "newsflow-enrich-1/en_core_web_sm-3.8.0"

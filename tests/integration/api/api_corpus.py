"""A small, fully known article corpus for the API tests: 48 articles built as the pipeline's
own models (ParsedArticle + Enrichment), with spaCy lemmas filled the way enrichment fills them.

Eight story templates rotate over five sites, three languages and six months, so every
filter and facet has several values with different counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from newsflow_shared.messages import (
    Actor,
    ActorType,
    Enrichment,
    Event,
    EventDate,
    EventType,
    ParsedArticle,
    Quote,
    SourceKind,
    Span,
)

N_ARTICLES = 48
API_KEY = "test-key-0123456789"  # the key the test app is configured with
SITES = ["kyivindependent.com", "reuters.com", "bbc.co.uk", "aljazeera.com", "dw.com"]

ACTORS: dict[str, Actor] = {
    a.id: a
    for a in [
        Actor(
            id="person:vladimir-putin",
            name="Vladimir Putin",
            type=ActorType.PERSON,
            country="RUS",
            sector="GOV",
            roles=["President"],
            aliases=["Putin", "Vladimir Putin"],
        ),
        Actor(
            id="person:volodymyr-zelensky",
            name="Volodymyr Zelensky",
            type=ActorType.PERSON,
            country="UKR",
            sector="GOV",
            aliases=["Zelensky", "Zelenskyy"],
        ),
        Actor(
            id="person:joe-biden",
            name="Joe Biden",
            type=ActorType.PERSON,
            country="USA",
            sector="GOV",
            aliases=["Biden"],
        ),
        Actor(
            id="person:olaf-scholz",
            name="Olaf Scholz",
            type=ActorType.PERSON,
            country="DEU",
            sector="GOV",
            aliases=["Scholz"],
        ),
        Actor(
            id="org:nato",
            name="NATO",
            type=ActorType.ORGANIZATION,
            sector="IGO",
            aliases=["NATO", "North Atlantic Treaty Organization"],
        ),
        Actor(
            id="org:united-nations",
            name="United Nations",
            type=ActorType.ORGANIZATION,
            sector="IGO",
            aliases=["UN"],
        ),
        Actor(
            id="org:gazprom",
            name="Gazprom",
            type=ActorType.ORGANIZATION,
            country="RUS",
            sector="BUS",
        ),
        Actor(
            id="country:RUS",
            name="Russia",
            type=ActorType.COUNTRY,
            country="RUS",
            aliases=["Russia", "Russian", "Moscow"],
        ),
        Actor(
            id="country:UKR",
            name="Ukraine",
            type=ActorType.COUNTRY,
            country="UKR",
            aliases=["Ukraine", "Ukrainian"],
        ),
        Actor(
            id="country:USA",
            name="United States",
            type=ActorType.COUNTRY,
            country="USA",
            aliases=["United States", "Washington"],
        ),
        Actor(id="country:DEU", name="Germany", type=ActorType.COUNTRY, country="DEU"),
        Actor(id="country:FRA", name="France", type=ActorType.COUNTRY, country="FRA"),
        Actor(id="country:ISR", name="Israel", type=ActorType.COUNTRY, country="ISR"),
        Actor(id="location:kyiv", name="Kyiv", type=ActorType.LOCATION, country="UKR"),
        Actor(id="location:moscow", name="Moscow", type=ActorType.LOCATION, country="RUS"),
        Actor(id="location:black-sea", name="Black Sea", type=ActorType.LOCATION),
        Actor(
            id="group:wagner-group",
            name="Wagner Group",
            type=ActorType.GROUP,
            country="RUS",
            sector="MIL",
            aliases=["Wagner"],
        ),
        Actor(id="group:hamas", name="Hamas", type=ActorType.GROUP, sector="REB"),
    ]
}


@dataclass(frozen=True)
class Ev:
    type: EventType
    source: list[str]
    target: list[str]
    sentence: int  # index of the evidence sentence
    trigger: str
    mode: str | None = None
    negated: bool = False
    hypothetical: bool = False


@dataclass(frozen=True)
class Story:
    title: str
    sentences: list[str]
    actors: list[str]
    events: list[Ev]


STORIES = [
    Story(
        "Russia attacks Kyiv with drones",
        [
            "Russian forces attacked Kyiv overnight with drones, Ukrainian officials said.",
            "Vladimir Putin did not comment on the strikes.",
        ],
        ["country:RUS", "country:UKR", "person:vladimir-putin", "location:kyiv"],
        [Ev(EventType.ASSAULT, ["country:RUS"], ["country:UKR"], 0, "attacked", mode="aerial")],
    ),
    Story(
        "Zelensky and Scholz hold talks in Berlin",
        [
            "Volodymyr Zelensky held a talk with Olaf Scholz about air defence.",
            "Germany pledged more aid to Ukraine.",
        ],
        ["person:volodymyr-zelensky", "person:olaf-scholz", "country:DEU", "country:UKR"],
        [
            Ev(EventType.CONSULT, ["person:volodymyr-zelensky"], ["person:olaf-scholz"], 0, "talk"),
            Ev(EventType.AID, ["country:DEU"], ["country:UKR"], 1, "aid", mode="military"),
        ],
    ),
    Story(
        "United States sanctions Gazprom",
        [
            "The United States imposed new sanctions on Gazprom and Russian banks.",
            "Joe Biden said the measures target revenue in Moscow.",
        ],
        ["country:USA", "org:gazprom", "person:joe-biden", "country:RUS", "location:moscow"],
        [Ev(EventType.SANCTION, ["country:USA"], ["org:gazprom"], 0, "sanctions", mode="economic")],
    ),
    Story(
        "NATO warns Russia over the Black Sea",
        [
            "NATO warned Russia against escalation in the Black Sea.",
            "Russia could attack a member state next year, the alliance said.",
        ],
        ["org:nato", "country:RUS", "location:black-sea"],
        [
            Ev(EventType.THREATEN, ["org:nato"], ["country:RUS"], 0, "warned"),
            Ev(EventType.ASSAULT, ["country:RUS"], [], 1, "attack", hypothetical=True),
        ],
    ),
    Story(
        "Kremlin denies strike on grain ship",
        [
            "Russia did not strike the grain ship in the Black Sea, the Kremlin said.",
            "Ukraine accused Moscow of lying about the incident.",
        ],
        ["country:RUS", "country:UKR", "location:black-sea"],
        [
            Ev(EventType.ASSAULT, ["country:RUS"], ["country:UKR"], 0, "strike", negated=True),
            Ev(EventType.ACCUSE, ["country:UKR"], ["country:RUS"], 1, "accused"),
        ],
    ),
    Story(
        "Wagner Group fighters mobilize near the border",
        [
            "The Wagner Group mobilized fighters near the border with Ukraine.",
            "Vladimir Putin met commanders in Moscow.",
        ],
        ["group:wagner-group", "country:UKR", "person:vladimir-putin", "location:moscow"],
        [
            Ev(EventType.MOBILIZE, ["group:wagner-group"], [], 0, "mobilized", mode="troops"),
            Ev(EventType.CONSULT, ["person:vladimir-putin"], ["group:wagner-group"], 1, "met"),
        ],
    ),
    Story(
        "United Nations calls for a ceasefire",
        [
            "The United Nations requested an immediate ceasefire between Hamas and Israel.",
            "France supported the resolution.",
        ],
        ["org:united-nations", "group:hamas", "country:ISR", "country:FRA"],
        [
            Ev(
                EventType.REQUEST,
                ["org:united-nations"],
                ["group:hamas", "country:ISR"],
                0,
                "requested",
            ),
            Ev(EventType.SUPPORT, ["country:FRA"], ["org:united-nations"], 1, "supported"),
        ],
    ),
    Story(
        "Biden announces aid for Ukraine",
        [
            "Joe Biden announced a new aid package for Ukraine on Tuesday.",
            "Volodymyr Zelensky thanked Washington in brief talks with reporters.",
        ],
        ["person:joe-biden", "country:USA", "country:UKR", "person:volodymyr-zelensky"],
        [Ev(EventType.AID, ["country:USA"], ["country:UKR"], 0, "aid", mode="military")],
    ),
]


def site_of(i: int) -> str:
    return SITES[i % len(SITES)]


def language_of(i: int) -> str:
    return "de" if i % 12 == 5 else "fr" if i % 12 == 7 else "en"


def published_of(i: int) -> datetime | None:
    if i == N_ARTICLES - 1:
        return None  # one undated article
    return datetime(2024, 1 + i % 6, 1 + (i * 7) % 28, 8 + i % 10, tzinfo=UTC)


def authors_of(i: int) -> list[str]:
    return [["Anna Smith"], ["John Doe"], []][i % 3]


def doc_id_of(i: int) -> str:
    return f"fx{i:04d}"


Lemmas = Callable[[str], str]


def build_article(i: int, lemmas: Lemmas, enricher: str) -> tuple[ParsedArticle, Enrichment]:
    """Article i of the corpus, with `lemmas(text)` as enrichment's lemma_string, and
    `enricher` naming the model that made them (the API checks it at start-up)."""
    story = STORIES[i % len(STORIES)]
    sentences = [*story.sentences, f"This is report number {i} from {site_of(i)}."]
    text = " ".join(sentences)
    starts = []
    pos = 0
    for s in sentences:
        starts.append(pos)
        pos += len(s) + 1
    doc_id = doc_id_of(i)
    published = published_of(i)
    article = ParsedArticle(
        doc_id=doc_id,
        url=f"https://{site_of(i)}/news/{doc_id}",
        canonical_url=None,
        title=story.title,
        text=text,
        authors=authors_of(i),
        published=published,
        language=language_of(i),
        site_name=site_of(i).split(".")[0].title(),
        site=site_of(i),
        description=story.sentences[0],
        tags=["world"],
        source_kind=SourceKind.URL,
        parser="fixture-1",
    )
    actors = []
    for actor_id in story.actors:
        a = ACTORS[actor_id]
        # the mentions' offsets, as enrich stores them: every whole name or alias in the text
        spans = [
            Span(start=m.start(), end=m.end())
            for m in re.finditer(
                "|".join(re.escape(f) for f in sorted({a.name, *a.aliases}, key=len, reverse=True)),
                text,
            )
        ]
        actors.append(a.model_copy(update={"mentions": 1 + (i % 3), "spans": spans}))
    events = []
    for k, ev in enumerate(story.events):
        sentence = sentences[ev.sentence]
        events.append(
            Event(
                id=f"{doc_id}:e{k}",
                type=ev.type,
                mode=ev.mode,
                source_actors=ev.source,
                target_actors=ev.target,
                trigger=ev.trigger,
                sentence=sentence,
                sentence_lemmas=lemmas(sentence),
                span=Span(start=starts[ev.sentence], end=starts[ev.sentence] + len(sentence)),
                date=EventDate(
                    value=published.date() if published else None,
                    granularity="day" if published else "unknown",
                ),
                confidence=0.9,
                negated=ev.negated,
                hypothetical=ev.hypothetical,
            )
        )
    quotes = [
        Quote(
            text=story.sentences[0],
            kind="reported",
            span=Span(start=0, end=len(story.sentences[0])),
        )
    ]
    enrichment = Enrichment(
        language=language_of(i),
        actors=actors,
        events=events,
        quotes=quotes,
        title_lemmas=lemmas(story.title),
        text_lemmas=lemmas(text),
        enricher=enricher,
    )
    return article, enrichment


def build_corpus(lemmas: Lemmas, enricher: str) -> list[tuple[ParsedArticle, Enrichment]]:
    return [build_article(i, lemmas, enricher) for i in range(N_ARTICLES)]


def counted_events(
    corpus: list[tuple[ParsedArticle, Enrichment]],
) -> list[tuple[ParsedArticle, Event]]:
    return [(a, e) for a, enr in corpus for e in enr.events if not (e.negated or e.hypothetical)]


def in_month(d: datetime | date | None, year: int, month: int) -> bool:
    return d is not None and d.year == year and d.month == month


def summary(corpus: list[tuple[ParsedArticle, Enrichment]]) -> dict[str, Any]:
    """Quick facts used by tests."""
    return {"articles": len(corpus), "events": sum(len(e.events) for _, e in corpus)}

"""Index documents as pure functions: parsed article + enrichment in, ES documents out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsflow_shared.messages import Actor, ActorType, Enrichment, Event, ParsedArticle

_TYPE_FIELD = {
    ActorType.PERSON: "persons",
    ActorType.ORGANIZATION: "organizations",
    ActorType.LOCATION: "locations",
    ActorType.GROUP: "groups",
}


def counted(event: Event) -> bool:
    """Whether an event counts by default (negated and hypothetical ones are kept but not counted)."""
    return not (event.negated or event.hypothetical)


def _event_fields(event: Event, actors: dict[str, Actor]) -> dict[str, Any]:
    def names(ids: list[str]) -> list[str]:
        return [actors[i].name for i in ids if i in actors]

    def countries(ids: list[str]) -> list[str]:
        return sorted({c for i in ids if i in actors and (c := actors[i].country)})

    return {
        "id": event.id,
        "type": event.type.value,
        "mode": event.mode,
        "type_mode": f"{event.type.value}:{event.mode}" if event.mode else event.type.value,
        "source_actors": event.source_actors,
        "target_actors": event.target_actors,
        "reported_by": event.reported_by,
        "source_names": names(event.source_actors),
        "target_names": names(event.target_actors),
        "source_countries": countries(event.source_actors),
        "target_countries": countries(event.target_actors),
        "trigger": event.trigger,
        "sentence": event.sentence,
        "sentence_lemmas": event.sentence_lemmas,
        "sentence_start": event.span.start,
        "sentence_end": event.span.end,
        "date": event.date.value.isoformat() if event.date.value else None,
        "date_granularity": event.date.granularity,
        "date_text": event.date.text,
        "location": event.location,
        "confidence": event.confidence,
        "negated": event.negated,
        "hypothetical": event.hypothetical,
        "future": event.future,
        "counted": counted(event),
    }


def article_doc(
    article: ParsedArticle, enr: Enrichment | None, indexed: datetime
) -> dict[str, Any]:
    """The `articles` document of one article."""
    actors = enr.actors if enr else []
    by_id = {a.id: a for a in actors}
    events = enr.events if enr else []
    doc: dict[str, Any] = {
        "doc_id": article.doc_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site": article.site,
        "site_name": article.site_name,
        "source_kind": article.source_kind.value,
        "title": article.title,
        "text": article.text,
        "title_lemmas": enr.title_lemmas if enr else "",
        "text_lemmas": enr.text_lemmas if enr else "",
        "description": article.description,
        "authors": article.authors,
        "tags": article.tags,
        "language": (enr.language if enr and enr.language else article.language),
        "image": article.image,
        "published": article.published.isoformat() if article.published else None,
        "indexed": indexed.isoformat(),
        "parser": article.parser,
        "enricher": enr.enricher if enr else None,
        "actor_ids": [a.id for a in actors],
        "actor_names": [a.name for a in actors],
        "countries": sorted({a.country for a in actors if a.country}),
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "type": a.type.value,
                "country": a.country,
                "sector": a.sector,
                "roles": a.roles,
                "aliases": a.aliases,
                "mentions": a.mentions,
                "spans": [{"start": sp.start, "end": sp.end} for sp in a.spans],
            }
            for a in actors
        ],
        "event_types": sorted({e.type.value for e in events if counted(e)}),
        "event_modes": sorted({e.mode for e in events if counted(e) and e.mode}),
        "events": [_event_fields(e, by_id) for e in events],
        "quotes": [
            {
                "text": q.text,
                "kind": q.kind,
                "speaker": q.speaker,
                "speaker_name": q.speaker_name,
                "start": q.span.start,
                "end": q.span.end,
            }
            for q in (enr.quotes if enr else [])
        ],
        "word_count": len(article.text.split()),
    }
    for field in _TYPE_FIELD.values():
        doc[field] = []
    for a in actors:
        if a.type in _TYPE_FIELD:
            doc[_TYPE_FIELD[a.type]].append(a.name)
    return doc


def event_docs(article_doc_: dict[str, Any]) -> list[dict[str, Any]]:
    """One `events` document per event, denormalised with its article's metadata."""
    keep = {
        "article_id": article_doc_["doc_id"],
        "title": article_doc_["title"],
        "url": article_doc_["canonical_url"] or article_doc_["url"],
        "site": article_doc_["site"],
        "language": article_doc_["language"],
        "published": article_doc_["published"],
        "indexed": article_doc_["indexed"],
    }
    return [{**ev, **keep} for ev in article_doc_["events"]]

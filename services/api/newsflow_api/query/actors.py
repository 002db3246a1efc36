"""Request bodies of the actor endpoints: lookup by id, name or alias, and an actor's profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsflow_api.query.bodies import ARTICLES, calendar_histogram
from newsflow_api.query.clauses import Clause, Interval, terms


def _actor_match(q: str | None, types: Sequence[str]) -> list[Clause]:
    conds: list[Clause] = []
    if q and q.strip():
        text = q.strip()
        conds.append(
            {
                "bool": {
                    "should": [
                        {"term": {"actors.id": text}},
                        {
                            "match_bool_prefix": {
                                "actors.name.text": {"query": text, "operator": "and", "boost": 2}
                            }
                        },
                        {
                            "match_bool_prefix": {
                                "actors.aliases.text": {"query": text, "operator": "and"}
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if types:
        conds.append(terms("actors.type", types))
    return conds


def _firsts(*fields_: str) -> dict[str, Clause]:
    """The most frequent value of each actor field (one actor id has one name, type, ...)."""
    return {f: {"terms": {"field": f"actors.{f}", "size": 1}} for f in fields_}


def _actor_details(size: int) -> dict[str, Clause]:
    return {
        **_firsts("name", "type", "country", "sector"),
        "aliases": {"terms": {"field": "actors.aliases", "size": size}},
        "mentions": {"sum": {"field": "actors.mentions"}},
    }


def _in_actors(aggs: dict[str, Clause]) -> Clause:
    """Aggregations over the nested actors of the articles."""
    return {"nested": {"path": "actors"}, "aggs": aggs}


def actor_lookup_body(q: str | None, types: Sequence[str], size: int) -> dict[str, Any]:
    """Actors whose id, name or alias matches `q` (prefix-aware), by articles mentioning them."""
    conds = _actor_match(q, types)
    nested_q: Clause = {"bool": {"filter": conds}} if conds else {"match_all": {}}
    return {
        "size": 0,
        "query": {"nested": {"path": "actors", "query": nested_q}},
        "aggs": {
            "actors": _in_actors(
                {
                    "matching": {
                        "filter": nested_q,
                        "aggs": {
                            "ids": {
                                "terms": {"field": "actors.id", "size": size},
                                "aggs": _actor_details(10),
                            }
                        },
                    }
                }
            )
        },
    }


def actor_profile_bodies(
    actor_id: str, *, latest: int, co_actors: int, interval: Interval = "month"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(articles body, events body) of an actor's profile."""
    return (
        _profile_articles(actor_id, latest, co_actors, interval),
        _profile_events(actor_id),
    )


def _profile_articles(
    actor_id: str, latest: int, co_actors: int, interval: Interval
) -> dict[str, Any]:
    """The actor's latest articles, its names, aliases and roles, its co-actors and mentions
    over time."""
    this: Clause = {"term": {"actors.id": actor_id}}
    details = {
        **_actor_details(50),
        "names": {"terms": {"field": "actors.name", "size": 10}},
        "roles": {"terms": {"field": "actors.roles", "size": 20}},
    }
    others = {
        "ids": {"terms": {"field": "actors.id", "size": co_actors}, "aggs": _firsts("name", "type")}
    }
    mentions = {"mentions": {"sum": {"field": "actors.mentions"}}}
    return {
        "size": latest,
        "query": {"bool": {"filter": [{"term": {"actor_ids": actor_id}}]}},
        "sort": [{"published": {"order": "desc", "missing": "_last"}}],
        "track_total_hits": True,
        "_source": list(ARTICLES.source),
        "aggs": {
            "actor": _in_actors(
                {
                    "this": {"filter": this, "aggs": details},
                    "others": {"filter": {"bool": {"must_not": [this]}}, "aggs": others},
                }
            ),
            "over_time": {
                **calendar_histogram("published", interval),
                "aggs": {"actor": _in_actors({"this": {"filter": this, "aggs": mentions}})},
            },
        },
    }


def _profile_events(actor_id: str) -> dict[str, Any]:
    """The actor's counted events as source and as target, by type."""
    by_type = {"terms": {"field": "type", "size": 16}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {
            "bool": {
                "filter": [{"term": {"counted": True}}],
                "should": [
                    {"term": {"source_actors": actor_id}},
                    {"term": {"target_actors": actor_id}},
                ],
                "minimum_should_match": 1,
            }
        },
        "aggs": {
            "as_source": {
                "filter": {"term": {"source_actors": actor_id}},
                "aggs": {"types": by_type},
            },
            "as_target": {
                "filter": {"term": {"target_actors": actor_id}},
                "aggs": {"types": by_type},
            },
        },
    }

"""A trigger being turned into an event, and how the candidates of a sentence are ranked:
one per (sentence, type), the trigger highest in the tree winning and the others filling in
what it lacks."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from newsflow_enrich.events.tables import NEED_PARTIES, NEEDS_ACTOR
from newsflow_shared.messages import EventDate


@dataclass
class Cand:
    """A trigger being turned into an event."""

    tok: Token
    type: str
    mode: str | None
    weight: float
    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    reported_by: list[str] = field(default_factory=list)
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    date: EventDate = field(default_factory=EventDate)
    location: str | None = None


def _rule_confidence(c: Cand) -> float:
    """The rules' own confidence: actors named, a verb trigger, the trigger's prior."""
    n_actors = bool(c.source) + bool(c.target)
    conf = (0.45 + 0.15 * n_actors + (0.1 if c.tok.pos_ == "VERB" else 0.0)) * c.weight
    return conf - (0.05 if c.reported_by else 0.0)


def _enough_parties(c: Cand) -> bool:
    """Whether the event names the actors its type needs (NEEDS_ACTOR, NEED_PARTIES)."""
    parties = len(set(c.source + c.target))
    if c.type in NEED_PARTIES or (c.type == "AGREE" and c.tok.pos_ == "NOUN"):
        return parties >= 2  # "the Paris agreement", "Sweden swapped X for Y"
    return parties >= 1 or c.type not in NEEDS_ACTOR


def _group(cands: list[Cand]) -> list[list[Cand]]:
    groups: dict[str, list[Cand]] = {}
    for c in cands:
        groups.setdefault(c.type, []).append(c)
    return list(groups.values())


def _pick(group: list[Cand]) -> Cand:
    def key(c: Cand) -> tuple[bool, int, bool, float, int]:
        nested = any(o is not c and o.tok in c.tok.ancestors for o in group)
        actors = bool(c.source) + bool(c.target)
        return (not nested, actors, not (c.negated or c.hypothetical), c.weight, -c.tok.i)

    best = max(group, key=key)
    for other in group:
        if other is best:
            continue
        same_flags = (other.negated, other.hypothetical) == (best.negated, best.hypothetical)
        if same_flags and not best.mode and other.mode:
            best.mode = other.mode
        if not best.source and other.source:
            best.source = [a for a in other.source if a not in best.target]
        if not best.target and other.target:
            best.target = [a for a in other.target if a not in best.source]
        if best.date.value is None and other.date.value is not None:
            best.date = other.date
        best.location = best.location or other.location
    return best

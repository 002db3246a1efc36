"""PETRARCH2/Phoenix dictionaries and the CAMEO->PLOVER mapping, loaded from `data/`.

The JSON files are built by `services/enrich/tools/build_dictionaries.py` (sources,
licences and checksums in each file's header and in `data/README.md`). Each function
reads its file once per process; the actor table (27k actors, 34k aliases) is only read
on the first `actor_entry` call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import orjson

from newsflow_shared.messages import ActorType, EventType


@dataclass(frozen=True, slots=True)
class VerbPattern:
    """One CAMEO verb pattern reduced to dependency checks; None = no condition."""

    cameo: str
    type: EventType
    mode: str | None
    particle: str | None = None  # verb particle ("call off")
    obj: frozenset[str] | None = None  # direct-object phrases, lemmas, head last
    prep: frozenset[str] | None = None  # preposition of a prepositional complement
    pobj: frozenset[str] | None = None  # its object phrases
    subj: frozenset[str] | None = None  # subject phrases
    reverse: bool = False  # the target is the one acting (CAMEO "[:code]")


@dataclass(frozen=True, slots=True)
class ActorRole:
    """A CAMEO actor code held over a period (open ends are None)."""

    code: str
    country: str | None
    sector: str | None
    start: date | None
    until: date | None


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """A dictionary actor; country/sector/code are its latest role, `roles` all of them."""

    name: str
    type: ActorType
    country: str | None  # ISO alpha-3
    sector: str | None  # CAMEO sector code: GOV, MIL, REB, COP, IGO, NGO, BUS, ...
    code: str
    start: date | None
    until: date | None
    roles: tuple[ActorRole, ...]


@dataclass(frozen=True, slots=True)
class Discard:
    """A phrase whose sentence (or whole story) PETRARCH does not code."""

    text: str
    scope: Literal["sentence", "story"]
    whole_word: bool


def _load(name: str) -> Any:
    return orjson.loads(files("newsflow_enrich").joinpath("data", name).read_bytes())


def _key(text: str) -> str:
    """Lookup key: NFKC, lower case, curly apostrophes straightened, single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _set(values: list[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def verb_triggers() -> dict[str, list[VerbPattern]]:
    """Verb lemma -> its CAMEO patterns mapped to our PLOVER types (shared objects)."""
    data = _load("verbs.json")
    patterns = [
        VerbPattern(
            cameo=p["cameo"],
            type=EventType(p["type"]),
            mode=p.get("mode"),
            particle=p.get("particle"),
            obj=_set(p.get("obj")),
            prep=_set(p.get("prep")),
            pobj=_set(p.get("pobj")),
            subj=_set(p.get("subj")),
            reverse=bool(p.get("reverse", False)),
        )
        for p in data["patterns"]
    ]
    return {verb: [patterns[i] for i in ids] for verb, ids in data["verbs"].items()}


@cache
def _actors() -> tuple[list[list[Any]], dict[str, int]]:
    data = _load("actors.json")
    return data["actors"], data["aliases"]


def _role(row: list[Any]) -> ActorRole:
    code, country, sector, start, until = row
    return ActorRole(code, country, sector, _date(start), _date(until))


@cache
def _entry(index: int) -> ActorEntry:
    name, kind, country, sector, code, start, until, *rest = _actors()[0][index]
    roles = tuple(_role(r) for r in rest[0]) if rest else ()
    if not roles:
        roles = (ActorRole(code, country, sector, _date(start), _date(until)),)
    return ActorEntry(
        name, ActorType(kind), country, sector, code, _date(start), _date(until), roles
    )


def actor_entry(name: str) -> ActorEntry | None:
    """The Phoenix actor with this name or alias (any case, '_' or ' '), else None."""
    index = _actors()[1].get(_key(name))
    return None if index is None else _entry(index)


@cache
def _agents() -> dict[str, str]:
    agents: dict[str, str] = _load("agents.json")["agents"]
    return agents


def agent_sector(noun: str) -> str | None:
    """CAMEO sector of an agent noun lemma ("police" -> "COP", "foreign minister" -> "GOV")."""
    return _agents().get(_key(noun))


@cache
def discards() -> tuple[Discard, ...]:
    """PETRARCH's discard list: sports, entertainment and history phrases."""
    return tuple(
        Discard(d["text"], d["scope"], d["whole_word"]) for d in _load("discards.json")["discards"]
    )


@cache
def discard_phrases() -> list[str]:
    """The discard phrases in lower case (sentence and story scope alike)."""
    return [d.text for d in discards()]

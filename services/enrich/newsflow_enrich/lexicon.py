"""The trigger lexicon: verb and noun lemmas -> PLOVER type, with mode cues.

The words live in `data/lexicon.json`; this module loads them once at import into the
names the `events` package and quotes.py use. Prisoner exchanges and swaps are coded RETREAT/release
(the captives are let go), as the gold labels do; other exchanges are COOPERATE/exchange.

A trigger is a lemma plus an optional condition on its dependents:
- `obj`: the direct object (or passive subject), its compounds or its "of" complement
  must have one of these lemmas ("pause" is SANCTION only when shipments/aid are paused);
- `prt`: a particle or preposition child must be one of these ("call for", "back down");
  "to" also stands for an infinitive complement ("told Kyiv to stop", "asked X to send").
`type` is "WARN" for "warn", resolved to THREATEN or ACCUSE by context in `events/extractor.py`, and
"NEED" for need/require, a request only with one of `NEED_OBJECTS`.

Deliberately absent, because on the development sets they were nearly never the event:
"pressure" (COERCE: 0 of 11 right, almost always figurative), "remove" (COERCE, 1 of 9),
"target" as a verb (ASSAULT, 1 of 11: "targeting voters"), the noun "warning" (0 of 6).
Further context conditions live in the `events` package (`EventExtractor._licensed`,
`triggers._idiom`, `triggers._sense_idiom`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from newsflow_shared.messages import EventType as T

_PLOVER = frozenset(t.value for t in T)


@dataclass(frozen=True)
class Trigger:
    type: T | str
    mode: str | None = None
    obj: frozenset[str] | None = None
    prt: frozenset[str] | None = None
    weight: float = 1.0  # prior that the word denotes the event at all


def _expand(words: list[str], sets: dict[str, list[str]]) -> list[str]:
    """Words with each "@NAME" replaced by the (recursively expanded) named set."""
    out: list[str] = []
    for word in words:
        out.extend(_expand(sets[word[1:]], sets) if word.startswith("@") else [word])
    return out


def _trigger(spec: dict[str, Any], sets: dict[str, list[str]]) -> Trigger:
    kind = spec["type"]
    obj = spec.get("obj")
    prt = spec.get("prt")
    return Trigger(
        T(kind) if kind in _PLOVER else kind,  # WARN / NEED stay strings
        spec.get("mode"),
        frozenset(_expand(obj, sets)) if obj else None,
        frozenset(prt) if prt else None,
        float(spec.get("weight", 1.0)),
    )


def _triggers(
    table: dict[str, list[dict[str, Any]]], sets: dict[str, list[str]]
) -> dict[str, list[Trigger]]:
    return {lemma: [_trigger(spec, sets) for spec in specs] for lemma, specs in table.items()}


_DATA: dict[str, Any] = json.loads(
    files("newsflow_enrich").joinpath("data/lexicon.json").read_text(encoding="utf-8")
)
_SETS: dict[str, list[str]] = _DATA["word_sets"]

VERBS: dict[str, list[Trigger]] = _triggers(_DATA["verbs"], _SETS)
NOUNS: dict[str, list[Trigger]] = _triggers(_DATA["nouns"], _SETS)
# Mode cues: lemma seen on the trigger, its modifiers or its object -> mode, per type.
MODE_CUES: dict[str, dict[str, str]] = _DATA["mode_cues"]
# Verbs of saying: the speaker reports the events in their complement.
SPEECH = frozenset(_DATA["speech"])
# Verbs whose complement is only intended or hoped for.
INTENT = frozenset(_DATA["intent"])
MODAL_HYPO = frozenset(_DATA["modal_hypo"])
MODAL_FUTURE = frozenset(_DATA["modal_future"])
# Objects of a need/require that make it a request between actors.
NEED_OBJECTS = frozenset(_DATA["need_objects"])

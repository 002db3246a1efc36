"""People within an article: each PERSON mention's canonical full name.

A surname, a titled name or a possessive joins the full name it belongs to; a lone surname of
a well-known office holder is expanded through the gazetteer.
"""

from __future__ import annotations

from collections import Counter

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.mentions import NOBLE_TITLES, Mention


def possessive_free(text: str) -> str:
    """Text without a trailing possessive ("Ukraine's" -> "Ukraine")."""
    for suffix in ("'s", "’s", "‘s", "'", "’"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def bare_name(text: str) -> str:
    """A person's name without possessive, and without an honorific before a full name
    ("Sir Tony Blair" -> "Tony Blair"; "King Charles" and "Lord Alli" keep theirs)."""
    words = possessive_free(text).split()
    while len(words) > 2 and words[0].lower().rstrip(".") in NOBLE_TITLES | {"sir", "dame"}:
        words = words[1:]
    return " ".join(words)


def person_clusters(all_mentions: list[tuple[int, Mention]]) -> dict[int, str]:
    """Map each PERSON mention (by id()) to its canonical full name."""
    persons = [m for _, m in all_mentions if m.label == "PERSON"]
    full: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for m in persons:
        name = bare_name(m.text)
        key = gz.norm(name)
        counts[key] += 1
        if len(name.split()) >= 2 and (key not in full or len(name) > len(full[key])):
            full[key] = name
    by_part: dict[str, set[str]] = {}
    for key in full:
        parts = [p for p in key.split() if p.rstrip(".") not in NOBLE_TITLES]
        for part in parts[:1] + parts[-1:]:
            by_part.setdefault(part, set()).add(key)
    known_by_surname: dict[str, list[str]] = {}
    for known in gz.KNOWN_PEOPLE:
        known_by_surname.setdefault(known.split()[-1], []).append(known)
    out: dict[int, str] = {}
    for m in persons:
        name = bare_name(m.text)
        key = gz.norm(name)
        if key in full:
            out[id(m)] = full[key]
            continue
        matches = by_part.get(key, set())
        if matches:
            # Several full names share the word ("Donald Trump", "Melania Trump"): the one
            # the article names most often is the likelier referent.
            out[id(m)] = full[max(sorted(matches), key=lambda k: counts[k])]
        elif len(known_by_surname.get(key, [])) == 1:
            out[id(m)] = known_by_surname[key][0].title()
        else:
            out[id(m)] = name
    return out

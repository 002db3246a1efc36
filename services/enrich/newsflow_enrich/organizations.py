"""Well-known organisations (data/organizations.json): companies, media, platforms, unions,
NGOs, parties and sports clubs, with their headquarters country and sector.

Two uses:
- an ORG entity the NER tagged is looked up by its normalised text: a listed one gets its
  canonical name, country and sector (`record`);
- a listed name the NER left untagged ("TikTok", "flydubai", "GB News") is found by an exact,
  case-sensitive token match (`untagged_spans`). Names that are ordinary words ("Apple",
  "Shell", "Sun") never count untagged on their own; a club named like a place ("Chelsea",
  "Bournemouth") counts as the club only in a sports story (`is_sports`), and then also
  when the NER tagged it as a place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import spacy
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from newsflow_enrich import classify
from newsflow_enrich import gazetteer as gz
from newsflow_enrich.mentions import Mention

# Labels of entities a listed name may not overlap (other labels, "Nine" CARDINAL, may be).
_ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
# Parts of speech a listed name's first and last word never have.
_NOT_NAME_POS = {"VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PRON", "ADV"}


@dataclass(frozen=True)
class Org:
    """One listed organisation."""

    name: str
    country: str
    sector: str
    club: bool
    common: bool  # the looked-up form is an ordinary word: only as a tagged ORG
    place: bool  # the looked-up form is also a place (clubs): only in a sports story


@dataclass(frozen=True)
class _Table:
    by_key: dict[str, Org]  # normalised name or alias -> organisation
    forms: dict[str, list[tuple[str, ...]]]  # first token -> token sequences, longest first
    cues: re.Pattern[str]
    clubs: re.Pattern[str]  # club names that are no place: naming one makes a sports story


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    # The English tokenizer rules the pipelines share: a name splits as in an article.
    return spacy.blank("en").tokenizer


def _tokens(name: str) -> tuple[str, ...]:
    """A name split into tokens as spaCy splits it ("McDonald's" -> McDonald, 's)."""
    return tuple(t.text for t in _tokenizer()(name))


@lru_cache(maxsize=1)
def _table() -> _Table:
    data: dict[str, Any] = json.loads(
        files("newsflow_enrich").joinpath("data/organizations.json").read_text("utf-8")
    )
    common = {gz.norm(w) for w in data["common_words"]}
    club_places = {gz.norm(w) for w in data["club_places"]}
    by_key: dict[str, Org] = {}
    forms: dict[str, list[tuple[str, ...]]] = {}
    plain_clubs: list[str] = []
    for section in ("organizations", "clubs"):
        for name, (country, sector, *aliases) in data[section].items():
            club = section == "clubs"
            for form in (name, *aliases):
                key = gz.norm(form)
                place = club and (
                    key in club_places or bool(gz.place_country(key) or gz.country_code(key))
                )
                by_key[key] = Org(name, country, sector, club, key in common, place)
                tokens = _tokens(form)
                forms.setdefault(tokens[0], []).append(tokens)
                if club and not place and key not in common and " " in key:
                    plain_clubs.append(re.escape(form))
    for seqs in forms.values():
        seqs.sort(key=len, reverse=True)
    cues = "|".join(re.escape(c) for c in data["sports_cues"])
    return _Table(
        by_key,
        forms,
        re.compile(rf"\b(?:{cues})\b"),
        re.compile(rf"\b(?:{'|'.join(sorted(plain_clubs, key=len, reverse=True))})\b"),
    )


def record(text: str) -> Org | None:
    """The listed organisation a name or alias stands for ("Man Utd" -> Manchester United)."""
    return _table().by_key.get(gz.norm(text))


def is_sports(texts: list[str]) -> bool:
    """Whether an article (its title and text) is a sports story: a score line ("2-1"),
    one of PETRARCH2's sports discards, a sports cue word or a listed club not named
    like a place ("Manchester United")."""
    table = _table()
    for text in texts:
        low = text.lower()
        if classify.has_score(text) or "story" in classify.discard_scopes(low):
            return True
        if table.cues.search(low) or table.clubs.search(text):
            return True
    return False


def tagged_org(text: str, label: str, sports: bool) -> Org | None:
    """The listed organisation an entity of the NER stands for: any listed name tagged ORG;
    a listed name tagged as a place or group ("McDonald's" FAC) unless it is an ordinary
    word or a place too, which a club ("West Ham" LOC) may be in a sports story."""
    org = record(text)
    if org is None or label == "ORG":
        return org
    if label not in {"GPE", "LOC", "FAC", "NORP"} or org.common:
        return None
    if org.club:
        return org if sports or not org.place else None
    return None if gz.place_country(text) or gz.country_code(text) else org


def relabel_persons(per_doc: list[list[Mention]], sports: bool) -> None:
    """A listed organisation the NER took for a person ("Spotify" PERSON in "dropped by
    Spotify") is the organisation, unless the article names a person of that surname
    ("Walt Disney" ... "Disney") or the name is an ordinary word or surname ("Ford"); a
    club ("Chelsea" in "Chelsea beat Bournemouth 2-1") only in a sports story."""
    persons = [m.text for ms in per_doc for m in ms if m.label == "PERSON"]
    surnames = {gz.norm(t.split()[-1]) for t in persons if len(t.split()) > 1}
    for m in (m for ms in per_doc for m in ms if m.label == "PERSON"):
        org = record(m.text)
        if org is None or org.common or gz.norm(m.text) in surnames:
            continue
        if (sports or not org.club) and gz.person_record(m.text) is None:
            m.label = "ORG"


def untagged_spans(doc: Doc, covered: set[int], sports: bool) -> list[tuple[int, int]]:
    """Token ranges of listed names the NER left untagged: exact case-sensitive tokens, not
    inside an actor entity or mention (`covered`); a range may swallow an entity of another
    label ("Nine" CARDINAL in "Nine News"). Ordinary words count only in a longer form
    ("The Sun"); place-named clubs only in a sports story; lone short acronyms never."""
    table = _table()
    tagged = {k for e in doc.ents if e.label_ in _ACTOR_LABELS for k in range(e.start, e.end)}
    blocked = covered | tagged
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        end = _match(doc, i, table.forms.get(doc[i].text, ()), blocked, sports)
        if end:
            out.append((i, end))
            i = end
        else:
            i += 1
    return out


def _match(
    doc: Doc, i: int, seqs: Sequence[tuple[str, ...]], blocked: set[int], sports: bool
) -> int | None:
    for seq in seqs:
        end = i + len(seq)
        if end > len(doc) or any(doc[k].text != w for k, w in zip(range(i, end), seq, strict=True)):
            continue
        if any(k in blocked for k in range(i, end)):
            continue
        if doc[i].pos_ in _NOT_NAME_POS or doc[end - 1].pos_ in _NOT_NAME_POS:
            continue
        if end < len(doc) and doc[end].text == "-":
            continue  # "Apple-backed": a modifier, not the name
        org = record(doc[i:end].text)
        if org is None:
            continue
        if len(seq) == 1 and (org.common or len(seq[0]) < 3):
            continue
        if org.place and not sports:
            continue
        return end
    return None

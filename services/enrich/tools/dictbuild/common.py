"""Sources and their licences, word lists of the conversion, and lemmas as the enricher's
spaCy pipeline gives them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc

from newsflow_enrich.settings import get_enrich_settings
from newsflow_shared.messages import EventType

PETRARCH = {
    "licence": "MIT",
    "copyright": "Copyright (c) 2014-2015 Open Event Data Alliance",
    "url": "https://github.com/openeventdata/petrarch2 (petrarch2/data/dictionaries)",
}
PLOVER = {
    "licence": "CC BY-SA 4.0",
    "copyright": "PLOVER, Open Event Data Alliance (ed. Philip Schrodt), 2021",
    "url": "https://github.com/openeventdata/PLOVER",
}


def words(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


# Our 16 event types (declared once, in messages.py); PLOVER's older names for two of them.
OUR_TYPES = frozenset(t.value for t in EventType)
TYPE_ALIASES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE"}

PARTICLES = words(
    "up down out off back away over on in forward aside through around along together "
    "apart about ahead"
)
PREPOSITIONS = words(
    "for to with against on in of from by at into over about after before during between "
    "among under upon toward towards across through within without behind alongside since "
    "amid despite near beyond outside inside onto via per like as until"
)
DETERMINERS = words("a an the")
# Without a tagger the rule lemmatizer strips any final "s" ("willingness" -> "willingnes").
SINGULAR_ENDINGS = ("ss", "us", "is", "news")
MAX_ALTERNATIVES = 200  # a phrase built from several synsets expands to their product

# CAMEO actor codes: the sector segments we keep, and prefixes that are not countries.
SECTORS = words(
    "GOV MIL REB OPP PTY COP JUD SPY LEG ELI BUS MED EDU CVL HLH REF LAB AGR CRM DEV ENV "
    "HRI MOD RAD INS SEP UAF IGO NGO NGM"
)
ORG_PREFIXES = {"IGO": "IGO", "NGO": "NGO", "NGM": "NGO", "MNC": "BUS", "IMG": "REB"}
# CAMEO religion codes; MUS (Muslim) is also Mauritius's ISO code ("IMGMUSALQ" = al-Qaeda).
RELIGIONS = words("MUS CHR JEW HIN BUD SIK ZRO TAO JAN SHN CON ATH BAH ITR")
CAMEO_TO_ISO = {"KSV": "XKX", "TMP": "TLS"}  # CAMEO codes that are not ISO alpha-3
GROUP_SECTORS = words("REB INS SEP UAF")
ACTOR_COLUMNS = ["name", "type", "country", "sector", "code", "from", "until", "roles"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source(ref: Path, rel: str, licence: dict[str, str]) -> dict[str, str]:
    return {"file": rel, **licence, "sha256": sha256(ref / rel)}


def lines(path: Path) -> Iterator[str]:
    """Lines with comments ('#' to the end) and trailing blanks removed."""
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        yield raw.split("#", 1)[0].rstrip()


# --- lemmas -----------------------------------------------------------------------------


@cache
def _lemmatizer() -> Any:
    nlp = spacy.load(
        get_enrich_settings().model, exclude=["tok2vec", "tagger", "parser", "ner", "senter"]
    )
    return nlp, nlp.get_pipe("lemmatizer")


@cache
def lemma(word: str, pos: str = "NOUN") -> str:
    """The lemma the enricher's spaCy pipeline gives `word` with this part of speech."""
    word = word.lower()
    if pos == "NOUN" and word.endswith(SINGULAR_ENDINGS):
        return word  # the tagger marks these singular, so spaCy keeps them at run time
    nlp, lemmatizer = _lemmatizer()
    doc = Doc(nlp.vocab, words=[word])
    doc[0].pos_ = pos
    return str(lemmatizer.rule_lemmatize(doc[0])[0])


def phrase_lemma(words: Iterable[str]) -> str:
    return " ".join(lemma(w) for w in words if w.lower() not in DETERMINERS)

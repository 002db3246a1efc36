"""Place and actor data: country names, demonyms, metonyms, known actors.

Country names come from pycountry (ISO 3166) with the short names newsrooms use; the
cities and pycountry's subdivisions come from `data/places.json` (written by
tools/build_places.py); the regions newsrooms name from `data/regions.json`; the
rest is small hand-kept data in `data/gazetteer.json`, in the spirit of the PETRARCH/Phoenix
actor dictionaries: demonyms, seats of government, a few dozen well-known office holders
and international organisations, and words that give an organisation's sector. This
module loads it once at import into the names mentions.py and actors.py use.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pycountry

_DATA: dict[str, Any] = json.loads(
    files("newsflow_enrich").joinpath("data/gazetteer.json").read_text(encoding="utf-8")
)
# Cities (GeoNames) and subdivisions (pycountry), written by tools/build_places.py:
# name -> country.
_PLACES: dict[str, dict[str, str]] = json.loads(
    files("newsflow_enrich").joinpath("data/places.json").read_text(encoding="utf-8")
)
_REGION_DATA: dict[str, Any] = json.loads(
    files("newsflow_enrich").joinpath("data/regions.json").read_text(encoding="utf-8")
)
# Last words a region's name may carry ("Kursk region", "Rakhine State").
REGION_HEADS: frozenset[str] = frozenset(_REGION_DATA["heads"])
# Subdivision names news uses for something else ("Red Sea"): see tools/build_places.py.
NOT_PLACES: frozenset[str] = frozenset(_REGION_DATA["not_places"])
# ISO names that no newsroom uses ("Russian Federation", "Korea, Republic of").
_SHORT_NAMES: dict[str, str] = _DATA["short_names"]
# Codes pycountry does not have (Kosovo).
_EXTRA_COUNTRIES: dict[str, str] = _DATA["extra_countries"]
# Other ways articles name a country (lower-case, without a leading "the").
_EXTRA_NAMES: dict[str, str] = _DATA["extra_names"]
DEMONYMS: dict[str, str] = _DATA["demonyms"]
# Seats of government: always the government when named as a body.
GOVERNMENT_SEATS: dict[str, str] = _DATA["government_seats"]
# Capitals: the government when they act ("Moscow said"), a place otherwise.
CAPITALS: dict[str, str] = _DATA["capitals"]
# Continents and blocs whose adjective is not a country ("European leaders").
REGION_DEMONYMS: set[str] = set(_DATA["region_demonyms"])
# Group names (NORP that are not nationalities, and named movements).
GROUPS: dict[str, str] = _DATA["groups"]
# Weapon systems the NER takes for actors, and the nouns that follow them (rule WEAPON).
WEAPONS: frozenset[str] = frozenset(_DATA["weapons"])
WEAPON_NOUNS: frozenset[str] = frozenset(_DATA["weapon_nouns"])
GROUP_SECTORS: dict[str, str] = _DATA["group_sectors"]
GROUP_COUNTRIES: dict[str, str] = _DATA["group_countries"]
# International organisations: alias -> (canonical name, id slug).
IGOS: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _DATA["igos"].items()}
# Well-known office holders: lower-case full name -> (country, sector).
KNOWN_PEOPLE: dict[str, tuple[str, str]] = {
    k: (v[0], v[1]) for k, v in _DATA["known_people"].items()
}
# Nouns that stand for the party their "of"/"from" phrase names ("delegations from Armenia").
PARTY_NOUNS: frozenset[str] = frozenset(_DATA["party_nouns"])
# Last words that make a name an organisation ("Pacific Islands Forum", "Arakan Army").
ORG_HEADS: frozenset[str] = frozenset(_DATA["org_heads"])
# Nouns for people or bodies the PETRARCH2 agent nouns miss ("prisoner", "dissident").
PERSON_NOUNS: frozenset[str] = frozenset(_DATA["person_nouns"])
# Words in an organisation name (or a person's title) that give its sector.
SECTOR_WORDS: dict[str, set[str]] = {k: set(v) for k, v in _DATA["sector_words"].items()}


@lru_cache(maxsize=1)
def _people() -> dict[str, list[str]]:
    data = json.loads(files("newsflow_enrich").joinpath("data/people.json").read_text("utf-8"))
    people: dict[str, list[str]] = data["people"]
    return people


def person_record(name: str) -> tuple[str | None, str] | None:
    """(country, sector) of a person of the people table (data/people.json) by full name,
    accents ignored ("Luiz Inácio Lula da Silva" -> ("BRA", "GOV")); heads of international
    organisations have no country. None for names not in the table."""
    record = _people().get(fold(norm(name)))
    if record is None:
        return None
    country, sector = record
    return (None if country == "IGO" else country), sector


def norm(text: str) -> str:
    """Normalised lookup key: NFKC, lower case, curly quotes straightened, no leading 'the'."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").strip().lower()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"\s+", " ", text)


def fold(text: str) -> str:
    """The text without its diacritics ("Michoacán" -> "Michoacan")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    short: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_3
        name = _SHORT_NAMES.get(code) or getattr(c, "common_name", None) or c.name
        short[code] = name
        for variant in (c.name, name, getattr(c, "official_name", None)):
            if variant:
                by_name[norm(variant)] = code
    for key, code in _EXTRA_NAMES.items():
        by_name[key] = code
    short.update(_EXTRA_COUNTRIES)
    return by_name, short


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    """Curated regions (data/regions.json): normalised name, and its ASCII fold -> country."""
    index: dict[str, str] = {}
    for code, names in _REGION_DATA["regions"].items():
        for name in names:
            index[norm(name)] = code
            index.setdefault(fold(norm(name)), code)
    return index


def country_code(name: str) -> str | None:
    """ISO alpha-3 for a country name or variant ("U.S." -> "USA"), else None."""
    return _country_index()[0].get(norm(name))


def country_name(code: str) -> str:
    """The common English short name of an ISO alpha-3 code ("RUS" -> "Russia")."""
    return _country_index()[1].get(code, code)


def demonym_code(word: str) -> str | None:
    """ISO alpha-3 for a demonym, singular or plural ("Russians" -> "RUS")."""
    key = norm(word)
    if key in DEMONYMS:
        return DEMONYMS[key]
    if key.endswith("s") and key[:-1] in DEMONYMS:
        return DEMONYMS[key[:-1]]
    return None


def subdivision_country(name: str) -> str | None:
    """Country of an ISO 3166-2 subdivision whose name no other country's shares
    ("Sinaloa" -> "MEX"; "Punjab", in India and Pakistan, -> None)."""
    return _PLACES["subdivisions"].get(norm(name))


def _named_place(key: str) -> str | None:
    return (
        CAPITALS.get(key)
        or _region_index().get(key)
        or _PLACES["major_cities"].get(key)
        or _PLACES["subdivisions"].get(key)
        or _PLACES["cities"].get(key)
    )


def _region(key: str) -> str | None:
    return _region_index().get(key) or _PLACES["subdivisions"].get(key)


def place_country(name: str) -> str | None:
    """Country of a place: a country itself ("Gaza" -> "PSE"), then a capital, a curated
    region, a city of 250,000 or more, an unambiguous subdivision or a smaller city, in that
    order ("Montana" -> "USA", "Goma" -> "COD"). A name ending in a generic word is tried
    without it as a region or subdivision only ("Kursk region" -> "RUS"; "Police Department"
    is not the Polish town)."""
    key = norm(name)
    found = country_code(key) or _named_place(key) or _named_place(fold(key))
    if found is None and " " in key and key.rsplit(" ", 1)[1] in REGION_HEADS:
        stem = key.rsplit(" ", 1)[0]
        return _region(stem) or _region(fold(stem))
    return found


def sector_of(words: str) -> str | None:
    """Sector code suggested by words of a name or title ("Defense Department" -> "GOV")."""
    lowered = norm(words)
    tokens = set(re.findall(r"[a-z.']+", lowered))
    for sector in ("MIL", "GOV", "MED", "EDU", "REB", "BUS", "CVL"):
        for word in SECTOR_WORDS[sector]:
            if (" " in word and word in lowered) or word in tokens:
                return sector
    return None

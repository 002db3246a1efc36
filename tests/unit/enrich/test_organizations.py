"""The organisations table (data/organizations.json) and how it finds and labels names the
NER left untagged or mislabelled: apps, airlines, broadcasters, clubs in match reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files

import pycountry
import pytest

from newsflow_enrich import gazetteer as gz
from newsflow_enrich import organizations
from newsflow_enrich.core import Enricher
from newsflow_enrich.mentions import Mention
from newsflow_shared.messages import ActorType, Enrichment

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]
SECTORS = {"BUS", "MED", "LAB", "NGO", "PTY", "EDU", "JUD", "REB"}


def _data() -> dict:  # type: ignore[type-arg]
    text = files("newsflow_enrich").joinpath("data/organizations.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def orgs(result: Enrichment) -> dict[str, tuple[str | None, str | None]]:
    return {
        a.name: (a.country, a.sector) for a in result.actors if a.type == ActorType.ORGANIZATION
    }


def test_the_table_is_well_formed() -> None:
    data = _data()
    iso3 = {c.alpha_3 for c in pycountry.countries} | set(gz._EXTRA_COUNTRIES)
    seen: dict[str, str] = {}
    for section in ("organizations", "clubs"):
        for name, row in data[section].items():
            country, sector, *aliases = row
            assert country in iso3, (name, country)
            assert sector in SECTORS, (name, sector)
            for form in (name, *aliases):
                key = gz.norm(form)
                assert seen.setdefault(key, name) == name, (form, seen[key], name)
                assert key not in gz.IGOS and key not in gz.GROUPS, form
    assert len(seen) > 1500
    for word in data["common_words"] + data["club_places"]:
        assert gz.norm(word) in seen, word


def test_a_broadcaster_gets_its_canonical_name_and_country(enrich: Enrich) -> None:
    r = enrich("The minister told GB News on Sunday that the plan would be scrapped.")
    assert orgs(r).get("GB News") == ("GBR", "MED"), orgs(r)


def test_common_words_count_untagged_only_in_a_longer_form(enricher: Enricher) -> None:
    doc = enricher.nlp("Apple and Shell shares fell, The Sun and Sky Sports reported.")
    doc.ents = []  # as if the NER had missed them all
    found = [doc[s:e].text for s, e in organizations.untagged_spans(doc, set(), False)]
    assert found == ["The Sun", "Sky Sports"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # untagged by the NER: an app and an airline
            "Passengers on a flydubai flight to Kathmandu posted videos on TikTok after the "
            "plane was diverted, the airline said.",
            {"flydubai": ("ARE", "BUS"), "TikTok": ("CHN", "BUS")},
        ),
        (  # clubs named like their towns, in a match report ("Chelsea" tagged PERSON)
            "Chelsea beat Bournemouth 2-1 at Stamford Bridge on Saturday, with the winner "
            "coming in stoppage time.",
            {"Chelsea FC": ("GBR", "BUS"), "AFC Bournemouth": ("GBR", "BUS")},
        ),
    ],
)
def test_listed_organisations_the_ner_missed(
    enrich: Enrich, text: str, expected: dict[str, tuple[str, str]]
) -> None:
    found = orgs(enrich(text))
    assert {name: found.get(name) for name in expected} == expected, found


def test_a_town_named_club_is_a_place_outside_sport(enrich: Enrich) -> None:
    r = enrich("Flooding closed several roads in Bournemouth on Monday, the council said.")
    assert "AFC Bournemouth" not in orgs(r), orgs(r)
    assert any(a.name == "Bournemouth" for a in r.actors), [a.name for a in r.actors]


def test_a_short_club_name_joins_the_full_club(enrich: Enrich) -> None:
    r = enrich("Man Utd were booed off after the defeat, and the manager said he understood.")
    assert orgs(r).get("Manchester United") == ("GBR", "BUS"), orgs(r)


def test_sports_stories_are_told_by_scores_cues_and_clubs() -> None:
    assert organizations.is_sports(["Arsenal drew 1-1 with Everton."])
    assert organizations.is_sports(["The striker signed for Manchester United."])
    assert not organizations.is_sports(["Chelsea Clinton spoke in Brentford on Monday."])


def test_a_company_taken_for_a_person_is_the_company(enrich: Enrich) -> None:
    r = enrich(
        "The snub came after Meghan's podcast was dropped by Spotify after one series, "
        "the former adviser said."
    )
    assert orgs(r).get("Spotify") == ("SWE", "BUS"), orgs(r)


@pytest.mark.parametrize("sports", [False, True])
def test_a_surname_or_a_club_outside_sport_stays_a_person(sports: bool) -> None:
    names = ["Michael Bloomberg", "Bloomberg", "Spotify", "Chelsea", "Ford"]
    mentions = [Mention(k, k + 1, name, "PERSON") for k, name in enumerate(names)]
    organizations.relabel_persons([mentions], sports)
    chelsea = "ORG" if sports else "PERSON"
    assert [m.label for m in mentions] == ["PERSON", "PERSON", "ORG", chelsea, "PERSON"]

"""The precision rules: trigger words in senses that are not events, on real news sentences
(the development articles of tests/gold), and the actor rules that drop non-actors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from enrich_helpers import names, only

from newsflow_shared.messages import ActorType, Enrichment

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]

# (sentence, event type that must NOT be coded)
NOT_EVENTS = [
    # NEEDS_ACTOR: a cooperative type with neither source nor target named.
    (
        "The floors at both locations are being used to support evolving accommodation "
        "needs within the National Capital Region, LaRose said.",
        "SUPPORT",
    ),
    (
        "Palestinian NGOs and major aid groups have warned that Gaza is entering into famine.",
        "AID",
    ),
    # A denial of a claim is a statement, not a refusal.
    ("Moore denied being in a relationship with Cotham back in April.", "REJECT"),
    # "calling" something a name is not a phone call.
    (
        "Strava on Thursday announced the private beta of a feature it's calling "
        '"athlete intelligence."',
        "CONSULT",
    ),
    # "threat" naming a danger, not an act of threatening.
    (
        "The minister has confirmed that it was upgrading its web management system to "
        "cope with cybersecurity threats.",
        "THREATEN",
    ),
    # A named treaty with one party is no agreement event; cooperation needs two parties.
    ("India is charging ahead on its climate commitments under the Paris climate treaty.", "AGREE"),
    (
        "In the early 2010s, Sweden swapped a mandatory military service for men for a "
        "professional model more akin to the UK system.",
        "COOPERATE",
    ),
    # Asking a question is not a request; "hard to tell" is not telling anyone to do anything.
    (
        "On the r/Airforce subreddit, a user asked veterans whether, in hindsight, they would "
        "still choose to join the military.",
        "REQUEST",
    ),
    ("Whether Washington's climate U-turn affected China's targets is hard to tell.", "REQUEST"),
    # A trigger noun modifying another noun names a kind of thing.
    (
        "Authorities seized black gloves, a Glock, a knife (possibly the murder weapon?) "
        "and other items.",
        "ASSAULT",
    ),
    # Other senses of assault words.
    (
        "The airline had said a flight carrying 167 passengers from Kathmandu to Dubai "
        "experienced a bird strike during take-off late on Monday.",
        "ASSAULT",
    ),
    ("Ukrainian air defenses destroyed and jammed 549 drones and 55 missiles.", "ASSAULT"),
    (
        "To get through a crisis, the Finnish online brochure suggests playing games, reading "
        "books or doing crafts to kill time.",
        "ASSAULT",
    ),
    # "pressure" is not coded COERCE: in news it is nearly always figurative.
    (
        "His administration has not imposed new sanctions nor taken steps to pressure the "
        "Kremlin directly.",
        "COERCE",
    ),
]


@pytest.mark.parametrize(("text", "type_"), NOT_EVENTS)
def test_not_an_event(enrich: Enrich, text: str, type_: str) -> None:
    r = enrich(text)
    assert not [e for e in r.events if e.type.value == type_], [
        (e.type.value, e.trigger) for e in r.events
    ]


def test_ask_to_is_a_request(enrich: Enrich) -> None:
    r = enrich("Zelensky asked Trump to send more Patriot air defense systems to Ukraine.")
    ev = only(r, "REQUEST")
    assert names(r, ev.source_actors) == {"Volodymyr Zelensky"}
    assert names(r, ev.target_actors) == {"Donald Trump"}


def test_declined_to_is_a_rejection(enrich: Enrich) -> None:
    r = enrich("Prince Andrew declined to be interviewed by federal prosecutors.")
    assert names(r, only(r, "REJECT").source_actors) == {"Prince Andrew"}


def test_discussed_topic_is_not_a_party(enrich: Enrich) -> None:
    r = enrich("Putin and Trump discussed Ukraine on Thursday.")
    ev = only(r, "CONSULT")
    assert names(r, ev.source_actors) == {"Vladimir Putin"}
    assert names(r, ev.target_actors) == {"Donald Trump"}  # the dyad, not the topic


def test_named_things_and_stances_are_not_actors(enrich: Enrich) -> None:
    r = enrich(
        "Lady Starmer attended London Fashion Week. The Good Friday Agreement was signed in "
        "1998. Several pro-Israel activists gathered outside."
    )
    found = {a.name for a in r.actors}
    assert "London Fashion Week" not in found
    assert "Good Friday Agreement" not in found
    assert not [a for a in r.actors if a.type == ActorType.GROUP]


def test_passing_group_adjective_is_dropped_but_acting_group_kept(enrich: Enrich) -> None:
    r = enrich("Midwestern voters are split. Republicans criticized the plan on Monday.")
    groups = {a.name for a in r.actors if a.type == ActorType.GROUP}
    assert "Republicans" in groups
    assert "Midwestern" not in groups


def test_bracket_glued_to_a_name(enrich: Enrich) -> None:
    r = enrich('"[Mykhailo Fedorov] did a great job," the post said. Fedorov left on Monday.')
    assert "Mykhailo Fedorov" in {a.name for a in r.actors if a.type == ActorType.PERSON}

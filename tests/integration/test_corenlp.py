"""The CoreNLP NER backend against the real server process (`make test` starts it with
infra/local/stack.sh corenlp-start). What it raises when the server cannot answer:
tests/unit/enrich/test_ner_errors.py."""

from __future__ import annotations

import os

import pytest

from newsflow_enrich.core import Enricher
from newsflow_enrich.ner import CoreNLPNer, NerSpan
from newsflow_shared.errors import TransientError
from newsflow_shared.messages import ActorType
from newsflow_shared.settings import ModelSettings

pytestmark = pytest.mark.integration

URL = os.environ.get("NEWSFLOW_ENRICH_CORENLP_URL", "http://127.0.0.1:9000")


@pytest.fixture(scope="module")
def corenlp() -> CoreNLPNer:
    ner = CoreNLPNer(URL, timeout=30)
    try:
        ner.spans("Leeds United beat Arsenal.")
    except TransientError as exc:
        pytest.fail(f"CoreNLP not reachable at {URL}: {exc} (run `make test`)")
    return ner


def test_football_clubs_are_organisations(corenlp: CoreNLPNer) -> None:
    text = "Leeds United beat Arsenal 2-1 at Elland Road on Saturday."
    spans = corenlp.spans(text)
    orgs = {text[s.start : s.end] for s in spans if s.label == "ORG"}
    assert {"Leeds United", "Arsenal"} <= orgs
    assert NerSpan(33, 44, "LOC") in spans  # Elland Road


def test_pronouns_are_not_names(corenlp: CoreNLPNer) -> None:
    # CoreNLP's entity mentions list "he", "his", "him" as PERSON (its gender annotator).
    text = "Trump said that he spoke to Putin during his call with him."
    names = [(text[s.start : s.end], s.label) for s in corenlp.spans(text)]
    assert names == [("Trump", "PERSON"), ("Putin", "PERSON")]


def test_offsets_survive_non_ascii_and_astral_characters(corenlp: CoreNLPNer) -> None:
    text = "🎉 Pilar Bernabé told journalists in Valencia — Nine News reported."
    got = {(text[s.start : s.end], s.label) for s in corenlp.spans(text)}
    assert ("Pilar Bernabé", "PERSON") in got and ("Valencia", "LOC") in got


def test_enricher_with_corenlp_finds_the_clubs(corenlp: CoreNLPNer) -> None:
    enricher = Enricher.load(ModelSettings().model, ner=corenlp)
    result = enricher.enrich(
        "Leeds United beat Arsenal",
        "Leeds United beat Arsenal 2-1 on Saturday. Manager Daniel Farke praised the fans.",
        None,
        "corenlp-test",
    )
    names = {(a.name, a.type) for a in result.actors}
    assert ("Leeds United", ActorType.ORGANIZATION) in names
    assert ("Arsenal", ActorType.ORGANIZATION) in names
    assert result.enricher.endswith("+corenlp-3class")

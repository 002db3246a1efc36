"""Quotes with speakers, and non-English articles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsflow_enrich.core import Enricher
from newsflow_shared.messages import Enrichment

pytestmark = pytest.mark.unit
Enrich = Callable[..., Enrichment]


def test_seed_quotes(seed: Enrichment) -> None:
    direct = {q.text: q for q in seed.quotes if q.kind == "direct"}
    assert direct["Russia will continue to pursue its goals"].speaker == "person:vladimir-putin"
    last = next(q for t, q in direct.items() if t.startswith("In Russia, only Putin"))
    assert last.speaker == "person:volodymyr-zelensky"
    # A quote paragraph without attribution continues the previous speaker.
    cont = next(q for t, q in direct.items() if t.startswith("Our president said"))
    assert cont.speaker == "person:yury-ushakov"
    reported = [q for q in seed.quotes if q.kind == "reported"]
    assert any(
        q.speaker == "person:volodymyr-zelensky" and "direct talks" in q.text for q in reported
    )


def test_inverted_attribution_and_according_to(enrich: Enrich) -> None:
    r = enrich(
        '"We will not surrender a single village," said Ukrainian President Volodymyr '
        'Zelensky.\n\n"The talks failed," according to Sergei Lavrov.'
    )
    speakers = {q.text: q.speaker for q in r.quotes if q.kind == "direct"}
    assert speakers["We will not surrender a single village,"] == "person:volodymyr-zelensky"
    assert speakers["The talks failed,"] == "person:sergei-lavrov"


def test_non_english_is_not_enriched(enricher: Enricher) -> None:
    r = enricher.enrich(
        "Russland greift Kiew an",
        "Russland hat in der Nacht die ukrainische Hauptstadt mit Drohnen angegriffen, "
        "teilten die Behörden am Donnerstag mit.",
        None,
        "de",
    )
    assert r.language == "de"
    assert r.actors == [] and r.events == [] and r.quotes == []
    assert enricher.language("", "Russia attacked Kyiv overnight, officials said.") == "en"

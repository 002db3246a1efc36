"""The CoreNLP span merge on real sentences parsed by the real spaCy model (no server)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from newsflow_enrich.chunks import pieces
from newsflow_enrich.core import Enricher
from newsflow_enrich.ner import (
    SPACY_NAMES,
    CoreNLPNer,
    NerSpan,
    _utf16_to_index,
    merge_entities,
    place_label,
)

pytestmark = pytest.mark.unit


def _span(text: str, part: str, label: str) -> NerSpan:
    start = text.index(part)
    return NerSpan(start, start + len(part), label)


def _ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_corenlp_spans_replace_overlapping_spacy_entities(enricher: Enricher) -> None:
    text = "Leeds United beat Arsenal 2-1 at Elland Road on Saturday."
    doc = enricher.nlp(text)
    spans = [_span(text, "Leeds United", "ORG"), _span(text, "Arsenal", "ORG")]
    merge_entities(doc, spans, drop=SPACY_NAMES)
    ents = _ents(doc)
    assert ("Leeds United", "ORG") in ents and ("Arsenal", "ORG") in ents
    assert ("Saturday", "DATE") in ents  # spaCy's DATE, overlapping nothing, stays
    assert not any(
        label in SPACY_NAMES and t not in ("Leeds United", "Arsenal") for t, label in ents
    )


def test_spacy_norp_and_dates_stay_names_are_corenlps(enricher: Enricher) -> None:
    text = (
        "Swedish Prime Minister Ulf Kristersson on Monday admitted he was concerned about "
        "the revelations by newspaper Dagens Nyheter."
    )
    doc = enricher.nlp(text)
    spacy_labels = dict(_ents(doc))
    merge_entities(
        doc,
        [_span(text, "Ulf Kristersson", "PERSON"), _span(text, "Dagens Nyheter", "ORG")],
        drop=SPACY_NAMES,
    )
    ents = dict(_ents(doc))
    assert ents["Ulf Kristersson"] == "PERSON" and ents["Dagens Nyheter"] == "ORG"
    assert ents.get("Monday") == spacy_labels.get("Monday") == "DATE"
    assert ents.get("Swedish") == spacy_labels.get("Swedish") == "NORP"


def test_keep_mode_keeps_spacy_names_corenlp_missed(enricher: Enricher) -> None:
    text = "Tanner Fischer has been working for UPS since he was 18."
    doc = enricher.nlp(text)
    before = _ents(doc)
    merge_entities(doc, [_span(text, "Tanner Fischer", "PERSON")], drop=frozenset())
    after = _ents(doc)
    assert ("Tanner Fischer", "PERSON") in after
    assert [e for e in before if e[0] == "UPS"] == [e for e in after if e[0] == "UPS"]


def test_locations_become_gpe_only_when_the_gazetteer_knows_them(enricher: Enricher) -> None:
    text = "Police in Valencia and Kathmandu searched the banks of the Arabian Sea."
    doc = enricher.nlp(text)
    spans = [_span(text, p, "LOC") for p in ("Valencia", "Kathmandu", "Arabian Sea")]
    merge_entities(doc, spans, drop=SPACY_NAMES)
    ents = dict(_ents(doc))
    assert ents["Kathmandu"] == "GPE"  # a capital
    assert ents["Arabian Sea"] == "LOC"
    assert place_label("Nepal") == "GPE" and place_label("Elland Road") == "LOC"


def test_spans_inside_a_token_expand_and_overlaps_are_dropped(enricher: Enricher) -> None:
    text = "Kamala Harris' years in Montreal's Westmount."
    doc = enricher.nlp(text)
    harris = _span(text, "Kamala Harris", "PERSON")
    merge_entities(doc, [harris, NerSpan(harris.start + 2, harris.end, "ORG")], drop=SPACY_NAMES)
    assert [e for e in _ents(doc) if "Harris" in e[0]] == [("Kamala Harris", "PERSON")]


def test_request_text_offsets_split_back_per_doc() -> None:
    ner = CoreNLPNer("http://127.0.0.1:1/")  # never contacted: spans() is replaced
    texts = ["Arsenal beat Leeds", "Keir Starmer spoke."]
    joined = "\n\n\n".join(texts)
    ner.spans = lambda text: [  # type: ignore[method-assign]
        _span(joined, "Arsenal", "ORG"),
        _span(joined, "Leeds", "ORG"),
        _span(joined, "Keir Starmer", "PERSON"),
    ]
    assert ner.spans_many(texts) == [
        [NerSpan(0, 7, "ORG"), NerSpan(13, 18, "ORG")],
        [NerSpan(0, 12, "PERSON")],
    ]


def test_utf16_offsets_and_long_texts() -> None:
    text = "Fans 🎉 cheered Arsenal."
    table = _utf16_to_index(text)
    assert table is not None
    java_start = text.index("Arsenal") + 1  # the emoji is two UTF-16 units
    assert table[java_start] == text.index("Arsenal")
    assert _utf16_to_index("plain") is None
    long = "para one\n\n" * 30
    cut_up = list(pieces(long, 50))  # CoreNLP requests are cut like spaCy's pieces
    assert "".join(p for _, p in cut_up) == long and all(len(p) <= 50 for _, p in cut_up)
    assert all(long[off : off + len(p)] == p for off, p in cut_up)

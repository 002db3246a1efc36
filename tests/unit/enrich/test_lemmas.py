"""lemma_string and query_lemmas: the search API must lemmatise queries like the index."""

from __future__ import annotations

import pytest

from newsflow_enrich.core import Enricher
from newsflow_enrich.ner import CoreNLPNer
from newsflow_shared.lemmas import lemma_string, lemmatised_by, model_id, query_lemmas
from newsflow_shared.settings import ModelSettings

pytestmark = pytest.mark.unit


def test_lemma_string_lowercases_and_drops_punctuation(enricher: Enricher) -> None:
    doc = enricher.nlp("Russian drones attacked Kyiv, officials said.")
    assert lemma_string(doc) == "russian drone attack kyiv official say"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("attacks", "attack"),
        ("talks", "talk"),
        ("attacked", "attack"),
        ("sanctions", "sanction"),
        ("negotiations", "negotiation"),
        ("Attacks", "attack"),
        ("shelled", "shell"),
        ("Putin", "putin"),
    ],
)
def test_single_word_queries(enricher: Enricher, query: str, expected: str) -> None:
    assert query_lemmas(enricher.nlp, query) == expected


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("Russia attacked Kyiv overnight.", "attacked"),
        ("The attacks killed two people.", "attacks"),
        ("Moscow and Kyiv held talks in Istanbul.", "talks"),
        ("The EU imposed new sanctions on Iran.", "sanctions"),
    ],
)
def test_query_matches_running_text(enricher: Enricher, sentence: str, word: str) -> None:
    doc = enricher.nlp(sentence)
    in_text = next(t.lemma_.lower() for t in doc if t.text == word)
    assert query_lemmas(enricher.nlp, word) == in_text


def test_multi_word_query(enricher: Enricher) -> None:
    assert query_lemmas(enricher.nlp, "drone attacks on Kyiv") == "drone attack on kyiv"
    assert query_lemmas(enricher.nlp, "  ") == ""


def test_the_enricher_records_the_model_the_api_checks_against(enricher: Enricher) -> None:
    """The API compares `model_id` of its own pipeline (the same package, loaded without
    the parser) with the model an article's `enricher` name records."""
    import spacy

    lemmas_only = spacy.load(ModelSettings().model, exclude=["parser", "ner", "senter"])
    assert lemmatised_by(enricher.name) == model_id(lemmas_only) == model_id(enricher.nlp)
    assert model_id(lemmas_only).startswith("en_core_web_sm")  # the default model
    # another NER backend is named after the model, and the model still reads back
    with_corenlp = Enricher.load(ModelSettings().model, ner=CoreNLPNer("http://127.0.0.1:9"))
    assert with_corenlp.name.startswith(enricher.name) and "+corenlp" in with_corenlp.name
    assert lemmatised_by(with_corenlp.name) == model_id(lemmas_only)

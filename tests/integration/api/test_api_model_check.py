"""The API refuses to start when its lemmatiser model is not the one that enriched the index,
checked at start-up on the real Elasticsearch (an index of this test's own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from api_corpus import build_article

pytestmark = pytest.mark.integration

OTHER = "newsflow-enrich-2/en_core_web_md-3.8.0+corenlp"


@pytest.fixture
def own(es: Any, settings: Any) -> Iterator[Any]:
    """Settings naming empty indices of their own."""
    from newsflow_shared.indices import drop_indices, init_indices

    mine = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}model-{uuid.uuid4().hex[:6]}-"}
    )
    init_indices(es, mine.index_prefix)
    yield mine
    drop_indices(es, mine.index_prefix)


def _index(es: Any, prefix: str, i: int, enricher: str) -> None:
    from newsflow_index.bulk import write_batch

    outcome = write_batch(es, prefix, [build_article(i, str.lower, enricher)])
    assert not outcome.retry and not outcome.rejected, outcome
    es.indices.refresh(index=f"{prefix}*")


async def _starts(settings: Any, api_settings: Any) -> bool:
    from newsflow_api.main import create_app

    app = create_app(settings, api_settings)
    async with app.router.lifespan_context(app):
        return bool(app.state.api.lemmatise("attacks") == "attack")


async def test_an_empty_index_and_one_of_the_same_model_pass(
    es: Any, own: Any, api_settings: Any, nlp: Any
) -> None:
    from newsflow_shared.lemmas import enricher_name

    assert await _starts(own, api_settings)
    _index(es, own.index_prefix, 0, enricher_name("newsflow-enrich-2", nlp, "corenlp"))
    assert await _starts(own, api_settings)


async def test_an_index_enriched_with_another_model_stops_the_start(
    es: Any, own: Any, api_settings: Any, nlp: Any
) -> None:
    from newsflow_api.model_check import ModelMismatch
    from newsflow_shared.indices import names
    from newsflow_shared.lemmas import enricher_name, model_id

    _index(es, own.index_prefix, 0, enricher_name("newsflow-enrich-2", nlp))
    _index(es, own.index_prefix, 1, OTHER)
    with pytest.raises(ModelMismatch) as refused:
        await _starts(own, api_settings)
    why = str(refused.value)
    assert f"queries with {model_id(nlp)} (NEWSFLOW_ENRICH_MODEL)" in why
    index = names("articles", own.index_prefix).read
    assert f"index {index} was enriched with en_core_web_md-3.8.0 (1 articles)" in why

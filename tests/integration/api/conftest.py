"""API test fixtures: the fixture corpus indexed through the real index stage, and the real app
(its lifespan run) served in-process over httpx against the real Elasticsearch and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from api_corpus import API_KEY, build_corpus


@pytest.fixture(scope="session")
def settings(settings):  # type: ignore[no-untyped-def]
    """Indices of their own: the pipeline tests index into the run's main prefix, and the
    facet-count assertions here need to know exactly which documents exist."""
    return settings.model_copy(update={"index_prefix": f"{settings.index_prefix}api-"})


@pytest.fixture(scope="session")
def indices(es, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from newsflow_shared.indices import drop_indices, init_indices

    init_indices(es, settings.index_prefix)
    yield settings.index_prefix
    drop_indices(es, settings.index_prefix)


@pytest.fixture(scope="session")
def nlp() -> Any:
    import spacy

    from newsflow_api.lemmatiser import EXCLUDE
    from newsflow_shared.settings import ModelSettings

    return spacy.load(ModelSettings().model, exclude=EXCLUDE)


@pytest.fixture(scope="session")
def corpus(es, indices, nlp):  # type: ignore[no-untyped-def]
    """The 48 fixture articles, indexed with newsflow_index.bulk.write_batch and refreshed."""
    from newsflow_index.bulk import write_batch
    from newsflow_shared.lemmas import enricher_name, lemma_string

    def lemmas(text: str) -> str:
        return lemma_string(nlp(text))

    articles = build_corpus(lemmas, enricher_name("fixture-1", nlp))
    outcome = write_batch(es, indices, articles)
    assert not outcome.retry and not outcome.rejected, outcome
    es.indices.refresh(index=f"{indices}*")
    return articles


@pytest.fixture(scope="session")
def api_settings():  # type: ignore[no-untyped-def]
    from newsflow_api.settings import ApiSettings

    return ApiSettings(key=API_KEY)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings, api_settings, corpus, runtime) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    from newsflow_api.main import create_app

    application = create_app(settings, api_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        yield c

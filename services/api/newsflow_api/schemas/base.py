"""What every response model shares: the base, error bodies, facet buckets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(extra="forbid")


def examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class ParamProblem(Out):
    parameter: str
    location: str = "query"
    message: str


class ErrorBody(Out):
    """Every 4xx/5xx answer: a code, a sentence, and the parameter at fault when there is one."""

    model_config = examples(
        {
            "status": 422,
            "error": "invalid_parameter",
            "message": "size: must be at most 100",
            "parameter": "size",
            "problems": [
                {"parameter": "size", "location": "query", "message": "must be at most 100"}
            ],
        }
    )

    status: int
    error: str
    message: str
    parameter: str | None = None
    problems: list[ParamProblem] = Field(default_factory=list)


class Bucket(Out):
    value: str
    count: int
    label: str | None = None  # e.g. the country name for an ISO code


class DateBucket(Out):
    date: dt.date  # start of the interval
    count: int


class Highlights(Out):
    title: str | None = None
    text: list[str] = Field(default_factory=list)

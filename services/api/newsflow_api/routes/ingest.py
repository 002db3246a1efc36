"""POST /ingest and GET /jobs/{job_id}, both behind the API key: submit URLs and feeds,
follow the job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from newsflow_api.auth import KEY_ERRORS, ApiKey, refuse_without_key
from newsflow_api.deps import State, json_response
from newsflow_api.errors import error
from newsflow_api.schemas.base import ErrorBody, ParamProblem
from newsflow_api.schemas.ops import IngestRequest, IngestResponse, JobItem, JobOut, Rejection
from newsflow_api.settings import ApiSettings
from newsflow_shared.ledger import Ledger
from newsflow_shared.runtime import Runtime
from newsflow_shared.submit import Submitter

router = APIRouter(tags=["ingest"])

MAX_LISTED_ITEMS = 200


def _submit(rt: Runtime, body: IngestRequest) -> IngestResponse:
    sub = Submitter(rt, source=f"api{': ' + body.note if body.note else ''}")
    for url in body.urls:
        sub.url(url.strip())
    for feed in body.feeds:
        sub.feed(feed.strip())
    s = sub.sub
    return IngestResponse(
        job_id=s.job_id,
        items=s.items,
        rejected=[Rejection(source=src, reason=r) for src, r in s.rejected],
        job_url=f"/jobs/{s.job_id}",
    )


def _check_limits(body: IngestRequest, api: ApiSettings) -> Response | None:
    """413 for more items than `ingest_max_items`; 422 naming the first URL or feed longer
    than `ingest_max_url_bytes` (nothing of the submission is recorded in either case)."""
    n = len(body.urls) + len(body.feeds)
    if n > api.ingest_max_items:
        return error(
            413,
            f"{n} items in one submission: at most {api.ingest_max_items}; split it",
            "urls" if body.urls else "feeds",
        )
    for name, values in (("urls", body.urls), ("feeds", body.feeds)):
        for i, value in enumerate(values):
            size = len(value.encode())
            if size > api.ingest_max_url_bytes:
                msg = f"[{i}] {size} bytes: a URL is at most {api.ingest_max_url_bytes} bytes"
                return error(
                    422,
                    f"{name}: {msg}",
                    name,
                    [ParamProblem(parameter=name, location="body", message=msg)],
                )
    return None


@router.post(
    "/ingest",
    response_model=IngestResponse,
    status_code=202,
    responses={
        **KEY_ERRORS,
        413: {"model": ErrorBody, "description": "more items than the deployment accepts"},
        422: {"model": ErrorBody, "description": "invalid body, or a URL too long"},
        503: {"model": ErrorBody, "description": "Redis unavailable"},
    },
    summary="Submit URLs and feeds",
    description="Queues page URLs and feeds for fetching; returns the job id to follow at "
    "/jobs/{job_id}. Inputs that cannot be fetched (e.g. not http(s)) are recorded as rejected.",
)
async def ingest(
    state: State,
    body: IngestRequest,
    x_api_key: ApiKey = None,
) -> Response:
    refused = refuse_without_key(state.api, x_api_key)
    if refused is not None:
        return refused
    if not body.urls and not body.feeds:
        return error(422, "body: give at least one of urls, feeds", "urls")
    refused = _check_limits(body, state.api)
    if refused is not None:
        return refused
    # The submitter (Redis ledger + Celery publish) is synchronous: keep it off the event loop.
    out = await run_in_threadpool(_submit, state.runtime, body)
    return json_response(out, 202)


def _job(ledger: Ledger, job_id: str) -> JobOut | None:
    if not ledger.job_exists(job_id):
        return None
    s = ledger.summary(job_id)
    bad = ledger.items(job_id, states=("rejected", "failed"))
    items = {"rejected": [], "failed": []}  # type: dict[str, list[JobItem]]
    for rec in bad[: 2 * MAX_LISTED_ITEMS]:
        state = rec.get("state", "")
        if state in items and len(items[state]) < MAX_LISTED_ITEMS:
            items[state].append(JobItem(**{k: rec.get(k) for k in JobItem.model_fields}))
    created = datetime.fromtimestamp(s["created"], tz=UTC) if s.get("created") else None
    return JobOut(
        job_id=job_id,
        source=s.get("source"),
        created=created,
        submitted=s["submitted"],
        counts=s["counts"],
        in_flight=s["in_flight"],
        done=s["done"],
        rejected=items["rejected"],
        failed=items["failed"],
    )


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    responses={
        **KEY_ERRORS,
        404: {"model": ErrorBody, "description": "unknown job"},
        503: {"model": ErrorBody, "description": "Redis unavailable"},
    },
    summary="Job status",
    description=f"Counts by state, and the rejected and failed items (at most {MAX_LISTED_ITEMS} "
    "each). Needs the API key, like POST /ingest: items name what was submitted.",
)
async def get_job(
    state: State,
    job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["5b0d2f4c9e1a7b33"])],
    x_api_key: ApiKey = None,
) -> Response:
    refused = refuse_without_key(state.api, x_api_key)
    if refused is not None:
        return refused
    job = await run_in_threadpool(_job, state.runtime.ledger, job_id)
    if job is None:
        return error(404, f"no job {job_id!r}", "job_id")
    return json_response(job)

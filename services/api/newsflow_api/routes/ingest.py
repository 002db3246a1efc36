"""POST /ingest (API key) and GET /jobs/{job_id}: submit URLs and feeds, follow the job."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from newsflow_api.deps import State, json_response
from newsflow_api.errors import error
from newsflow_api.schemas import (
    ErrorBody,
    IngestRequest,
    IngestResponse,
    JobItem,
    JobOut,
    Rejection,
)
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


@router.post(
    "/ingest",
    response_model=IngestResponse,
    status_code=202,
    responses={
        401: {"model": ErrorBody, "description": "no X-API-Key header"},
        403: {"model": ErrorBody, "description": "wrong key, or ingest disabled"},
        422: {"model": ErrorBody, "description": "invalid body"},
        503: {"model": ErrorBody, "description": "Redis unavailable"},
    },
    summary="Submit URLs and feeds",
    description="Queues page URLs and feeds for fetching; returns the job id to follow at "
    "/jobs/{job_id}. Inputs that cannot be fetched (e.g. not http(s)) are recorded as rejected.",
)
async def ingest(
    state: State,
    body: IngestRequest,
    x_api_key: Annotated[str | None, Header(description="the deployment's API key")] = None,
) -> Response:
    expected = state.api.key
    if expected is None:
        return error(403, "ingest is disabled: no NEWSFLOW_API_KEY configured")
    if not x_api_key:
        return error(
            401, "X-API-Key header required", "X-API-Key", headers={"WWW-Authenticate": "ApiKey"}
        )
    if not secrets.compare_digest(x_api_key.encode(), expected.get_secret_value().encode()):
        return error(403, "wrong API key", "X-API-Key")
    if not body.urls and not body.feeds:
        return error(422, "body: give at least one of urls, feeds", "urls")
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
        404: {"model": ErrorBody, "description": "unknown job"},
        503: {"model": ErrorBody, "description": "Redis unavailable"},
    },
    summary="Job status",
    description=f"Counts by state, and the rejected and failed items (at most {MAX_LISTED_ITEMS} each).",
)
async def get_job(
    state: State,
    job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["5b0d2f4c9e1a7b33"])],
) -> Response:
    job = await run_in_threadpool(_job, state.runtime.ledger, job_id)
    if job is None:
        return error(404, f"no job {job_id!r}", "job_id")
    return json_response(job)

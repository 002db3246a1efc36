"""Sources polled on a schedule: GET /sources (open), and behind the API key like /ingest:
POST /sources, DELETE /sources/{id}, POST /sources/{id}/pause and /resume."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from newsflow_api.auth import KEY_ERRORS, ApiKey, refuse_without_key
from newsflow_api.deps import State, json_response
from newsflow_api.errors import error
from newsflow_api.schemas.base import ErrorBody
from newsflow_shared.source_registry import SourceExists
from newsflow_shared.sources import NewSource, Source

router = APIRouter(tags=["sources"])

SourceId = Annotated[str, Path(pattern=r"^s[0-9a-f]{15}$", examples=["s3f2a9c0d1b7e4a5"])]
_LIST = TypeAdapter(list[Source])
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "no such source"}
}


@router.get(
    "/sources",
    response_model=list[Source],
    summary="Sources and their health",
    description="Every registered source: its schedule, last poll, status, consecutive "
    "errors, the items its last poll submitted and in all, and `health` "
    "(new, ok, failing, paused).",
)
async def list_sources(state: State) -> Response:
    sources = await run_in_threadpool(state.runtime.sources.all)
    return Response(_LIST.dump_json(sources), media_type="application/json")


@router.post(
    "/sources",
    response_model=Source,
    status_code=201,
    responses={
        **KEY_ERRORS,
        409: {"model": ErrorBody, "description": "a source with this URL exists"},
        422: {"model": ErrorBody, "description": "invalid body or interval too short"},
    },
    summary="Register a source",
    description="A feed, a news sitemap (or sitemap index) or a front page, polled at once "
    "and then every `interval` seconds; each poll's new items go into a job of their own.",
)
async def add_source(state: State, body: NewSource, x_api_key: ApiKey = None) -> Response:
    refused = refuse_without_key(state.api, x_api_key)
    if refused is not None:
        return refused
    try:
        src = await run_in_threadpool(state.runtime.sources.add, body)
    except SourceExists as exc:
        return error(409, str(exc), "url")
    except ValueError as exc:
        return error(422, str(exc), "interval")
    return json_response(src, 201)


@router.get(
    "/sources/{source_id}",
    response_model=Source,
    responses=NOT_FOUND,
    summary="One source and its health",
)
async def get_source(state: State, source_id: SourceId) -> Response:
    src = await run_in_threadpool(state.runtime.sources.get, source_id)
    if src is None:
        return error(404, f"no source {source_id!r}", "source_id")
    return json_response(await run_in_threadpool(state.runtime.sources.with_due, src))


@router.delete(
    "/sources/{source_id}",
    status_code=204,
    responses={**KEY_ERRORS, **NOT_FOUND},
    summary="Remove a source",
    description="Stops polling it; the jobs its polls made stay.",
)
async def remove_source(state: State, source_id: SourceId, x_api_key: ApiKey = None) -> Response:
    refused = refuse_without_key(state.api, x_api_key)
    if refused is not None:
        return refused
    if not await run_in_threadpool(state.runtime.sources.remove, source_id):
        return error(404, f"no source {source_id!r}", "source_id")
    return Response(status_code=204)


async def _switch(state: State, source_id: str, x_api_key: str | None, pause: bool) -> Response:
    refused = refuse_without_key(state.api, x_api_key)
    if refused is not None:
        return refused
    reg = state.runtime.sources
    if not await run_in_threadpool(reg.pause if pause else reg.resume, source_id):
        return error(404, f"no source {source_id!r}", "source_id")
    return await get_source(state, source_id)


@router.post(
    "/sources/{source_id}/pause",
    response_model=Source,
    responses={**KEY_ERRORS, **NOT_FOUND},
    summary="Pause a source",
)
async def pause_source(state: State, source_id: SourceId, x_api_key: ApiKey = None) -> Response:
    return await _switch(state, source_id, x_api_key, pause=True)


@router.post(
    "/sources/{source_id}/resume",
    response_model=Source,
    responses={**KEY_ERRORS, **NOT_FOUND},
    summary="Resume a paused source (polled at once)",
)
async def resume_source(state: State, source_id: SourceId, x_api_key: ApiKey = None) -> Response:
    return await _switch(state, source_id, x_api_key, pause=False)

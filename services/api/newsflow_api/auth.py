"""The API key that guards writes and jobs (`POST /ingest`, `GET /jobs/{id}`, source
writes): the header, its documented error responses, and the check."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import Response

from newsflow_api.errors import error
from newsflow_api.schemas.base import ErrorBody
from newsflow_api.settings import ApiSettings

ApiKey = Annotated[str | None, Header(description="the deployment's API key")]
KEY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "no X-API-Key header"},
    403: {"model": ErrorBody, "description": "wrong key, or ingest disabled"},
}


def refuse_without_key(api: ApiSettings, x_api_key: str | None) -> Response | None:
    """401/403 unless the request carries the deployment's API key (ingest, jobs and source
    writes: a job shows what was submitted, local file paths included)."""
    expected = api.key
    if expected is None:
        return error(403, "ingest is disabled: no NEWSFLOW_API_KEY configured")
    if not x_api_key:
        return error(
            401, "X-API-Key header required", "X-API-Key", headers={"WWW-Authenticate": "ApiKey"}
        )
    if not secrets.compare_digest(x_api_key.encode(), expected.get_secret_value().encode()):
        return error(403, "wrong API key", "X-API-Key")
    return None

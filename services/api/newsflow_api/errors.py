"""Every error becomes a JSON `ErrorBody`: 4xx naming the parameter, 503 when a backend is down."""

from __future__ import annotations

from typing import Any

from elastic_transport import ConnectionError as EsConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsflow_api.deps import json_response
from newsflow_api.query.clauses import ParamError
from newsflow_api.schemas.base import ErrorBody, ParamProblem
from newsflow_shared.logs import get_logger

log = get_logger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    414: "uri_too_long",
    422: "invalid_parameter",
    503: "unavailable",
}


def error_body(
    status: int,
    message: str,
    parameter: str | None = None,
    problems: list[ParamProblem] | None = None,
) -> ErrorBody:
    """The body of every error the API (or its HTTP server, see `server`) answers."""
    return ErrorBody(
        status=status,
        error=_STATUS_CODES.get(status, "error"),
        message=message,
        parameter=parameter,
        problems=problems or [],
    )


def error(
    status: int,
    message: str,
    parameter: str | None = None,
    problems: list[ParamProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The JSON error response."""
    resp = json_response(error_body(status, message, parameter, problems), status)
    if headers:
        resp.headers.update(headers)
    return resp


def es_error_type(exc: ApiError) -> str:
    """The Elasticsearch error type (`index_not_found_exception`, ...), or ""."""
    info: Any = exc.info
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        return str(info["error"].get("type", ""))
    return ""


def _problem(err: dict[str, Any]) -> ParamProblem:
    loc = [str(x) for x in err.get("loc", ())]
    where = loc[0] if loc else "query"
    name = loc[1] if len(loc) > 1 else where
    msg = str(err.get("msg", "invalid"))
    if len(loc) > 2:  # which value of a repeated parameter, or which body field
        msg = f"[{'.'.join(loc[2:])}] {msg}"
    return ParamProblem(parameter=name, location=where, message=msg)


async def _validation(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # registered for this type only
        raise exc
    problems = [_problem(e) for e in exc.errors()]
    first = problems[0] if problems else None
    msg = "; ".join(f"{p.parameter}: {p.message}" for p in problems) or "invalid request"
    return error(422, msg, first.parameter if first else None, problems)


async def _param(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, ParamError):  # registered for this type only
        raise exc
    return error(
        exc.status,
        f"{exc.parameter}: {exc.message}",
        exc.parameter,
        [ParamProblem(parameter=exc.parameter, message=exc.message)],
    )


async def _http(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):  # registered for this type only
        raise exc
    return error(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


async def _es_api(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # registered for this type only
        raise exc
    kind = es_error_type(exc)
    if isinstance(exc, NotFoundError) and kind == "index_not_found_exception":
        return error(
            503, "search indices are missing: run `newsflow init` (indices are created there)"
        )
    log.error(
        "es_error", path=request.url.path, status=exc.status_code, type=kind, error=str(exc)[:500]
    )
    if exc.status_code == 429 or exc.status_code >= 500:
        return error(
            503,
            "Elasticsearch is overloaded or unavailable; retry later",
            headers={"Retry-After": "5"},
        )
    # A request Elasticsearch refuses is our bug, but the client gets JSON, not a stack trace.
    return error(502, f"Elasticsearch rejected the request ({kind or exc.status_code})")


async def _es_down(request: Request, exc: Exception) -> Response:
    log.warning("es_unreachable", path=request.url.path, error=repr(exc)[:300])
    return error(503, "Elasticsearch is unreachable; retry later", headers={"Retry-After": "5"})


async def _redis_down(request: Request, exc: Exception) -> Response:
    log.warning("redis_unreachable", path=request.url.path, error=repr(exc)[:300])
    return error(
        503, "Redis (the job ledger) is unreachable; retry later", headers={"Retry-After": "5"}
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled_error", path=request.url.path, error=repr(exc)[:500], exc_info=exc)
    return error(500, "internal error")


def install(app: FastAPI) -> None:
    """Register the handlers (most specific first in effect: Starlette matches by MRO)."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ParamError, _param)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _es_api)
    app.add_exception_handler(EsConnectionError, _es_down)
    app.add_exception_handler(TransportError, _es_down)
    app.add_exception_handler(RedisError, _redis_down)
    app.add_exception_handler(Exception, _unexpected)

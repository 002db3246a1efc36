"""A fast path past FastAPI's per-parameter validation for the hot list endpoints.

FastAPI validates each of /search's ~25 query parameters through its generic dependency
machinery: ~0.5 ms of CPU per request, as much as all the rest of the handler. A route of
class `FastPathRoute` whose endpoint carries a `fast_path(request)` first tries that: a strict
parser that accepts only the plain, unambiguous spelling of every parameter (decimal integers,
`true`/`false`, ISO dates, exact enum values) and returns None whenever it is unsure, or when
any check fails. The request then takes the normal FastAPI path, which validates and answers
exactly as before; so errors, their wording and their order are unchanged, and what the fast
path accepts it maps to the very values FastAPI would have produced. The OpenAPI schema comes
from the declared endpoint as before.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Coroutine
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams

FastPath = Callable[[Request], Awaitable[Response | None]]
E = TypeVar("E", bound=Enum)

_POSITIVE_INT = re.compile(r"[1-9][0-9]{0,8}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


class Unsure(Exception):
    """The strict parser does not vouch for a value: let FastAPI validate the request."""


def fast_path(fn: FastPath) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach `fn` as the fast path of the decorated endpoint (apply below `@router.get`)."""

    def attach(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.fast_path = fn  # type: ignore[attr-defined]
        return endpoint

    return attach


class FastPathRoute(APIRoute):
    """Tries the endpoint's `fast_path` first; falls back to FastAPI when it returns None."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        slow = super().get_route_handler()
        fast: FastPath | None = getattr(self.endpoint, "fast_path", None)
        if fast is None:
            return slow

        async def handler(request: Request) -> Response:
            response = await fast(request)
            if response is None:
                return await slow(request)
            return response

        return handler


# ---------------------------------------------------------------- strict readers
# Each returns what FastAPI would pass for the parameter, or raises Unsure. Like FastAPI, a
# single-valued parameter takes the last occurrence, and an absent list parameter is None.


def text(qp: QueryParams, name: str, max_length: int) -> str | None:
    value = qp.get(name)
    if value is not None and len(value) > max_length:
        raise Unsure(name)
    return value


def texts(qp: QueryParams, name: str) -> list[str] | None:
    return qp.getlist(name) or None


def enums(qp: QueryParams, name: str, enum: type[E]) -> list[E] | None:
    values = qp.getlist(name)
    if not values:
        return None
    members = _members(enum)
    try:
        return [members[v] for v in values]
    except KeyError as exc:
        raise Unsure(name) from exc


@cache
def _members(enum: type[Enum]) -> dict[str, Any]:
    return {m.value: m for m in enum}  # exact values only


def choice(qp: QueryParams, name: str, allowed: Collection[str], default: str) -> str:
    value = qp.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise Unsure(name)
    return value


def positive_int(qp: QueryParams, name: str, default: int | None) -> int | None:
    value = qp.get(name)
    if value is None:
        return default
    if not _POSITIVE_INT.fullmatch(value):
        raise Unsure(name)
    return int(value)


def flag(qp: QueryParams, name: str, default: bool) -> bool:
    value = qp.get(name)
    if value is None:
        return default
    try:
        return _BOOLS[value]
    except KeyError as exc:
        raise Unsure(name) from exc


def iso_date(qp: QueryParams, name: str) -> date | None:
    value = qp.get(name)
    if value is None:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise Unsure(name)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Unsure(name) from exc

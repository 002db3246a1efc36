"""Opaque cursors: a point in time, the last sort values, and a digest of what was asked."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsflow_api.query.clauses import ParamError


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: point-in-time id (None after the first page, which is
    searched without one), last sort values, and what was asked."""

    pit: str | None
    after: list[Any]
    sort: str
    query_hash: str


def query_hash(params: Mapping[str, Any]) -> str:
    """A short, order-independent digest of the parameters that define a result set."""
    canon = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def encode_cursor(c: Cursor) -> str:
    """Opaque, URL-safe cursor text."""
    raw = json.dumps(
        {"pit": c.pit, "after": c.after, "sort": c.sort, "qh": c.query_hash}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str, *, sort: str, qhash: str) -> Cursor:
    """Parse a cursor and check it belongs to this query; raises `ParamError("cursor")`."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ParamError(
            "cursor", "malformed cursor: pass back next_cursor unchanged", 400
        ) from exc
    if (
        not isinstance(data, dict)
        or "pit" not in data
        or not (data["pit"] is None or isinstance(data["pit"], str))
        or not isinstance(data.get("after"), list)
        or not data["after"]
        or not all(v is None or isinstance(v, str | int | float) for v in data["after"])
        or not isinstance(data.get("sort"), str)
        or not isinstance(data.get("qh"), str)
    ):
        raise ParamError("cursor", "malformed cursor: pass back next_cursor unchanged", 400)
    if data["sort"] != sort or data["qh"] != qhash:
        raise ParamError(
            "cursor", "cursor belongs to a different query: repeat the original parameters", 400
        )
    return Cursor(data["pit"], data["after"], data["sort"], data["qh"])

"""The strict readers of the fast path: plain spellings map to what FastAPI would produce,
anything else is `Unsure` (and the request is left to FastAPI's validation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from starlette.datastructures import QueryParams

from newsflow_api.routes import fastpath as fp
from newsflow_shared.messages import EventType


def qp(text: str) -> QueryParams:
    return QueryParams(text)


def test_single_values_take_the_last_occurrence_like_fastapi() -> None:
    assert fp.text(qp("q=a&q=b"), "q", 10) == "b"
    assert fp.positive_int(qp("size=3&size=7"), "size", None) == 7


def test_absent_values_take_the_defaults() -> None:
    empty = qp("")
    assert fp.text(empty, "q", 10) is None
    assert fp.texts(empty, "site") is None
    assert fp.enums(empty, "event_type", EventType) is None
    assert fp.positive_int(empty, "size", None) is None
    assert fp.positive_int(empty, "facet_size", 10) == 10
    assert fp.flag(empty, "facets", True) is True
    assert fp.iso_date(empty, "published_from") is None
    assert fp.choice(empty, "sort", {"relevance"}, "relevance") == "relevance"


def test_plain_spellings_are_read() -> None:
    assert fp.texts(qp("site=a&site=b"), "site") == ["a", "b"]
    assert fp.enums(qp("event_type=AGREE"), "event_type", EventType) == [EventType.AGREE]
    assert fp.positive_int(qp("size=20"), "size", None) == 20
    assert fp.flag(qp("facets=false"), "facets", True) is False
    assert fp.flag(qp("facets=1"), "facets", False) is True
    assert fp.iso_date(qp("d=2024-02-29"), "d") == date(2024, 2, 29)
    assert fp.text(qp("q="), "q", 10) == ""  # FastAPI passes the empty string too


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("size=0", lambda p: fp.positive_int(p, "size", None)),
        ("size=05", lambda p: fp.positive_int(p, "size", None)),
        ("size=+5", lambda p: fp.positive_int(p, "size", None)),
        ("size=5.0", lambda p: fp.positive_int(p, "size", None)),
        ("size=", lambda p: fp.positive_int(p, "size", None)),
        ("facets=True", lambda p: fp.flag(p, "facets", True)),
        ("facets=yes", lambda p: fp.flag(p, "facets", True)),
        ("d=2024-02-30", lambda p: fp.iso_date(p, "d")),
        ("d=20240201", lambda p: fp.iso_date(p, "d")),
        ("event_type=agree", lambda p: fp.enums(p, "event_type", EventType)),
        ("sort=popular", lambda p: fp.choice(p, "sort", {"relevance"}, "relevance")),
        ("q=" + "x" * 11, lambda p: fp.text(p, "q", 10)),
    ],
)
def test_anything_else_is_left_to_fastapi(
    query: str, read: Callable[[QueryParams], object]
) -> None:
    with pytest.raises(fp.Unsure):
        read(qp(query))


def test_result_set_hash_is_unchanged_by_the_faster_asdict() -> None:
    from dataclasses import asdict

    from newsflow_api.query import ArticleFilters, EventConstraints, query_hash
    from newsflow_api.routes.params import result_set_hash

    f = ArticleFilters(
        country=("UKR",),
        published_from=date(2024, 1, 1),
        events=EventConstraints(event_type=("AGREE",)),
    )
    old = query_hash({"endpoint": "search", "q": "x", "filters": asdict(f), "sort": "newest"})
    assert result_set_hash("search", " x ", f, "newest") == old

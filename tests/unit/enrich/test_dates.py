"""Date expressions resolved against a publication date, with granularity."""

from __future__ import annotations

from datetime import date

import pytest

from newsflow_enrich.dates import duration_days, format_date, resolve

pytestmark = pytest.mark.unit
PUB = date(2025, 7, 3)  # Thursday


@pytest.mark.parametrize(
    ("text", "expected", "granularity"),
    [
        ("July 3", "2025-07-03", "day"),
        ("Thursday", "2025-07-03", "day"),
        ("Monday", "2025-06-30", "day"),
        ("May 16", "2025-05-16", "day"),
        ("December 20", "2024-12-20", "day"),
        ("3 June 2023", "2023-06-03", "day"),
        ("last month", "2025-06", "month"),
        ("this year", "2025", "year"),
        ("last year", "2024", "year"),
        ("March 2024", "2024-03", "month"),
        ("earlier in the day", "2025-07-03", "day"),
        ("the day", "2025-07-03", "day"),
        ("yesterday", "2025-07-02", "day"),
        ("two days ago", "2025-07-01", "day"),
        ("2022", "2022", "year"),
    ],
)
def test_resolve(text: str, expected: str, granularity: str) -> None:
    d = resolve(text, PUB)
    assert d is not None
    assert format_date(d) == expected
    assert d.granularity == granularity


@pytest.mark.parametrize("text", ["recent weeks", "more than three years", "hours"])
def test_durations_are_not_dates(text: str) -> None:
    assert resolve(text, PUB) is None


def test_future_weekday_looks_forward() -> None:
    d = resolve("Monday", PUB, future=True)
    assert d is not None and d.value == date(2025, 7, 7)


def test_duration_days() -> None:
    assert duration_days("just a day") == 1
    assert duration_days("two weeks") == 14
    assert duration_days("a while") is None

"""What every part of the query package shares: the parameter error, clause types and the
small Elasticsearch clauses filters are made of."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Literal

Lemmatise = Callable[[str], str]
Clause = dict[str, Any]
Sort = Literal["relevance", "newest", "oldest"]
Interval = Literal["day", "week", "month", "year"]

# The calendar dates a filter accepts: any news archive fits, and a range's end plus one day
# (`date_range`) stays a valid date (9999-12-31 + 1 day overflows Python's `date`).
DATE_MIN = date(1000, 1, 1)
DATE_MAX = date(2999, 12, 31)


class ParamError(ValueError):
    """A request parameter is unusable; the API answers 4xx naming `parameter`."""

    def __init__(self, parameter: str, message: str, status: int = 422) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.status = status


def terms(field_: str, values: Iterable[str]) -> Clause:
    """Any of `values` in `field_`."""
    return {"terms": {field_: sorted(set(values))}}


def either(fields_: Sequence[str], values: Iterable[str]) -> Clause:
    """Any of `values` in any of `fields_` (one field: a plain `terms`)."""
    if len(fields_) == 1:
        return terms(fields_[0], values)
    vals = sorted(set(values))
    return {"bool": {"should": [{"terms": {f: vals}} for f in fields_], "minimum_should_match": 1}}


def date_range(field_: str, start: date | None, end: date | None) -> Clause | None:
    """Inclusive calendar-day range; `end` includes the whole day."""
    if start is None and end is None:
        return None
    rng: dict[str, str] = {"format": "strict_date_optional_time"}
    if start is not None:
        rng["gte"] = start.isoformat()
    if end is not None:
        rng["lt"] = (end + timedelta(days=1)).isoformat()
    return {"range": {field_: rng}}

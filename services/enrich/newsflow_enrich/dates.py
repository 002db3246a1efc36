"""Resolve date expressions ("on Thursday", "July 3", "last month") against a publication date.

Hand-written rather than dateparser: news uses a few dozen patterns, we need the
granularity, and parsing must cost microseconds per expression.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from newsflow_shared.messages import EventDate

Granularity = Literal["day", "week", "month", "year", "unknown"]

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "several": 3,
    "few": 3,
}
UNIT_DAYS = {"day": 1, "week": 7}
# Words after which a bare four-digit number is a year ("in 2019", "by 2030", "of 2023" as
# in "the summer of 2023" is left out: "a score of 2072" reads the same).
YEAR_INTRODUCERS = frozenset(
    [
        "in",
        "since",
        "by",
        "until",
        "till",
        "during",
        "from",
        "through",
        "before",
        "after",
        "early",
        "late",
        "mid",
        "around",
        "circa",
        "year",
        "between",
        "and",
        "to",
    ]
)
# How far ahead of the publication date a stated year can plausibly lie.
MAX_YEARS_AHEAD = 10

_SAME_DAY = re.compile(
    r"\b(today|tonight|this (morning|afternoon|evening)|earlier (in the day|today)|"
    r"later (in the day|today)|the day|on the same day|overnight)\b"
)
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_RE})\.?(?:,? (\d{{4}}))?\b"
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,? (\d{{4}})\b")
_MONTH_ONLY = re.compile(rf"^(?:in |early |late |mid-?|since |by |until )*({_MONTH_RE})$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_RELATIVE = re.compile(r"\b(last|this|next|past|earlier this|later this) (week|month|year)\b")
_AGO = re.compile(
    r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|\d+) "
    r"(day|week|month|year)s? (ago|earlier|before|later)\b"
)
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_DURATION = re.compile(
    r"\b(?:just |only )?(a|an|one|two|three|four|five|six|seven|\d+) "
    r"(day|week)s?\b"
)


def _shift_month(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _infer_year(month: int, day: int, pub: date, future: bool) -> date | None:
    try:
        candidate = date(pub.year, month, day)
    except ValueError:
        return None
    # A bare "July 3" in news is the most recent July 3, unless the event is still to come.
    if not future and candidate > pub + timedelta(days=7):
        candidate = candidate.replace(year=pub.year - 1)
    elif future and candidate < pub - timedelta(days=7):
        candidate = candidate.replace(year=pub.year + 1)
    return candidate


def resolve(text: str, published: date | None, *, future: bool = False) -> EventDate | None:
    """Resolve one date expression; None when it is not a point in time (a duration)."""
    low = text.lower().replace("’", "'").strip()
    m = _ISO.search(low)
    if m:
        return _day(date(int(m[1]), int(m[2]), int(m[3])), text)
    if published is None:
        year = _YEAR.search(low)
        if year and not _MONTH_DAY.search(low):
            return EventDate(value=date(int(year[1]), 1, 1), granularity="year", text=text)
        return None
    pub = published
    if _SAME_DAY.search(low):
        return _day(pub, text)
    if re.search(r"\b(yesterday|last night)\b", low):
        return _day(pub - timedelta(days=1), text)
    if re.search(r"\btomorrow\b", low):
        return _day(pub + timedelta(days=1), text)
    for pattern, order in ((_MONTH_DAY, "md"), (_DAY_MONTH, "dm")):
        m = pattern.search(low)
        if m:
            month_s, day_s = (m[1], m[2]) if order == "md" else (m[2], m[1])
            month, day = MONTHS[month_s], int(day_s)
            if m[3]:
                try:
                    return _day(date(int(m[3]), month, day), text)
                except ValueError:
                    return None
            value = _infer_year(month, day, pub, future)
            return _day(value, text) if value else None
    m = _MONTH_YEAR.search(low)
    if m:
        return EventDate(value=date(int(m[2]), MONTHS[m[1]], 1), granularity="month", text=text)
    m = _MONTH_ONLY.search(low)
    if m:
        value = _infer_year(MONTHS[m[1]], 1, pub.replace(day=1), future)
        return EventDate(value=value, granularity="month", text=text) if value else None
    m = _AGO.search(low)
    if m:
        return _ago(m, pub, text)
    m = _RELATIVE.search(low)
    if m:
        return _relative(m[1], m[2], pub, text)
    m = _WEEKDAY.search(low)
    if m:
        delta = (pub.weekday() - WEEKDAYS[m[1]]) % 7
        if future and delta:
            return _day(pub + timedelta(days=7 - delta), text)
        return _day(pub - timedelta(days=delta), text)
    m = _YEAR.search(low)
    if (
        m
        and int(m[1]) <= pub.year + MAX_YEARS_AHEAD
        and not re.search(r"\b(years?|decades?|since|past|over)\b", low)
    ):
        return EventDate(value=date(int(m[1]), 1, 1), granularity="year", text=text)
    return None


def duration_days(text: str) -> int | None:
    """Days in a short duration ("just a day" -> 1, "two weeks" -> 14), else None."""
    m = _DURATION.search(text.lower())
    if not m:
        return None
    n = int(m[1]) if m[1].isdigit() else NUMBERS[m[1]]
    return n * UNIT_DAYS[m[2]]


def _day(value: date, text: str) -> EventDate:
    return EventDate(value=value, granularity="day", text=text)


def _ago(m: re.Match[str], pub: date, text: str) -> EventDate:
    n = int(m[1]) if m[1].isdigit() else NUMBERS[m[1]]
    sign = 1 if m[3] == "later" else -1
    unit = m[2]
    if unit == "day":
        return _day(pub + sign * timedelta(days=n), text)
    if unit == "week":
        return EventDate(value=pub + sign * timedelta(weeks=n), granularity="week", text=text)
    if unit == "month":
        return EventDate(value=_shift_month(pub, sign * n), granularity="month", text=text)
    return EventDate(value=date(pub.year + sign * n, 1, 1), granularity="year", text=text)


def _relative(which: str, unit: str, pub: date, text: str) -> EventDate:
    step = {"last": -1, "past": -1, "next": 1}.get(which, 0)
    if unit == "week":
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=step)
        return EventDate(value=monday, granularity="week", text=text)
    if unit == "month":
        return EventDate(value=_shift_month(pub, step), granularity="month", text=text)
    return EventDate(value=date(pub.year + step, 1, 1), granularity="year", text=text)


def format_date(d: EventDate) -> str | None:
    """The gold format of a resolved date: YYYY-MM-DD, YYYY-MM or YYYY by granularity."""
    if d.value is None:
        return None
    if d.granularity == "year":
        return f"{d.value.year:04d}"
    if d.granularity == "month":
        return f"{d.value.year:04d}-{d.value.month:02d}"
    return d.value.isoformat()

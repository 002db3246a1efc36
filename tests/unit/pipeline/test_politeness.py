"""The fetch stage's politeness parts that need no Redis: origins and the turn a deferred
message booked. The Redis parts (the robots.txt cache, the hosts' turns, `Retry-After`) are
tested against real Redis in tests/integration/test_fetch_http.py and
tests/integration/test_host_schedule.py."""

from __future__ import annotations

import pytest

from newsflow_fetch.politeness import SLOT_HEADER, booked_slot, origin_of

pytestmark = pytest.mark.unit


def test_origin_is_scheme_host_and_port() -> None:
    assert origin_of("https://news.example:8443/a/b?c=1") == "https://news.example:8443"
    assert origin_of("http://News.Example/") == "http://news.example"


def test_a_booked_turn_speaks_for_its_own_host_only() -> None:
    headers = {SLOT_HEADER: "a.example 1764400000.25", "other": "x"}
    assert booked_slot(headers, "a.example") == 1764400000.25
    assert booked_slot(headers, "b.example") == 0.0  # a redirect to another host
    assert booked_slot({}, "a.example") == 0.0
    assert booked_slot(None, "a.example") == 0.0
    assert booked_slot({SLOT_HEADER: "a.example soon"}, "a.example") == 0.0

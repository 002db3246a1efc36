"""The fetch stage's politeness parts on their own: the robots.txt cache (with a stand-in
for the HTTP fetch and the clock) and the per-hop check. The Redis pacer is tested against
real Redis in tests/integration/test_fetch_http.py."""

from __future__ import annotations

import pytest

from newsflow_fetch.politeness import HostPacer, Politeness, RobotsCache, origin_of
from newsflow_shared.errors import PermanentError, TransientError

pytestmark = pytest.mark.unit

UA = "newsflow/0.1 (+https://example.org; research crawler)"
RULES = b"User-agent: *\nDisallow: /private/\n"


class Site:
    """Serves robots.txt answers by origin and counts the requests."""

    def __init__(self, answer: tuple[int, bytes] | Exception = (200, RULES)) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, origin: str) -> tuple[int, bytes]:
        self.asked.append(origin)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_origin_is_scheme_host_and_port() -> None:
    assert origin_of("https://news.example:8443/a/b?c=1") == "https://news.example:8443"
    assert origin_of("http://news.example/") == "http://news.example"


def test_rules_are_fetched_once_per_origin_until_they_expire() -> None:
    site, clock = Site(), Clock()
    cache = RobotsCache(site, ttl=60, clock=clock)
    assert cache.rules("https://a.example/x").can_fetch(UA, "https://a.example/x")
    assert not cache.rules("https://a.example/private/y").can_fetch(
        UA, "https://a.example/private/y"
    )
    assert site.asked == ["https://a.example"]
    cache.rules("https://b.example/x")
    assert site.asked == ["https://a.example", "https://b.example"]
    clock.now += 61
    cache.rules("https://a.example/x")
    assert site.asked[-1] == "https://a.example" and len(site.asked) == 3


def test_cache_is_bounded() -> None:
    site, clock = Site(), Clock()
    cache = RobotsCache(site, ttl=60, max_origins=2, clock=clock)
    for host in ("a", "b", "c", "d"):
        cache.rules(f"https://{host}.example/x")
        assert len(cache.entries) <= 2
    # expired entries are dropped first, fresh ones kept
    clock.now += 61
    cache.rules("https://e.example/x")
    assert set(cache.entries) == {"https://e.example"}


@pytest.mark.parametrize("status", [429, 500, 503])
def test_robots_unavailable_is_transient(status: int) -> None:
    cache = RobotsCache(Site((status, b"")), ttl=60)
    with pytest.raises(TransientError) as e:
        cache.rules("https://a.example/x")
    assert e.value.reason == "robots_unavailable" and str(status) in e.value.message
    assert cache.entries == {}


def test_unreachable_robots_is_transient() -> None:
    cache = RobotsCache(Site(TransientError("timeout", "read timed out")), ttl=60)
    with pytest.raises(TransientError) as e:
        cache.rules("https://a.example/x")
    assert e.value.reason == "robots_unavailable"


def test_unusable_robots_allows_everything_but_a_blocked_address_stays_refused() -> None:
    too_large = RobotsCache(Site(PermanentError("too_large", "over 512 KB")), ttl=60)
    assert too_large.rules("https://a.example/private/x").can_fetch(
        UA, "https://a.example/private/x"
    )
    blocked = RobotsCache(Site(PermanentError("blocked_address", "127.0.0.1")), ttl=60)
    with pytest.raises(PermanentError) as e:
        blocked.rules("https://a.example/x")
    assert e.value.reason == "blocked_address"


def test_before_hop_refuses_what_robots_disallows_and_can_ignore_robots() -> None:
    # interval 0: the pacer never asks Redis (none is given)
    pacer = HostPacer(None, "t", interval=0, max_wait=1)  # type: ignore[arg-type]
    polite = Politeness(pacer, RobotsCache(Site(), ttl=60), UA)
    polite.before_hop("https://a.example/world/a.html")
    with pytest.raises(PermanentError) as e:
        polite.before_hop("https://a.example/private/a.html")
    assert e.value.reason == "robots_disallowed"
    Politeness(pacer, None, UA).before_hop("https://a.example/private/a.html")  # no raise

"""The fetch stage's HTTP adapter against a real local HTTP server: the address policy
holds for the address actually connected to, not only for the DNS answer checked first."""

from __future__ import annotations

import itertools

import httpx
import pytest

from newsflow_fetch import http
from newsflow_fetch.core import FetchedResponse
from newsflow_shared.errors import PermanentError, TransientError
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS, fundus_pages

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def page_url():  # type: ignore[no-untyped-def]
    srv = pageserver.start(CORPUS)
    yield f"http://localhost:{srv.server_address[1]}/corpus/{fundus_pages(1)[0].path}"
    srv.shutdown()


def _fetch(url: str, allow: frozenset[str]) -> FetchedResponse:
    with httpx.Client(timeout=10, trust_env=False) as client:
        return http.fetch(client, url, http.Limits(10 << 20, 5, 30, allow))


def test_connected_address_is_checked_too(page_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # DNS rebinding: the name resolves to a public address when checked, then the
    # connection lands on loopback (here: the check sees a documentation address).
    monkeypatch.setattr(http, "resolve", lambda host, port, **_: ["93.184.216.34"])
    with pytest.raises(PermanentError) as e:
        _fetch(page_url, frozenset())
    assert e.value.reason == "blocked_address" and "127.0.0.1" in e.value.message


def test_allowlisted_host_is_fetched(page_url) -> None:  # type: ignore[no-untyped-def]
    got = _fetch(page_url, frozenset({"localhost"}))
    assert got.status == 200 and got.content_type == "text/html" and len(got.body) > 1000


def test_robots_rules_are_fetched_once_per_origin_for_every_worker(redis) -> None:  # type: ignore[no-untyped-def]
    """Through the real HTTP adapter and real Redis: one robots.txt request per origin for
    two workers' caches alike, again once the TTL has passed."""
    import time
    import uuid

    from newsflow_fetch.politeness import RobotsCache, robots_over_http

    srv = pageserver.start(CORPUS)
    prefix = f"t{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=10, trust_env=False) as client:
        fetch = robots_over_http(client, http.Limits(1 << 20, 5, 10, frozenset({"localhost"})))
        one, two = (RobotsCache(redis, prefix, fetch, ttl=1.0) for _ in range(2))
        try:
            base = f"http://localhost:{srv.server_address[1]}"
            assert one.cached(f"{base}/a.html") is None
            rules = one.refresh(f"{base}/a.html")
            assert rules.can_fetch(f"{base}/corpus/a.html", "newsflow")
            assert not rules.can_fetch(f"{base}/private/a", "newsflow")
            again = two.cached(f"{base}/private/b")  # the other worker: from Redis
            assert again is not None and not again.can_fetch(f"{base}/private/b", "newsflow")
            assert srv.hits["/robots.txt"] == 1
            time.sleep(1.1)
            assert two.cached(f"{base}/a.html") is None  # expired for everyone
        finally:
            srv.shutdown()


@pytest.mark.parametrize("answer", [(503, b""), (429, b""), TransientError("timeout", "slow")])
def test_unavailable_robots_is_transient_and_not_cached(redis, answer) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from newsflow_fetch.politeness import RobotsCache

    def site(origin: str) -> tuple[int, bytes]:
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = RobotsCache(redis, f"t{uuid.uuid4().hex[:8]}", site, ttl=60)
    with pytest.raises(TransientError) as e:
        cache.refresh("https://a.example/x")
    assert e.value.reason == "robots_unavailable"
    assert cache.cached("https://a.example/x") is None


def test_unusable_robots_allows_everything_but_a_blocked_address_stays_refused(redis) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from newsflow_fetch.politeness import RobotsCache

    def site(error: Exception):  # type: ignore[no-untyped-def]
        def fetch(origin: str) -> tuple[int, bytes]:
            raise error

        return fetch

    prefix = f"t{uuid.uuid4().hex[:8]}"
    too_large = RobotsCache(redis, prefix, site(PermanentError("too_large", "over")), ttl=60)
    assert too_large.refresh("https://a.example/private/x").can_fetch(
        "https://a.example/private/x", "newsflow"
    )
    blocked = RobotsCache(redis, prefix, site(PermanentError("blocked_address", "10.0.0.1")), 60)
    with pytest.raises(PermanentError) as e:
        blocked.refresh("https://b.example/x")
    assert e.value.reason == "blocked_address"


def test_turns_of_a_host_are_booked_an_interval_apart(redis) -> None:  # type: ignore[no-untyped-def]
    """Real Redis: one request at a time to a host, an interval after the previous response;
    those who cannot go now get distinct booked turns an interval apart, kept until they
    come; a new request does not jump them; another host is not held up; Retry-After pushes
    the host back; a request whose worker never says it is done holds the host for
    `flight_max` at most."""
    import time
    import uuid

    from newsflow_fetch.politeness import HostSchedule

    hosts = HostSchedule(redis, f"t{uuid.uuid4().hex[:8]}", flight_max=2.0)
    assert hosts.turn("news.example", 0.3).go
    hosts.done("news.example", 0.3)  # its response came
    waiting = [hosts.turn("news.example", 0.3) for _ in range(4)]
    assert not any(t.go for t in waiting)
    slots = [t.slot for t in waiting]
    # an interval apart, plus how long the host's requests take (here: the first one's turn
    # to its done, a few ms, a fifth of it as the moving average starts)
    spacing = [b - a for a, b in itertools.pairwise(slots)]
    assert all(0.3 <= g < 0.35 for g in spacing) and max(spacing) - min(spacing) < 1e-3
    assert 0.25 < waiting[0].delay <= 0.3
    early = hosts.turn("news.example", 0.3, slots[1])  # too early: keeps its turn
    assert not early.go and early.slot == slots[1]
    assert hosts.turn("other.example", 0.3).go
    time.sleep(waiting[0].delay + 0.01)
    assert not hosts.turn("news.example", 0.3).go  # a new request books behind them
    assert hosts.turn("news.example", 0.3, slots[0]).go
    # its response is slow: the next booked turn comes, but waits for it, then an interval
    time.sleep(0.35)
    assert not hosts.turn("news.example", 0.3, slots[1]).go
    hosts.done("news.example", 0.3)
    late = hosts.turn("news.example", 0.3, slots[1])
    assert not late.go and late.slot == slots[1] and 0.25 < late.delay <= 0.3
    hosts.done("pushed.example", 0.1, retry_after=1.0)
    pushed = hosts.turn("pushed.example", 0.1)
    assert not pushed.go and 0.9 < pushed.delay <= 1.0
    # a request never done (its worker died) holds its host for flight_max, no longer
    assert hosts.turn("dead.example", 0.1).go
    stuck = hosts.turn("dead.example", 0.1)
    time.sleep(2.05)
    assert hosts.turn("dead.example", 0.1, stuck.slot).go


def test_no_such_host_is_transient_then_permanent() -> None:
    """NXDOMAIN (.invalid never resolves, RFC 2606): retried once, then rejected for good."""
    url = "https://no-such-host.invalid/news/1"
    with httpx.Client(timeout=10, trust_env=False) as client:
        for final, error in ((False, TransientError), (True, PermanentError)):
            with pytest.raises(error) as e:
                http.fetch(client, url, http.Limits(1 << 20, 5, 10), no_such_host_final=final)
            assert e.value.reason == "dns_no_such_host"


def test_dead_hosts_are_rejected_after_one_retry(runtime, workers) -> None:  # type: ignore[no-untyped-def]
    """Through the fetch worker: each dead host costs two attempts, then `rejected`, so a
    flood of them cannot hold the fetch queue through every retry with backoff."""
    from newsflow_shared.submit import Submitter
    from newsflow_testkit.workers import wait_for_job

    sub = Submitter(runtime, source="dead hosts")
    for i in range(3):
        sub.url(f"https://dead-{i}.example.invalid/story")
    summary = wait_for_job(runtime, sub.sub.job_id, timeout=60)
    assert summary["counts"] == {"rejected": 3}, summary
    for rec in runtime.ledger.items(sub.sub.job_id):
        assert rec["reason"] == "dns_no_such_host" and rec["attempts:fetch"] == "2", rec

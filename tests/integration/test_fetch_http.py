"""The fetch stage's HTTP adapter against a real local HTTP server: the address policy
holds for the address actually connected to, not only for the DNS answer checked first."""

from __future__ import annotations

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
        return http.fetch(
            client, url, max_bytes=10 << 20, max_redirects=5, allow_hosts=allow, total_timeout=30
        )


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


def test_robots_rules_are_fetched_once_per_origin_and_bounded() -> None:
    """Through the real HTTP adapter: one robots.txt request per origin, at most
    `max_origins` origins kept."""
    from newsflow_fetch.politeness import RobotsCache, robots_over_http

    servers = [pageserver.start(CORPUS) for _ in range(3)]
    with httpx.Client(timeout=10, trust_env=False) as client:
        fetch = robots_over_http(
            client,
            max_bytes=1 << 20,
            max_redirects=5,
            allow_hosts=frozenset({"localhost"}),
            total_timeout=10,
        )
        cache = RobotsCache(fetch, ttl=3600, max_origins=2)
        try:
            first = f"http://localhost:{servers[0].server_address[1]}"
            assert cache.rules(f"{first}/corpus/a.html").can_fetch(
                "newsflow", f"{first}/corpus/a.html"
            )
            assert not cache.rules(f"{first}/private/a.html").can_fetch(
                "newsflow", f"{first}/private/a"
            )
            assert servers[0].hits["/robots.txt"] == 1  # the second check used the cached rules
            for srv in servers[1:]:
                cache.rules(f"http://localhost:{srv.server_address[1]}/corpus/a.html")
                assert len(cache.entries) <= 2
                assert srv.hits["/robots.txt"] >= 1
        finally:
            for srv in servers:
                srv.shutdown()


def test_requests_to_one_host_are_paced(redis) -> None:  # type: ignore[no-untyped-def]
    """Real Redis: turns for one host are `interval` apart; other hosts do not wait; a turn
    that cannot come within `max_wait` is a transient `host_busy`."""
    import itertools
    import time
    import uuid

    from newsflow_fetch.politeness import HostPacer

    prefix = f"t{uuid.uuid4().hex[:8]}"
    pacer = HostPacer(redis, prefix, interval=0.3, max_wait=5)
    turns = []
    for _ in range(3):
        pacer.wait_turn("news.example")
        turns.append(time.monotonic())
    assert min(b - a for a, b in itertools.pairwise(turns)) >= 0.28
    assert pacer.wait_turn("other.example") == 0.0
    impatient = HostPacer(redis, prefix, interval=5, max_wait=0.2)
    impatient.wait_turn("busy.example")
    with pytest.raises(TransientError) as e:
        impatient.wait_turn("busy.example")
    assert e.value.reason == "host_busy"
    assert HostPacer(redis, prefix, interval=0, max_wait=1).wait_turn("busy.example") == 0.0


def test_no_such_host_is_transient_then_permanent() -> None:
    """NXDOMAIN (.invalid never resolves, RFC 2606): retried once, then rejected for good."""
    url = "https://no-such-host.invalid/news/1"
    with httpx.Client(timeout=10, trust_env=False) as client:
        for final, error in ((False, TransientError), (True, PermanentError)):
            with pytest.raises(error) as e:
                http.fetch(
                    client,
                    url,
                    max_bytes=1 << 20,
                    max_redirects=5,
                    allow_hosts=frozenset(),
                    total_timeout=10,
                    no_such_host_final=final,
                )
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

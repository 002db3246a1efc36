"""The fetch stage's HTTP adapter against a real local HTTP server: the address policy
holds for the address actually connected to, not only for the DNS answer checked first."""

from __future__ import annotations

import httpx
import pytest

import testserver
from helpers import CORPUS, fundus_pages
from newsflow_fetch import http
from newsflow_fetch.core import FetchedResponse
from newsflow_shared.errors import PermanentError

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def page_url():  # type: ignore[no-untyped-def]
    srv = testserver.start(CORPUS)
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
    monkeypatch.setattr(http, "resolve", lambda host, port: ["93.184.216.34"])
    with pytest.raises(PermanentError) as e:
        _fetch(page_url, frozenset())
    assert e.value.reason == "blocked_address" and "127.0.0.1" in e.value.message


def test_allowlisted_host_is_fetched(page_url) -> None:  # type: ignore[no-untyped-def]
    got = _fetch(page_url, frozenset({"localhost"}))
    assert got.status == 200 and got.content_type == "text/html" and len(got.body) > 1000


def test_robots_rules_are_fetched_once_per_origin_and_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import newsflow_fetch.tasks as tasks
    from newsflow_fetch.settings import FetchSettings

    monkeypatch.setattr(tasks, "fs", FetchSettings(allow_hosts=frozenset({"localhost"})))
    monkeypatch.setattr(tasks, "_robots", {})
    monkeypatch.setattr(tasks, "_ROBOTS_MAX_HOSTS", 2)
    servers = [testserver.start(CORPUS) for _ in range(3)]
    try:
        first = f"http://localhost:{servers[0].server_address[1]}"
        tasks._check_robots(f"{first}/corpus/a.html")
        with pytest.raises(PermanentError) as e:
            tasks._check_robots(f"{first}/private/a.html")
        assert e.value.reason == "robots_disallowed"
        assert servers[0].hits["/robots.txt"] == 1  # the second check used the cached rules
        for srv in servers[1:]:
            tasks._check_robots(f"http://localhost:{srv.server_address[1]}/corpus/a.html")
            assert len(tasks._robots) <= 2
    finally:
        for srv in servers:
            srv.shutdown()

"""Sources polled by the real fetch worker on the real stack, against a real local server whose
feed, sitemap and front page change between polls. Ticks are sent as beat sends them
(`fetch.poll_due`); the last test runs the real beat process instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsflow_shared.celery_app import app
from newsflow_shared.source_registry import SourceRegistry
from newsflow_shared.sources import NewSource, Source, SourcesSettings, SourceType
from newsflow_shared.stages import TASK_POLL_DUE
from newsflow_testkit import sourceserver
from newsflow_testkit.sourceserver import SourceSite, article_path
from newsflow_testkit.workers import REPO, wait_for_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site() -> Iterator[SourceSite]:
    srv = sourceserver.start()
    yield srv
    srv.shutdown()


@pytest.fixture
def reg(runtime: Any) -> Iterator[SourceRegistry]:
    """The registry the fetch worker polls from (same Redis, same prefix); 1 s intervals."""
    registry = SourceRegistry(
        runtime.redis, runtime.settings.ledger_prefix, SourcesSettings(min_interval=1)
    )
    yield registry
    for src in registry.all():
        registry.remove(src.id)


def tick_until(
    reg: SourceRegistry, sid: str, done: Callable[[Source], bool], timeout: float = 60
) -> Source:
    """Send beat's tick every 0.3 s until the source's record satisfies `done`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.send_task(TASK_POLL_DUE, queue="fetch")
        time.sleep(0.3)
        src = reg.get(sid)
        assert src is not None
        if done(src):
            return reg.with_due(src)
    raise AssertionError(f"source {sid} never got there: {reg.get(sid)}")


def indexed_job(runtime: Any, job_id: str, n: int) -> list[str]:
    """Wait for a poll's job; every item indexed; the item URLs."""
    summary = wait_for_job(runtime, job_id, timeout=180)
    assert summary["counts"] == {"indexed": n}, runtime.ledger.items(job_id)
    return sorted(rec["source"] for rec in runtime.ledger.items(job_id))


def test_a_feed_brings_new_items_only_and_a_304_brings_nothing(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry
) -> None:
    site.feed_keys = ["feed-a", "feed-b"]
    src = reg.add(NewSource(url=f"{site.base}/feed.xml", kind=SourceType.FEED, interval=1))
    first = tick_until(reg, src.id, lambda s: s.polls >= 1)
    assert first.last_status == "200" and first.new_last == 2 and first.etag
    assert indexed_job(runtime, first.last_job or "", 2) == [
        f"{site.base}{article_path(k)}" for k in ("feed-a", "feed-b")
    ]
    # unchanged: the validators go back, the server answers 304, nothing is submitted
    again = tick_until(reg, src.id, lambda s: s.polls >= 3)
    assert again.last_status == "304" and again.new_last == 0
    assert again.last_job == first.last_job and again.items_total == 2
    assert site.statuses[("/feed.xml", 304)] >= 2
    assert again.next_due and 0.5 < again.next_due - (again.last_poll or 0) < 1.5
    # a new item: the next poll submits it alone, in a job of its own
    site.feed_keys = ["feed-c", *site.feed_keys]
    third = tick_until(reg, src.id, lambda s: s.last_job != first.last_job)
    assert third.new_last == 1 and third.items_total == 3 and third.health == "ok"
    assert indexed_job(runtime, third.last_job or "", 1) == [f"{site.base}{article_path('feed-c')}"]
    source_of_job = runtime.ledger.summary(third.last_job)["source"]
    assert source_of_job.startswith(f"source {src.id} (feed)")


def test_a_news_sitemap_index_brings_what_its_changed_child_lists(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry
) -> None:
    site.sitemap_keys = ["map-a", "map-b"]
    site.sitemap_changed = time.time() - 3600
    src = reg.add(NewSource(url=f"{site.base}/sitemap_index.xml", kind="sitemap", interval=1))
    first = tick_until(reg, src.id, lambda s: s.polls >= 1)
    assert first.new_last == 2, first
    indexed_job(runtime, first.last_job or "", 2)
    quiet = tick_until(reg, src.id, lambda s: s.polls >= 2)
    assert quiet.last_status == "304" and quiet.last_job == first.last_job
    site.sitemap_keys = [*site.sitemap_keys, "map-c"]
    site.sitemap_changed = time.time()  # the index's lastmod for the child moves on
    later = tick_until(reg, src.id, lambda s: s.last_job != first.last_job)
    assert later.new_last == 1 and later.last_status == "200"
    assert indexed_job(runtime, later.last_job or "", 1) == [f"{site.base}{article_path('map-c')}"]


def test_a_front_page_brings_its_article_links_not_seen_before(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry
) -> None:
    # "feed-a" was submitted by the feed's poll above: seen, so not submitted again
    site.front_keys = ["front-a", "feed-a"]
    src = reg.add(NewSource(url=f"{site.base}/front", kind=SourceType.FRONTPAGE, interval=60))
    first = tick_until(reg, src.id, lambda s: s.polls >= 1)
    assert first.new_last == 1, first  # not the nav links, not the feed's article
    assert indexed_job(runtime, first.last_job or "", 1) == [
        f"{site.base}{article_path('front-a')}"
    ]


def test_a_failing_source_backs_off_and_recovers(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry
) -> None:
    site.failing = True
    site.feed_keys = ["flaky-a"]
    src = reg.add(NewSource(url=f"{site.base}/flaky-feed.xml", interval=1))
    failing = tick_until(reg, src.id, lambda s: s.errors >= 2)
    assert failing.health == "failing" and failing.last_status == "http_503"
    assert failing.last_error and "503" in failing.last_error
    # 1 s interval, 2 errors in a row: the next poll waits 1 * 2**2 = 4 s
    assert 3.5 < (failing.next_due or 0) - (failing.last_poll or 0) < 4.5
    # polled only when due: each request the server saw is one recorded poll
    assert site.hits["/flaky-feed.xml"] == failing.polls
    site.failing = False
    back = tick_until(reg, src.id, lambda s: s.errors == 0, timeout=30)
    assert back.health == "ok" and back.last_status == "200" and back.last_error is None
    assert indexed_job(runtime, back.last_job or "", 1) == [f"{site.base}{article_path('flaky-a')}"]


def test_a_paused_source_is_not_polled_until_resumed(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry
) -> None:
    site.feed_keys = ["paused-a"]
    url = f"{site.base}/feed.xml?paused"
    src = reg.add(NewSource(url=url, interval=1))
    assert reg.pause(src.id)
    for _ in range(10):
        app.send_task(TASK_POLL_DUE, queue="fetch")
        time.sleep(0.3)
    paused = reg.get(src.id)
    assert paused is not None and paused.polls == 0 and paused.health == "paused"
    assert site.hits["/feed.xml?paused"] == 0
    assert reg.resume(src.id)
    resumed = tick_until(reg, src.id, lambda s: s.polls >= 1)
    assert resumed.health == "ok" and resumed.new_last == 1


def test_the_beat_process_schedules_the_polls(
    runtime: Any, workers: Any, site: SourceSite, reg: SourceRegistry, tmp_path: Path
) -> None:
    """The real `celery beat` (as `make up` runs it) ticks; no test sends a tick."""
    site.feed_keys = ["beat-a"]
    src = reg.add(NewSource(url=f"{site.base}/feed.xml?beat", interval=1))
    celery = str(Path(sys.executable).with_name("celery"))
    env = {**os.environ, "NEWSFLOW_SOURCES_TICK": "0.5"}
    cmd = [celery, "-A", "newsflow_shared.beat", "beat", "--schedule", str(tmp_path / "s")]
    with open(tmp_path / "beat.log", "wb") as log:
        beat = subprocess.Popen(
            [*cmd, "--pidfile=", "--loglevel", "INFO"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = reg.get(src.id)
            if got and got.polls >= 3:
                break
            assert beat.poll() is None, (tmp_path / "beat.log").read_text()
            time.sleep(0.3)
        got = reg.get(src.id)
        assert got and got.polls >= 3, (tmp_path / "beat.log").read_text()
        assert got.items_total == 1 and got.last_status == "304"
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=30)


def test_a_due_source_is_claimed_once_and_rescheduled_by_its_outcome(runtime: Any) -> None:
    """The registry alone on the real Redis, under a prefix no worker polls."""
    from newsflow_shared.sources import PollOutcome

    reg = SourceRegistry(
        runtime.redis, f"{runtime.settings.ledger_prefix}:claims", SourcesSettings(min_interval=1)
    )
    src = reg.add(NewSource(url="https://claims.example.invalid/feed.xml", interval=10), now=1000)
    try:
        assert reg.claim_due(now=999) == []  # not yet due
        assert reg.claim_due(now=1000) == [src.id]
        assert reg.claim_due(now=1001) == []  # leased: a second tick sends no second poll
        failed = reg.record(src, PollOutcome(status="http_503", ok=False, error="503"), now=1002)
        assert failed.errors == 1 and failed.next_due == 1002 + 20  # 10 s * 2**1
        assert reg.claim_due(now=1021) == [] and reg.claim_due(now=1022) == [src.id]
        ok = reg.record(
            failed, PollOutcome(status="200", ok=True, etag='"v2"', new_items=3), now=1030
        )
        assert ok.errors == 0 and ok.next_due == 1040 and ok.etag == '"v2"'
        assert ok.items_total == 3 and ok.last_error is None
        reg.claim_due(now=1040)
        same = reg.record(ok, PollOutcome(status="304", ok=True), now=1041)
        assert same.etag == '"v2"' and same.new_last == 0 and same.items_total == 3
        assert reg.unseen(["d1", "d2"]) == [True, True]
        reg.mark_seen(["d1"], now=1041)
        assert reg.unseen(["d1", "d2"]) == [False, True]
    finally:
        reg.remove(src.id)
        runtime.redis.delete(f"{runtime.settings.ledger_prefix}:claims:sources:seen")

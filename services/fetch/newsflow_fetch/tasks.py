"""Celery shell of the fetch stage: download, store the raw page, hand on to parse.

The worker runs on a thread pool (`--pool threads`): what is shared between its threads is
built once under a lock and is thread-safe (httpx's Client, redis-py's pooled client,
Elasticsearch's client; the politeness parts keep their state in Redis)."""

from __future__ import annotations

import threading
from functools import cache
from urllib.parse import urlsplit

import httpx
from celery import current_task

from newsflow_fetch import core, http
from newsflow_fetch.politeness import (
    HopGuard,
    HostSchedule,
    Politeness,
    RobotsCache,
    robots_over_http,
)
from newsflow_fetch.settings import FetchSettings, get_fetch_settings
from newsflow_shared.celery_app import app  # `celery -A <this module>` finds the app here
from newsflow_shared.ids import doc_id_for_url
from newsflow_shared.messages import FeedRequest, FetchRequest, ParseRequest, SourceKind
from newsflow_shared.publish import fair_priority, hand_on
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import get_settings
from newsflow_shared.stages import TASK_FETCH_FEED, TASK_FETCH_PAGE, TASK_PARSE
from newsflow_shared.worker import stage_task

_BUILD = threading.Lock()


def client() -> httpx.Client:
    """One pooled HTTP client per worker process (httpx's Client is thread-safe)."""
    with _BUILD:
        return _client()


def politeness() -> Politeness:
    """This process's politeness (its state is in Redis)."""
    with _BUILD:
        return _politeness()


@cache
def _client() -> httpx.Client:
    fs = get_fetch_settings()
    timeout = httpx.Timeout(fs.read_timeout, connect=fs.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": fs.user_agent},
        # direct connections only: the address policy checks the peer actually reached
        trust_env=False,
    )


@cache
def _politeness() -> Politeness:
    rt, fs = get_runtime(), get_fetch_settings()
    robots_fetch = robots_over_http(_client(), fs.limits(max_bytes=fs.robots_max_bytes))
    prefix = rt.settings.ledger_prefix
    robots = RobotsCache(rt.redis, prefix, robots_fetch, fs.robots_ttl)
    return Politeness(
        schedule=HostSchedule(rt.redis, prefix, flight_max=fs.total_timeout + 5),
        robots=robots if fs.obey_robots else None,
        user_agent=fs.user_agent,
        interval=fs.host_interval,
        crawl_delay_max=fs.crawl_delay_max,
        hop_wait_max=fs.hop_wait_max,
        retry_after_max=fs.retry_after_max,
    )


def _download(url: str, fs: FetchSettings) -> core.FetchedResponse:
    guard = politeness().guard(current_task.request.headers)
    try:
        resp = _guarded(url, fs, guard)
    except BaseException:
        guard.finish(None)
        raise
    guard.finish(resp)
    core.classify_status(resp.status, resp.final_url)
    return resp


def _guarded(url: str, fs: FetchSettings, guard: HopGuard) -> core.FetchedResponse:
    return http.fetch(
        client(),
        url,
        fs.limits(),
        # robots.txt and the host's turn (booked in the message's headers when it was put back)
        before_hop=guard,
        # the retries of this message so far (Celery's count): a missing host is final after
        # `dns_retries` of them
        no_such_host_final=(current_task.request.retries or 0) >= fs.dns_retries,
    )


def _expand_feed(job_id: str, item_id: str, feed_url: str, body: bytes) -> None:
    rt = get_runtime()
    entries = core.parse_feed(body, feed_url)
    for i, (link, hints) in enumerate(entries, 1):
        child, doc_id = f"{item_id}.{i:04d}", doc_id_for_url(link)
        rt.ledger.add_item(job_id, child, link, "url", doc_id)
        hand_on(
            TASK_FETCH_PAGE,
            FetchRequest(job_id=job_id, item_id=child, url=link, doc_id=doc_id, hints=hints),
            priority=fair_priority(i - 1),
        )
    rt.ledger.expanded(job_id, item_id, len(entries))


def fetch_page(msg: FetchRequest) -> None:
    """Fetch one URL; a feed found there is expanded, a page is stored and handed to parse."""
    url = str(msg.url)
    resp = _download(url, get_fetch_settings())
    if core.classify_body(resp.content_type, resp.body) == "feed":
        _expand_feed(msg.job_id, msg.item_id, url, resp.body)
        return
    charset = core.detect_charset(resp.body, resp.header_charset)
    rt = get_runtime()
    rt.store.put_raw(
        msg.doc_id,
        resp.body,
        source_kind=SourceKind.URL.value,
        url=url,
        final_url=resp.final_url,
        content_type=resp.content_type,
        encoding=charset,
        status=resp.status,
        site=urlsplit(resp.final_url).hostname,
        hints=msg.hints,
    )
    rt.ledger.done(msg.job_id, msg.item_id, "fetch", final_url=resp.final_url)
    hand_on(
        TASK_PARSE,
        ParseRequest(
            job_id=msg.job_id,
            item_id=msg.item_id,
            doc_id=msg.doc_id,
            source_kind=SourceKind.URL,
            url=url,
            final_url=resp.final_url,
            hints=msg.hints,
        ),
        # the item keeps its place among the jobs (publish.fair_priority) at the next stage
        priority=(current_task.request.delivery_info or {}).get("priority"),
    )


def fetch_feed(msg: FeedRequest) -> None:
    """Read a feed once and submit its items to the same job."""
    url = str(msg.url)
    resp = _download(url, get_fetch_settings())
    _expand_feed(msg.job_id, msg.item_id, url, resp.body)


fetch_page_task = stage_task(TASK_FETCH_PAGE, "fetch", FetchRequest, fetch_page, get_settings())
fetch_feed_task = stage_task(TASK_FETCH_FEED, "fetch", FeedRequest, fetch_feed, get_settings())

# registers the source-polling tasks (beat's `fetch.poll_due`) on this worker
from newsflow_fetch import poll  # noqa: E402

__all__ = ["app", "fetch_feed_task", "fetch_page_task", "poll"]

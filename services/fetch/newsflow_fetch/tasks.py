"""Celery shell of the fetch stage: download, store the raw page, hand on to parse."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import httpx
from celery import current_task

from newsflow_fetch import core, http
from newsflow_fetch.politeness import HostPacer, Politeness, RobotsCache, robots_over_http
from newsflow_fetch.settings import FetchSettings, get_fetch_settings
from newsflow_shared.celery_app import app  # `celery -A <this module>` finds the app here
from newsflow_shared.ids import doc_id_for_url
from newsflow_shared.messages import FeedRequest, FetchRequest, ParseRequest, SourceKind
from newsflow_shared.publish import hand_on
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import get_settings
from newsflow_shared.stages import TASK_FETCH_FEED, TASK_FETCH_PAGE, TASK_PARSE
from newsflow_shared.worker import stage_task


@cache
def client() -> httpx.Client:
    """One pooled HTTP client per worker process."""
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
def politeness() -> Politeness:
    """The host pacer (on the runtime's Redis) and this process's robots.txt cache."""
    rt, fs = get_runtime(), get_fetch_settings()
    robots_fetch = robots_over_http(
        client(),
        max_bytes=fs.robots_max_bytes,
        max_redirects=fs.max_redirects,
        allow_hosts=fs.allow_hosts,
        total_timeout=fs.total_timeout,
    )
    return Politeness(
        pacer=HostPacer(rt.redis, rt.settings.ledger_prefix, fs.host_interval, fs.host_max_wait),
        robots=RobotsCache(robots_fetch, ttl=fs.robots_ttl) if fs.obey_robots else None,
        user_agent=fs.user_agent,
    )


def _download(url: str, fs: FetchSettings) -> core.FetchedResponse:
    resp = http.fetch(
        client(),
        url,
        max_bytes=fs.max_bytes,
        max_redirects=fs.max_redirects,
        allow_hosts=fs.allow_hosts,
        total_timeout=fs.total_timeout,
        before_hop=politeness().before_hop,
        # the retries of this message so far (Celery's count): a missing host is final after
        # `dns_retries` of them
        no_such_host_final=(current_task.request.retries or 0) >= fs.dns_retries,
    )
    core.classify_status(resp.status, resp.final_url)
    return resp


def _expand_feed(job_id: str, item_id: str, feed_url: str, body: bytes) -> None:
    rt = get_runtime()
    entries = core.parse_feed(body, feed_url)
    for i, (link, hints) in enumerate(entries, 1):
        child, doc_id = f"{item_id}.{i:04d}", doc_id_for_url(link)
        rt.ledger.add_item(job_id, child, link, "url", doc_id)
        hand_on(
            TASK_FETCH_PAGE,
            FetchRequest(job_id=job_id, item_id=child, url=link, doc_id=doc_id, hints=hints),
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

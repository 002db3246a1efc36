"""Polling sources on the fetch workers: beat's `fetch.poll_due` sends one `fetch.poll_source`
per due source; a poll GETs the source conditionally through the fetch stage's SSRF-safe
client, submits the items no poll has submitted before into a job of their own, and records
the outcome (status, validators, new items, consecutive errors) on the source."""

from __future__ import annotations

from datetime import UTC, datetime

from celery.exceptions import SoftTimeLimitExceeded

from newsflow_fetch import core, discover, http
from newsflow_fetch import tasks as fetch_tasks  # the fetch worker's one HTTP client
from newsflow_fetch.settings import get_fetch_settings
from newsflow_shared.celery_app import app
from newsflow_shared.errors import NewsflowError, is_outage
from newsflow_shared.ids import doc_id_for_url
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import PollRequest
from newsflow_shared.runtime import Runtime, get_runtime
from newsflow_shared.sources import (
    PollOutcome,
    Source,
    SourcesSettings,
    conditional_headers,
    get_sources_settings,
)
from newsflow_shared.stages import TASK_POLL_DUE, TASK_POLL_SOURCE, Stage
from newsflow_shared.submit import Submitter

log = get_logger(__name__)


def _get(url: str, headers: dict[str, str] | None = None) -> core.FetchedResponse:
    fs = get_fetch_settings()
    return http.fetch(
        fetch_tasks.client(),
        url,
        fs.limits(),
        # a poll is not retried by Celery: the source's own backoff tries it again later
        no_such_host_final=True,
        headers=headers,
    )


def _read_children(
    sitemap: discover.Sitemap, src: Source, ss: SourcesSettings
) -> tuple[list[discover.Entry], str | None]:
    """The pages of a sitemap index's children changed since the last good poll; children
    that cannot be read are named in the note and tried again next time."""
    since = datetime.fromtimestamp(src.last_ok, UTC) if src.last_ok else None
    entries, failed = list(sitemap.entries), []
    for url in discover.newest_children(sitemap.children, since, ss.max_child_sitemaps):
        try:
            resp = _get(url)
            core.classify_status(resp.status, resp.final_url)
            entries.extend(discover.parse_sitemap(resp.body, resp.final_url).entries)
        except NewsflowError as exc:
            if is_outage(exc):
                raise
            failed.append(f"{url} ({exc.reason})")
    note = f"{len(failed)} child sitemaps unread: {', '.join(failed)}" if failed else None
    return entries, note


def submit_new(
    rt: Runtime, src: Source, entries: list[discover.Entry], limit: int
) -> tuple[int, str | None]:
    """Submit, newest first and at most `limit`, the entries whose canonical id no poll has
    submitted before, into one new job; returns how many and the job id (None for none)."""
    entries = discover.newest_first(entries)
    ids = [doc_id_for_url(url) for url, _ in entries]
    fresh: dict[str, discover.Entry] = {}
    for doc_id, entry, unseen in zip(ids, entries, rt.sources.unseen(ids), strict=True):
        if unseen and doc_id not in fresh and len(fresh) < limit:
            fresh[doc_id] = entry
    if not fresh:
        return 0, None
    sub = Submitter(rt, source=f"source {src.id} ({src.kind.value}) {src.url}"[:500])
    for url, hints in fresh.values():
        sub.url(url, hints=hints)
    # remembered only once submitted: a poll that dies half-way submits them again next time
    rt.sources.mark_seen(fresh)
    return len(fresh), sub.sub.job_id


def poll(rt: Runtime, src: Source, ss: SourcesSettings) -> PollOutcome:
    """Poll `src` once. The source's own errors (HTTP, parsing) are the outcome; an outage of
    Redis or Elasticsearch raises (the lease expires and the poll is sent again)."""
    note = None
    try:
        resp = _get(src.url, conditional_headers(src))
        if resp.status == 304:
            return PollOutcome(status="304", ok=True)
        core.classify_status(resp.status, resp.final_url)
        found = discover.entries_of(src.kind, resp.body, resp.final_url)
        if isinstance(found, discover.Sitemap):
            found, note = _read_children(found, src, ss)
        new, job = submit_new(rt, src, found, ss.max_items_per_poll)
    except NewsflowError as exc:
        if is_outage(exc):
            raise
        return PollOutcome(status=exc.reason, ok=False, error=str(exc))
    except SoftTimeLimitExceeded:
        return PollOutcome(status="poll_timeout", ok=False, error="the poll took too long")
    return PollOutcome(
        status=str(resp.status),
        ok=True,
        error=note,
        etag=resp.headers.get("etag"),
        last_modified=resp.headers.get("last-modified"),
        new_items=new,
        job_id=job,
    )


@app.task(name=TASK_POLL_DUE, ignore_result=True)
def poll_due_task() -> int:
    """Send one poll per due source (beat sends this every `tick` seconds)."""
    ids = get_runtime().sources.claim_due()
    for sid in ids:
        app.send_task(
            TASK_POLL_SOURCE,
            args=[PollRequest(source_id=sid).model_dump(mode="json")],
            queue=Stage.FETCH.value,
        )
    return len(ids)


_LEASE = get_sources_settings().lease


# Hard limit at the lease: past it the source may be claimed again.
@app.task(
    name=TASK_POLL_SOURCE,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=max(_LEASE - 30, 5),
    time_limit=_LEASE,
)
def poll_source_task(payload: dict[str, object]) -> None:
    """Poll one source and record the outcome on it."""
    msg = PollRequest.model_validate(payload)
    rt = get_runtime()
    src = rt.sources.get(msg.source_id)
    if src is None or src.paused:  # removed or paused since it was claimed
        rt.sources.release(msg.source_id)
        return
    out = poll(rt, src, get_sources_settings())
    rt.sources.record(src, out)
    log.info(
        "source_polled",
        source_id=src.id,
        status=out.status,
        new_items=out.new_items,
        job_id=out.job_id,
    )

"""The stage/queue registry: one queue per stage, task names `<stage>.<verb>`."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    FETCH = "fetch"
    PARSE = "parse"
    ENRICH = "enrich"
    INDEX = "index"


# The one task each message type goes to; stages hand on by name, never by import,
# so services never import each other.
TASK_FETCH_PAGE = "fetch.fetch_page"
TASK_FETCH_FEED = "fetch.fetch_feed"
TASK_PARSE = "parse.parse_page"
TASK_ENRICH = "enrich.enrich_article"
TASK_INDEX = "index.index_article"
# Sources (newsflow_shared.sources): beat sends `poll_due` every tick; it sends one
# `poll_source` per due source. Both run on the fetch workers (the SSRF-safe HTTP client).
TASK_POLL_DUE = "fetch.poll_due"
TASK_POLL_SOURCE = "fetch.poll_source"
# Run by whichever worker gave up on a stage task (an errback, never queued by itself).
TASK_STAGE_LOST = "stage.lost"

TASK_QUEUE = {
    TASK_FETCH_PAGE: Stage.FETCH,
    TASK_FETCH_FEED: Stage.FETCH,
    TASK_POLL_DUE: Stage.FETCH,
    TASK_POLL_SOURCE: Stage.FETCH,
    TASK_PARSE: Stage.PARSE,
    TASK_ENRICH: Stage.ENRICH,
    TASK_INDEX: Stage.INDEX,
}

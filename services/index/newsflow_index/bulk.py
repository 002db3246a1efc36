"""The Elasticsearch adapter of the index stage: one bulk request for a batch of articles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsflow_index.core import article_doc, event_docs
from newsflow_shared.errors import ES_OUTAGE_STATUSES
from newsflow_shared.indices import names
from newsflow_shared.messages import Enrichment, ParsedArticle
from newsflow_shared.store import raise_unavailable_docs


@dataclass
class BulkOutcome:
    """Per-article result of a batch: ok, retry later (429/5xx), unavailable (503: its shard
    cannot serve, an outage) or rejected (4xx)."""

    ok: set[str] = field(default_factory=set)
    retry: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def _old_event_ids(es: Elasticsearch, index: str, doc_ids: list[str]) -> dict[str, set[str]]:
    res = es.mget(index=index, ids=doc_ids, source_includes=["events.id"])
    raise_unavailable_docs(res)  # else an unreadable article would look new: stale events kept
    out: dict[str, set[str]] = {}
    for d in res["docs"]:
        if d.get("found"):
            out[d["_id"]] = {e["id"] for e in d["_source"].get("events", [])}
    return out


def write_batch(
    es: Elasticsearch, prefix: str, articles: Iterable[tuple[ParsedArticle, Enrichment | None]]
) -> BulkOutcome:
    """Index articles and their events in one bulk request; stale events are deleted."""
    art, ev = names("articles", prefix), names("events", prefix)
    now = datetime.now(UTC)
    docs = {a.doc_id: article_doc(a, e, now) for a, e in articles}
    old = _old_event_ids(es, art.read, list(docs)) if docs else {}
    actions: list[dict[str, Any]] = []
    for doc_id, doc in docs.items():
        actions.append({"_op_type": "index", "_index": art.write, "_id": doc_id, "_source": doc})
        events = event_docs(doc)
        for e in events:
            actions.append({"_op_type": "index", "_index": ev.write, "_id": e["id"], "_source": e})
        for stale in old.get(doc_id, set()) - {e["id"] for e in events}:
            actions.append({"_op_type": "delete", "_index": ev.write, "_id": stale})
    outcome = BulkOutcome()
    failed_docs: dict[str, tuple[int, str]] = {}
    # streaming_bulk retries 429s itself (max_retries, exponential initial_backoff).
    for ok, item in helpers.streaming_bulk(
        es,
        actions,
        chunk_size=500,
        max_retries=3,
        initial_backoff=1,
        raise_on_error=False,
        raise_on_exception=False,
        yield_ok=True,
    ):
        if ok:
            continue
        op = next(iter(item.values()))
        if op.get("status") == 404 and "delete" in item:
            continue  # a stale event already gone
        doc_id = op.get("_id", "")
        owner = doc_id if doc_id in docs else _event_owner(doc_id, docs)
        failed_docs[owner] = (int(op.get("status", 500)), str(op.get("error"))[:500])
    for doc_id in docs:
        if doc_id not in failed_docs:
            outcome.ok.add(doc_id)
            continue
        status, error = failed_docs[doc_id]
        if status in ES_OUTAGE_STATUSES:
            outcome.unavailable[doc_id] = f"{status}: {error}"
        elif status == 429 or status >= 500:
            outcome.retry[doc_id] = f"{status}: {error}"
        else:
            outcome.rejected[doc_id] = f"{status}: {error}"
    return outcome


def _event_owner(event_id: str, docs: dict[str, dict[str, Any]]) -> str:
    for doc_id, doc in docs.items():
        if any(e["id"] == event_id for e in doc["events"]):
            return doc_id
    return event_id

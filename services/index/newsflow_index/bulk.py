"""The Elasticsearch adapter of the index stage: one bulk request for a batch of articles,
written to the month partitions they belong to (shared/newsflow_shared/indices.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from elasticsearch import Elasticsearch, helpers

from newsflow_index.core import article_doc, event_docs
from newsflow_shared.errors import OUTAGE_STATUSES
from newsflow_shared.indices import IndexNames, month_of, names, sibling
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


class Copy(NamedTuple):
    """A stored copy of an article: the index it is in and its events' ids."""

    where: str  # the index
    events: frozenset[str]


def _copies(es: Elasticsearch, art: IndexNames, home: dict[str, str]) -> dict[str, list[Copy]]:
    """The stored copies of each article (`home`: doc_id -> the partition it goes to).

    Its home partition is read in real time (mget: a copy written a moment ago counts); the
    other partitions, where a copy is only when the article's date changed, by one `ids`
    search over the read alias (near real time), which fails rather than answer partially.
    """
    docs = [{"_index": index, "_id": doc_id} for doc_id, index in home.items()]
    res = es.mget(docs=docs, source_includes=["events.id"])
    raise_unavailable_docs(res)  # else an unreadable article would look new: stale events kept
    out: dict[str, list[Copy]] = {}
    for d in res["docs"]:
        if d.get("found"):
            out.setdefault(d["_id"], []).append(_copy(d))
    res = es.search(
        index=art.read,
        query={"ids": {"values": list(home)}},
        source_includes=["events.id"],
        size=4 * len(home),
        allow_partial_search_results=False,
    )
    for hit in res["hits"]["hits"]:
        if hit["_index"] != home[hit["_id"]]:
            out.setdefault(hit["_id"], []).append(_copy(hit))
    return out


def _copy(doc: dict[str, Any]) -> Copy:
    events = doc.get("_source", {}).get("events", [])
    return Copy(doc["_index"], frozenset(e["id"] for e in events))


def _actions(
    es: Elasticsearch, prefix: str, docs: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Bulk actions: each article and its events into their month's partitions; what a stored
    copy has that the new one has not (events, or the whole copy in another month) deleted."""
    art, ev = names("articles", prefix), names("events", prefix)
    home = {d: art.partition(month_of(doc["published"], doc["indexed"])) for d, doc in docs.items()}
    copies = _copies(es, art, home) if docs else {}
    actions: list[dict[str, Any]] = []
    for doc_id, doc in docs.items():
        index, ev_index = home[doc_id], sibling(home[doc_id], art, ev)
        actions.append({"_op_type": "index", "_index": index, "_id": doc_id, "_source": doc})
        events = event_docs(doc)
        for e in events:
            actions.append({"_op_type": "index", "_index": ev_index, "_id": e["id"], "_source": e})
        for copy in copies.get(doc_id, []):
            moved = copy.where != index
            if moved:
                actions.append({"_op_type": "delete", "_index": copy.where, "_id": doc_id})
            keep = set() if moved else {e["id"] for e in events}
            old_ev_index = sibling(copy.where, art, ev)
            for stale in sorted(copy.events - keep):
                actions.append({"_op_type": "delete", "_index": old_ev_index, "_id": stale})
    return actions


def write_batch(
    es: Elasticsearch, prefix: str, articles: Iterable[tuple[ParsedArticle, Enrichment | None]]
) -> BulkOutcome:
    """Index articles and their events in one bulk request; stale events and copies of an
    article in another month's partition (its date changed) are deleted."""
    now = datetime.now(UTC)
    docs = {a.doc_id: article_doc(a, e, now) for a, e in articles}
    actions = _actions(es, prefix, docs)
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
        if status in OUTAGE_STATUSES:
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

"""The index stage's batch function against the real Elasticsearch and Redis (no worker)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime

import pytest

from newsflow_shared.indices import names
from newsflow_shared.messages import (
    Actor,
    ActorType,
    Enrichment,
    Event,
    EventDate,
    EventType,
    ParsedArticle,
    SourceKind,
    Span,
)

pytestmark = pytest.mark.integration


def _article(doc_id: str) -> ParsedArticle:
    return ParsedArticle(
        doc_id=doc_id,
        title="Russia strikes Kyiv",
        text="Russia attacked Kyiv overnight. Ukraine protested.",
        source_kind=SourceKind.URL,
        parser="test",
        site="example.org",
        url="https://example.org/a",
        published=datetime(2025, 7, 3, tzinfo=UTC),
    )


def _enrichment(n_events: int) -> Enrichment:
    actors = [
        Actor(id="country:RUS", name="Russia", type=ActorType.COUNTRY, country="RUS", mentions=1),
        Actor(id="country:UKR", name="Ukraine", type=ActorType.COUNTRY, country="UKR", mentions=1),
    ]
    events = [
        Event(
            id=f"ev{uuid.uuid4().hex[:8]}-{i}",
            type=EventType.ASSAULT,
            source_actors=["country:RUS"],
            target_actors=["country:UKR"],
            trigger="attacked",
            sentence="Russia attacked Kyiv overnight.",
            span=Span(start=0, end=31),
            confidence=0.8,
            date=EventDate(value=date(2025, 7, 2), granularity="day"),
            negated=(i == 1),
        )
        for i in range(n_events)
    ]
    return Enrichment(language="en", actors=actors, events=events, enricher="test")


def _job(runtime, n: int) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    job = uuid.uuid4().hex[:12]
    runtime.ledger.create_job(job, "index test")
    items = [f"{i:03d}" for i in range(n)]
    for it in items:
        runtime.ledger.add_item(job, it, "test", "url")
    return job, items


def test_batch_indexes_articles_and_events_and_removes_stale_events(runtime) -> None:  # type: ignore[no-untyped-def]
    from newsflow_index.indexing import index_batch

    es, prefix = runtime.es, runtime.settings.index_prefix
    doc_id = "t" + uuid.uuid4().hex
    runtime.store.put_parsed(_article(doc_id))
    runtime.store.put_enrichment(doc_id, _enrichment(3))
    job, items = _job(runtime, 1)
    index_batch(
        runtime, [{"schema_version": 1, "job_id": job, "item_id": items[0], "doc_id": doc_id}]
    )
    assert runtime.ledger.item(job, items[0])["state"] == "indexed"
    ev_index = names("events", prefix).read
    es.indices.refresh(index=ev_index)
    assert es.count(index=ev_index, query={"term": {"article_id": doc_id}})["count"] == 3
    art = es.get(index=names("articles", prefix).partition("2025-07"), id=doc_id)["_source"]
    assert art["event_types"] == ["ASSAULT"] and art["countries"] == ["RUS", "UKR"]
    assert [e["counted"] for e in art["events"]] == [True, False, True]

    # re-enrichment yields fewer (and different) events: the old event documents go away
    runtime.store.put_enrichment(doc_id, _enrichment(1))
    job2, items2 = _job(runtime, 1)
    index_batch(
        runtime, [{"schema_version": 1, "job_id": job2, "item_id": items2[0], "doc_id": doc_id}]
    )
    es.indices.refresh(index=ev_index)
    assert es.count(index=ev_index, query={"term": {"article_id": doc_id}})["count"] == 1


def _index_one(runtime, article: ParsedArticle, n_events: int) -> None:  # type: ignore[no-untyped-def]
    from newsflow_index.indexing import index_batch

    runtime.store.put_parsed(article)
    runtime.store.put_enrichment(article.doc_id, _enrichment(n_events))
    job, items = _job(runtime, 1)
    msg = {"schema_version": 1, "job_id": job, "item_id": items[0], "doc_id": article.doc_id}
    index_batch(runtime, [msg])
    assert runtime.ledger.item(job, items[0])["state"] == "indexed"


def _where(es, prefix: str, doc_id: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The indices holding the article and those holding its events."""
    art, ev = names("articles", prefix), names("events", prefix)
    es.indices.refresh(index=f"{art.read},{ev.read}")
    a = es.search(index=art.read, query={"ids": {"values": [doc_id]}}, size=10)
    e = es.search(index=ev.read, query={"term": {"article_id": doc_id}}, size=10)
    return [h["_index"] for h in a["hits"]["hits"]], [h["_index"] for h in e["hits"]["hits"]]


def test_articles_and_events_go_to_their_month_and_move_when_the_date_changes(runtime) -> None:  # type: ignore[no-untyped-def]
    es, prefix = runtime.es, runtime.settings.index_prefix
    art, ev = names("articles", prefix), names("events", prefix)
    doc_id = "t" + uuid.uuid4().hex
    _index_one(runtime, _article(doc_id), 2)  # published 2025-07-03
    assert _where(es, prefix, doc_id) == ([art.partition("2025-07")], [ev.partition("2025-07")] * 2)

    # the publication date was wrong: re-indexed into March, no copy is left in July
    moved = _article(doc_id).model_copy(update={"published": datetime(2024, 3, 9, tzinfo=UTC)})
    _index_one(runtime, moved, 1)
    assert _where(es, prefix, doc_id) == ([art.partition("2024-03")], [ev.partition("2024-03")])

    # undated: the month it was indexed in
    undated = moved.model_copy(update={"published": None})
    _index_one(runtime, undated, 1)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert _where(es, prefix, doc_id) == ([art.partition(month)], [ev.partition(month)])
    # and every partition answers through the read alias, with the template's strict mapping
    mapping = es.indices.get_mapping(index=art.partition("2024-03"))
    assert mapping[art.partition("2024-03")]["mappings"]["dynamic"] == "strict"


def test_batch_records_every_message_it_cannot_index(runtime) -> None:  # type: ignore[no-untyped-def]
    from newsflow_index.indexing import index_batch

    job, items = _job(runtime, 3)
    index_batch(
        runtime,
        [
            {"schema_version": 1, "job_id": job, "item_id": items[0], "doc_id": "t-never-stored"},
            {"schema_version": 1, "job_id": job, "item_id": items[1], "doc_id": 42},  # malformed
            {
                "schema_version": 99,
                "job_id": job,
                "item_id": items[2],
                "doc_id": "x",
            },  # unknown version
        ],
    )
    recs = {r["item_id"]: r for r in runtime.ledger.items(job)}
    assert recs[items[0]]["state"] == "rejected" and recs[items[0]]["reason"] == "content_missing"
    assert recs[items[1]]["reason"] == "invalid_message"
    assert recs[items[2]]["reason"] == "invalid_message"
    assert runtime.ledger.summary(job)["done"]


def _stored_requests(runtime, job: str, items: list[str]) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """An IndexRequest payload per item, each for a parsed article stored under a new doc_id."""
    out = []
    for it in items:
        doc_id = "t" + uuid.uuid4().hex
        runtime.store.put_parsed(_article(doc_id))
        out.append({"schema_version": 1, "job_id": job, "item_id": it, "doc_id": doc_id})
    return out


def _without_elasticsearch(runtime, **settings):  # type: ignore[no-untyped-def]
    """A runtime of its own whose Elasticsearch is a closed port: down, not a mock of it
    (Redis, the ledger and the names as `runtime`'s)."""
    from newsflow_shared.runtime import Runtime

    return Runtime(runtime.settings.model_copy(update={"es_url": "http://127.0.0.1:9", **settings}))


def test_a_batch_that_crashes_leaves_no_item_in_flight(runtime) -> None:  # type: ignore[no-untyped-def]
    """A bug or a soft time limit inside the batch: its messages are acked anyway, so every
    item not yet ended is recorded `failed`; items that ended before the crash keep their
    state."""
    from newsflow_index.indexing import run_batch
    from newsflow_shared.runtime import Runtime

    rt = Runtime(runtime.settings)  # a runtime of its own, whose ledger gets a bug
    ledger = rt.ledger
    real_indexed = ledger.indexed
    calls = []

    def indexed_then_crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) > 1:
            raise RuntimeError("bug after the first item")
        real_indexed(*args, **kwargs)

    ledger.indexed = indexed_then_crash  # type: ignore[method-assign]  # a fault in our code
    job, items = _job(runtime, 3)
    msgs = _stored_requests(runtime, job, items)
    with pytest.raises(RuntimeError):
        run_batch(rt, msgs, [{}] * len(msgs))
    states = [runtime.ledger.item(job, it)["state"] for it in items]
    assert states == ["indexed", "failed", "failed"]
    assert "bug after the first item" in runtime.ledger.item(job, items[1])["error"]
    assert runtime.ledger.summary(job)["done"]


def test_a_batch_that_cannot_reach_elasticsearch_waits_it_out(runtime, redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Elasticsearch unreachable for the whole batch: no item fails, none spends a retry;
    each message goes back with the outage headers, and is indexed once the node answers."""
    from helpers import queued_messages
    from newsflow_index.indexing import index_batch
    from newsflow_shared import publish
    from newsflow_shared.outage import OUTAGE_SINCE, OUTAGE_WAITS
    from newsflow_shared.stages import TASK_INDEX

    job, items = _job(runtime, 2)
    payloads = _stored_requests(runtime, job, items)
    queue = f"index-outage-{job}"
    monkeypatch.setitem(publish.TASK_QUEUE, TASK_INDEX, type("Q", (), {"value": queue}))
    index_batch(_without_elasticsearch(runtime), payloads, [{}, {}])
    put_back = queued_messages(redis, queue)
    redis.delete(queue)
    assert len(put_back) == 2
    for msg in put_back:
        assert msg["headers"][OUTAGE_WAITS] == 1 and msg["headers"][OUTAGE_SINCE] > 0
    for it in items:
        rec = runtime.ledger.item(job, it)
        assert rec["state"] == "index" and rec["outages:index"] == "1"

    # the node is back: the messages put back are indexed (two deliveries, one a wait)
    index_batch(runtime, [m["body"][0][0] for m in put_back], [m["headers"] for m in put_back])
    for it in items:
        rec = runtime.ledger.item(job, it)
        assert rec["state"] == "indexed" and rec["attempts:index"] == "2"
    assert runtime.ledger.summary(job)["done"]


def test_a_batch_past_the_outage_ceiling_fails(runtime, redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The ceiling is the injected settings' (60 s here, 1800 s by default): an item down
    for longer fails, one down for less waits on."""
    from helpers import queued_messages
    from newsflow_index.indexing import index_batch
    from newsflow_shared import publish
    from newsflow_shared.outage import OUTAGE_SINCE
    from newsflow_shared.stages import TASK_INDEX

    job, items = _job(runtime, 2)
    payloads = [
        {"schema_version": 1, "job_id": job, "item_id": item, "doc_id": f"t-x{item}"}
        for item in items
    ]
    queue = f"index-ceiling-{job}"
    monkeypatch.setitem(publish.TASK_QUEUE, TASK_INDEX, type("Q", (), {"value": queue}))
    heads = [{OUTAGE_SINCE: time.time() - 61}, {OUTAGE_SINCE: time.time() - 59}]
    index_batch(_without_elasticsearch(runtime, outage_ceiling=60), payloads, heads)
    put_back = queued_messages(redis, queue)
    redis.delete(queue)
    past, within = (runtime.ledger.item(job, it) for it in items)
    assert past["state"] == "failed" and "outage_ceiling" in past["error"]
    assert within["state"] == "index" and within["outages:index"] == "1"
    assert [m["body"][0][0]["item_id"] for m in put_back] == [items[1]]

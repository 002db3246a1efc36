"""Reconcile one job's ledger with Elasticsearch (run inside the api container, which has
the deployment's settings): `docker compose exec -T api python - JOB_ID < check_job.py`.

Prints one JSON line and exits 1 if any item is not final, failed, rejected without a
reason, or if Elasticsearch's articles and events disagree with the ledger or hold
duplicates.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from newsflow_shared.indices import names
from newsflow_shared.runtime import get_runtime


def main(job_id: str) -> int:
    rt = get_runtime()
    prefix = rt.settings.index_prefix
    items = rt.ledger.items(job_id)
    states = Counter(rec.get("state", "") for rec in items)
    problems = []
    for rec in items:
        state = rec.get("state")
        if state not in ("indexed", "rejected"):
            problems.append(
                f"item {rec['item_id']} {rec.get('source')}: {state} {rec.get('error', '')}"
            )
        elif state == "rejected" and not rec.get("reason"):
            problems.append(f"item {rec['item_id']}: rejected without a reason")
    indexed = [rec["doc_id"] for rec in items if rec.get("state") == "indexed"]
    if len(set(indexed)) != len(indexed):
        problems.append("two ledger items indexed as one doc_id")
    articles, events = names("articles", prefix).read, names("events", prefix).read
    rt.es.indices.refresh(index=[articles, events])
    found = rt.es.search(
        index=articles,
        query={"ids": {"values": indexed}},
        size=len(indexed) + 10,
        source=["doc_id", "events.id"],
    )["hits"]["hits"]
    es_ids = Counter(h["_id"] for h in found)
    if set(es_ids) != set(indexed):
        missing = sorted(set(indexed) - set(es_ids))[:5]
        problems.append(f"ledger says indexed but not in Elasticsearch: {missing}")
    want_events = {e["id"] for h in found for e in h["_source"].get("events") or []}
    ev = rt.es.search(
        index=events,
        query={"terms": {"article_id": indexed}},
        size=0,
        aggs={"ids": {"terms": {"field": "id", "min_doc_count": 2, "size": 10}}},
        track_total_hits=True,
    )
    if ev["aggregations"]["ids"]["buckets"]:
        problems.append(f"duplicate events: {ev['aggregations']['ids']['buckets']}")
    if ev["hits"]["total"]["value"] != len(want_events):
        problems.append(
            f"events index holds {ev['hits']['total']['value']}, articles name {len(want_events)}"
        )
    reasons = Counter(rec.get("reason") for rec in items if rec.get("state") == "rejected")
    print(
        json.dumps(
            {
                "job": job_id,
                "items": len(items),
                "states": dict(states),
                "rejected_reasons": dict(reasons),
                "es_articles": len(es_ids),
                "es_events": ev["hits"]["total"]["value"],
                "redelivered": sum(
                    1
                    for rec in items
                    if any(
                        int(v) > 1
                        for k, v in rec.items()
                        if k.startswith("attempts:") and v.isdigit()
                    )
                ),
                "problems": problems,
            }
        )
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

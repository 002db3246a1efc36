"""Move a single, unpartitioned `articles-v1`/`events-v1` index into month partitions.

The local build has no `_reindex`, so this is elasticsearch-py's scan (a scroll over the old
index) and bulk helpers: each document is created in the partition of its month
(`indices.month_of`, the rule the index stage writes by). `create` never overwrites: a
document the index stage already wrote to a partition is newer than the old copy and stays.
Only when every document of the old index is in a partition is the old index deleted (it
holds the read alias until then, so searches see every article throughout). Idempotent: run
it again after a failure. Run it with the index workers stopped, so that no article is
re-indexed into another month while its old copy is being moved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsflow_shared.indices import PARTITIONED, month_of, names


@dataclass
class Moved:
    """What `migrate_index` did to one logical index."""

    source: str
    scanned: int = 0
    created: int = 0
    existing: int = 0  # already in its partition (written by the index stage since)
    errors: list[str] = field(default_factory=list)
    months: set[str] = field(default_factory=set)
    deleted: bool = False


def _actions(es: Elasticsearch, source: str, logical: str, prefix: str, moved: Moved, size: int
             ) -> Iterator[dict[str, Any]]:  # fmt: skip
    n = names(logical, prefix)
    now = datetime.now(UTC).isoformat()
    for hit in helpers.scan(es, index=source, size=size, query={"query": {"match_all": {}}}):
        src = hit["_source"]
        month = month_of(src.get("published"), src.get("indexed") or now)
        moved.scanned += 1
        moved.months.add(month)
        yield {
            "_op_type": "create",
            "_index": n.partition(month),
            "_id": hit["_id"],
            "_source": src,
        }


def migrate_index(
    es: Elasticsearch, logical: str, prefix: str = "", *, chunk: int = 1000, keep: bool = False
) -> Moved | None:
    """Copy every document of the unpartitioned index into its month's partition, then
    delete the old index (unless `keep`, or a document could not be copied). None when
    there is no unpartitioned index."""
    if logical not in PARTITIONED:
        raise ValueError(f"{logical!r} is not partitioned")
    source = names(logical, prefix).concrete
    if not es.indices.exists(index=source):
        return None
    es.indices.refresh(index=source)
    moved = Moved(source)
    for ok, item in helpers.streaming_bulk(
        es,
        _actions(es, source, logical, prefix, moved, chunk),
        chunk_size=chunk,
        max_retries=3,
        initial_backoff=1,
        raise_on_error=False,
    ):
        op = item["create"]
        if ok:
            moved.created += 1
        elif op.get("status") == 409:
            moved.existing += 1
        else:
            moved.errors.append(f"{op.get('_id')}: {op.get('status')} {op.get('error')}"[:300])
    if not moved.errors and not keep and moved.created + moved.existing == moved.scanned:
        es.indices.refresh(index=names(logical, prefix).pattern)
        es.indices.delete(index=source)
        moved.deleted = True
    return moved


def migrate(
    es: Elasticsearch, prefix: str = "", *, chunk: int = 1000, keep: bool = False
) -> list[Moved]:
    """`migrate_index` for articles, then events; what was moved (nothing: an empty list)."""
    out = []
    for logical in PARTITIONED:
        moved = migrate_index(es, logical, prefix, chunk=chunk, keep=keep)
        if moved is not None:
            out.append(moved)
    return out

"""Builds a bench index set: N articles (`bench_api.iter_articles`) written by the real index
stage (`newsflow_index.bulk.write_batch`) into the month partitions of a prefix. Used by
`bench_api.py` and `bench_scale.py`; not run alone.

What is built is what the index stage writes; how fast it is built is the bench's business:
- the partitions of the two years are created up front (from the index templates) and
  written with refresh off (`refresh_interval: -1`), the translog synced in the background
  (`index.translog.durability: async`: one bulk touches ~50 partitions, each would fsync per
  request) and no replicas; each setting is restored afterwards, then a refresh and a
  force-merge to one segment per partition;
- each batch is sorted by publication date (news arrives in date order, so a live batch
  touches a few month partitions, not all 48);
- one thread makes the articles (in order, from one seeded generator, so the set is the same
  however many writers), `--writers` threads call `write_batch` on batches of `batch`
  articles, so making, serialising and Elasticsearch's indexing overlap;
- the client serialises with orjson (elasticsearch-py's `OrjsonSerializer`): the same JSON.
"""

from __future__ import annotations

import queue
import threading
import time
from datetime import datetime
from typing import Any

import bench_api

# Index settings during the build, and what they go back to (None: the template's default).
BUILD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async"}
RESTORED_SETTINGS: dict[str, Any] = {"refresh_interval": None, "translog.durability": None}


def months(start: datetime, count: int) -> list[str]:
    """`count` months from `start`'s (`2023-01`, ...)."""
    return [
        f"{start.year + (start.month - 1 + k) // 12:04d}-{(start.month - 1 + k) % 12 + 1:02d}"
        for k in range(count)
    ]


def index_corpus(
    prefix: str, n: int, reuse: bool, *, writers: int = 2, batch: int = 2000
) -> dict[str, Any]:
    """Index n bench articles into the month partitions of `prefix` (the real index stage's
    `write_batch`), unless `reuse` and at least n are there."""
    from elasticsearch import Elasticsearch, OrjsonSerializer

    from newsflow_shared.indices import init_indices, names
    from newsflow_shared.settings import Settings

    settings = Settings(index_prefix=prefix)
    es = Elasticsearch(
        settings.es_hosts,
        request_timeout=600,
        serializer=OrjsonSerializer(),
        connections_per_node=writers + 2,
    )
    init_indices(es, prefix)
    have = int(es.count(index=names("articles", prefix).read)["count"])
    if reuse and have >= n:
        return {"indexed": 0, "existing": have, "seconds": 0.0}
    patterns = ",".join(names(x, prefix).pattern for x in ("articles", "events"))
    for month in months(bench_api.START, 24):
        for logical in ("articles", "events"):
            index = names(logical, prefix).partition(month)
            if not es.indices.exists(index=index):
                es.indices.create(index=index)  # from the template, with its alias
    es.indices.put_settings(index=patterns, settings={"index": BUILD_SETTINGS})
    t0 = time.perf_counter()
    try:
        timing = _write_all(es, prefix, n, writers, batch)
    finally:
        es.indices.put_settings(index=patterns, settings={"index": RESTORED_SETTINGS})
        init_indices(es, prefix)  # refresh interval and replicas as the JSON says
    t_write = time.perf_counter() - t0
    es.indices.refresh(index=patterns)
    t_refresh = time.perf_counter()
    es.indices.forcemerge(index=patterns, max_num_segments=1)
    return {
        "indexed": n,
        "writers": writers,
        "batch": batch,
        **timing,
        "write_seconds": round(t_write, 1),
        "articles_per_second": round(n / t_write),
        "refresh_seconds": round(t_refresh - t0 - t_write, 1),
        "forcemerge_seconds": round(time.perf_counter() - t_refresh, 1),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _write_all(es: Any, prefix: str, n: int, writers: int, batch: int) -> dict[str, float]:
    """Make the articles in this thread; `writers` threads write batches of them."""
    from newsflow_index.bulk import write_batch

    todo: queue.Queue[list[tuple[Any, Any]] | None] = queue.Queue(maxsize=writers)
    failures: list[str] = []
    busy = [0.0] * writers

    def writer(k: int) -> None:
        while (pairs := todo.get()) is not None:
            t = time.perf_counter()
            outcome = write_batch(es, prefix, pairs)
            busy[k] += time.perf_counter() - t
            if outcome.retry or outcome.rejected or outcome.unavailable:
                failures.append(str([*outcome.rejected.items(), *outcome.retry.items()][:3]))

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(writers)]
    for thread in threads:
        thread.start()
    made, pairs, t_make = 0.0, [], time.perf_counter()
    articles = bench_api.iter_articles(n)
    next_pair = next(articles, None)  # loads the model and lemmatises the corpus
    setup = time.perf_counter() - t_make
    while next_pair is not None and not failures:
        started = time.perf_counter()
        pairs.append(next_pair)
        next_pair = next(articles, None)
        made += time.perf_counter() - started
        if len(pairs) == batch or next_pair is None:
            # by date, as a live stage's batches come: each bulk touches a few partitions
            todo.put(sorted(pairs, key=lambda p: p[0].published))
            pairs = []
    for _ in threads:
        todo.put(None)
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"indexing failed: {failures[0]}")
    return {
        "setup_seconds": round(setup, 1),
        "making_seconds": round(made, 1),
        "write_batch_seconds_per_writer": round(sum(busy) / writers, 1),
    }

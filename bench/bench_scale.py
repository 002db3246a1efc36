"""Scale benchmark: N articles (default a million) in the month-partitioned layout, then the
search API measured on them. Prints JSON. Not a test.

    nice .venv/bin/python bench/bench_scale.py --n 1000000          # build, then measure
    nice .venv/bin/python bench/bench_scale.py --n 200000 --reuse   # measure a set built earlier

Articles are built and written exactly as `bench_api.py` builds them (corpus texts, two years
of dates: 24 monthly partitions of articles and of events, by the real index stage's
`write_batch`), into `--prefix` (default `bench-scale-`). The API runs as a real uvicorn
process; faceted `/search` (q, two filters, every facet) and `/events` (a filter, every
facet) are measured at 1 and 8 clients beside the same requests sent to Elasticsearch
directly (the baseline of the same run, as in `bench_api.py`). Reported beside them: the
store size per article (primaries, articles and events; and with replicas), segments,
partitions, the Elasticsearch nodes' heap (used after the run, max, and the peak of the
young/old pools), and the API's throughput per client count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # the sibling script: corpus, scenarios, load runner
import bench_build  # writes the articles


def storage(es: Any, prefix: str, articles: int) -> dict[str, Any]:
    """Store size and segment counts of the partitions, per article."""
    from newsflow_shared.indices import names, partitions

    out: dict[str, Any] = {"articles": articles}
    total = 0
    for logical in ("articles", "events"):
        pattern = names(logical, prefix).pattern
        st = es.indices.stats(index=pattern, metric="store,docs,segments")["_all"]
        primary = st["primaries"]["store"]["size_in_bytes"]
        total += primary
        out[logical] = {
            "partitions": len(partitions(es, logical, prefix)),
            "docs": st["primaries"]["docs"]["count"],
            "primary_bytes": primary,
            "total_bytes_with_replicas": st["total"]["store"]["size_in_bytes"],
            "segments": st["primaries"]["segments"]["count"],
        }
    out["primary_bytes_per_article"] = round(total / max(articles, 1), 1)
    out["primary_gb_per_million_articles"] = round(total / max(articles, 1) * 1e6 / 1e9, 2)
    return out


def heap(es: Any) -> dict[str, Any]:
    """Each node's JVM heap: used now, max, and the pools' peaks since the node started."""
    nodes = es.nodes.stats(metric="jvm")["nodes"]
    out = {}
    for node in nodes.values():
        mem = node["jvm"]["mem"]
        pools = mem.get("pools", {})
        out[node["name"]] = {
            "heap_used_mb": round(mem["heap_used_in_bytes"] / 2**20),
            "heap_max_mb": round(mem["heap_max_in_bytes"] / 2**20),
            "old_peak_mb": round(pools.get("old", {}).get("peak_used_in_bytes", 0) / 2**20),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=1_000_000, help="articles to index")
    ap.add_argument("--prefix", default="bench-scale-", help="index prefix of the bench set")
    ap.add_argument("--reuse", action="store_true", help="keep a set of >= n articles")
    ap.add_argument("--writers", type=int, default=2, help="threads calling write_batch")
    ap.add_argument("--batch", type=int, default=2000, help="articles per write_batch call")
    ap.add_argument("--requests", type=int, default=40, help="requests per round and side")
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds (pooled)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--size", type=int, default=20, help="hits per page")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--faceted-q", default="Ukraine", help="query of the faceted scenario")
    ap.add_argument("--faceted-clients", type=int, default=8)
    ap.add_argument(
        "--cold", action="store_true", help="clear the shard request cache before each request"
    )
    ap.add_argument("--keep-alive", default="30s", help="PIT keep-alive")
    args = ap.parse_args()

    from elasticsearch import Elasticsearch

    from newsflow_shared.settings import Settings

    es = Elasticsearch(Settings().es_hosts, request_timeout=300)
    indexing = bench_build.index_corpus(
        args.prefix, args.n, args.reuse, writers=args.writers, batch=args.batch
    )
    have = int(es.count(index=f"{args.prefix}articles")["count"])
    proc = bench_api.start_server(args.prefix, args.port, args.workers, args.keep_alive)
    t0 = time.perf_counter()
    try:
        results = asyncio.run(bench_api.measure(args, args.port))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(
        json.dumps(
            {
                "bench": "scale",
                "date": date.today().isoformat(),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "articles": have,
                "indexing": indexing,
                "measure_seconds": round(time.perf_counter() - t0, 1),
                "storage": storage(es, args.prefix, have),
                "heap": heap(es),
                "cluster": {
                    k: v
                    for k, v in es.cluster.health().body.items()
                    if k in ("status", "number_of_nodes", "active_shards", "active_primary_shards")
                },
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

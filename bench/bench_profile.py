"""What a faceted `/search` costs inside Elasticsearch, part by part. Prints JSON. Not a test.

    nice .venv/bin/python bench/bench_profile.py --prefix bench-scale- --repeats 5

The request is the API's own first-page body (`bench_api.bodies`: the `/search` scenario,
q + two filters + every facet) sent directly. Two views of it, on `--params` parameter sets:
- `profile`: one request with `profile: true`, summed over the shards: the query phase
  (query, rewrite, collection: `collect:all` holds the top hits' and the aggregations'
  collectors under it), each aggregation's own time (`agg:<facet>`, named as in the
  response: collection and building its buckets) and the fetch phase by sub-phase
  (`fetch:HighlightPhase`, ...). Profile times add up shard by shard; the shards run in
  parallel on the node's search threads (two on this machine).
- `took`: the body and variants of it (`--repeats` rounds, variants in turn, the median of
  Elasticsearch's `took`): without all facets, without each facet, with one facet only,
  without highlights, without total hits (`track_total_hits: false`), and the two halves
  of a first page split into an msearch (`split_hits`: no facets, no total; `split_counts`:
  `size: 0`, the total and the facets); each with `request_cache=false`, so no answer comes
  from the shard request cache (the split's counts would be cached: that is its point).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # the scenarios and the API's body builders


def variants(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The body and the variants of it to time, by name."""
    aggs = body.get("aggs", {})
    out = {"full": body, "no_facets": _without(body, "aggs")}
    for name in aggs:
        out[f"without_{name}"] = {**body, "aggs": {k: v for k, v in aggs.items() if k != name}}
    for name in aggs:
        out[f"only_{name}"] = {**body, "aggs": {name: aggs[name]}}
    out["no_highlight"] = _without(body, "highlight")
    out["no_total"] = {**body, "track_total_hits": False}
    # the two halves of the msearch a first page becomes on branch wt-facets (`split_facets`)
    out["split_hits"] = {**_without(body, "aggs"), "track_total_hits": False}
    counts: dict[str, Any] = {k: body[k] for k in ("query", "post_filter") if k in body}
    out["split_counts"] = {**counts, "size": 0, "track_total_hits": True, "aggs": aggs}
    return out


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}


def profile(es: Any, index: str, body: dict[str, Any]) -> dict[str, Any]:
    """Per-part times of one profiled request (ms, summed over the shards)."""
    res = es.search(index=index, body={**body, "profile": True}, request_cache=False)
    parts: dict[str, float] = defaultdict(float)
    shards = res["profile"]["shards"]
    for shard in shards:
        for search in shard["searches"]:
            parts["query"] += sum(q["time_in_nanos"] for q in search["query"])
            parts["rewrite"] += search["rewrite_time"]
            for top in search["collector"]:  # the query phase's collector, hits and aggs below
                parts["collect:all"] += top["time_in_nanos"]
                for child in top.get("children", []):
                    parts[f"collect:{child['reason']}"] += child["time_in_nanos"]
        for agg in shard["aggregations"]:
            parts[f"agg:{agg['description']}"] += agg["time_in_nanos"]
        fetch = shard.get("fetch", {})
        parts["fetch"] += fetch.get("time_in_nanos", 0)
        for phase in fetch.get("children", []):
            parts[f"fetch:{phase['type']}"] += phase["time_in_nanos"]
    ms = {k: round(v / 1e6, 1) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])}
    return {
        "took_ms": res["took"],
        "shards": len(shards),
        "total": res["hits"]["total"],
        "summed_over_shards_ms": ms,
        "aggregations_ms": round(sum(v for k, v in ms.items() if k.startswith("agg:")), 1),
    }


def took(es: Any, index: str, bodies: dict[str, dict[str, Any]], repeats: int) -> dict[str, Any]:
    """Median `took` (ms) of each variant over `repeats` rounds, variants in turn."""
    samples: dict[str, list[int]] = defaultdict(list)
    for _ in range(repeats):
        for name, body in bodies.items():
            samples[name].append(es.search(index=index, body=body, request_cache=False)["took"])
    return {name: statistics.median(v) for name, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--prefix", default="bench-scale-", help="index prefix of the bench set")
    ap.add_argument("--params", type=int, default=3, help="scenario parameter sets profiled")
    ap.add_argument("--repeats", type=int, default=5, help="rounds of the `took` variants")
    ap.add_argument("--size", type=int, default=20, help="hits per page")
    args = ap.parse_args()

    from elasticsearch import Elasticsearch

    from newsflow_api.lemmatiser import Lemmatiser
    from newsflow_shared.indices import names
    from newsflow_shared.settings import Settings, get_model_settings

    es = Elasticsearch(Settings().es_hosts, request_timeout=300)
    lemmatise = Lemmatiser.load(get_model_settings().model)
    index = names("articles", args.prefix).read
    param_sets = bench_api.scenarios(random.Random(11))["search"][: args.params]
    results = []
    for params in param_sets:
        body = bench_api.bodies("search", params, lemmatise, "30s", args.size)(None)
        es.search(index=index, body=body, request_cache=False)  # warm the page cache
        results.append(
            {
                "params": params,
                "profile": profile(es, index, body),
                "took_median_ms": took(es, index, variants(body), args.repeats),
            }
        )
    print(
        json.dumps(
            {
                "bench": "profile",
                "date": date.today().isoformat(),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "articles": int(es.count(index=index)["count"]),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

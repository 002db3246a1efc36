"""Today's faceted `/search` against the new one: TODAY's API (a second uvicorn running
another checkout's code, e.g. a worktree of main) beside the NEW one (this checkout) and a
plain Elasticsearch search of the same words (hits only, no facets, no highlight), at
`--clients` clients, in alternating rounds of one run on one index set. Prints JSON.
Not a test.

    git worktree add /work/wt-facets-base e5ce896
    .venv/bin/python bench/bench_facets.py --n 3000 --base /work/wt-facets-base

The index set is built as `bench_api.py` builds it (`--reuse` keeps one of >= n articles).
Scenarios:
- `same_q`: `/search?q=Ukraine` (every facet) again and again, 16 clients at once: the
  case of a popular query (what request coalescing saves).
- `distinct_q`: a different corpus word on every request, each word once per variant over
  the whole run (the same words for every variant), so no two requests are alike: what a
  change costs or saves a query nobody else is asking.
- `events`: `/events` (every facet, the same parameters each time) at one client: p50.
Before measuring, today's and the new API must answer every measured request alike (the
whole JSON body), or the bench stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from bench_api import REPO, Samples, corpus_texts, run_load, start_server
from bench_build import index_corpus

SIDES = ("today", "new", "plain_es")


def distinct_words(count: int, seed: int = 5) -> list[str]:
    """`count` different words of the corpus texts, each in 0.3-3 % of them (a selective
    query like "Ukraine", not one that matches everything), in a seeded random order."""
    texts = corpus_texts()
    df: Counter[str] = Counter()
    for title, text in texts:
        df.update({w.lower() for w in re.findall(r"[A-Za-z]{5,}", f"{title} {text}")})
    lo, hi = 0.003 * len(texts), 0.03 * len(texts)
    words = sorted(w for w, n in df.items() if lo <= n <= hi)
    if len(words) < count:
        raise SystemExit(f"only {len(words)} distinct words; ask for fewer requests")
    random.Random(seed).shuffle(words)
    return words[:count]


def python_path(checkout: Path) -> str:
    """The source folders of a checkout's packages (ahead of the venv's own on sys.path)."""
    return os.pathsep.join(
        str(p) for p in [*sorted((checkout / "services").glob("*")), checkout / "shared"]
    )


async def fetch(http: aiohttp.ClientSession, path: str, params: dict[str, Any]) -> Any:
    async with http.get(path, params=params) as r:
        body = await r.json()
        if r.status != 200:
            raise SystemExit(f"{path} -> {r.status}: {str(body)[:300]}")
        return body


async def same_answers(
    apis: dict[str, aiohttp.ClientSession], requests: list[tuple[str, dict[str, Any]]]
) -> int:
    """Today's and the new API answer each request with the same JSON; how many checked."""
    for path, params in requests:
        today = await fetch(apis["today"], path, params)
        new = await fetch(apis["new"], path, params)
        if today != new:
            raise SystemExit(f"today's and the new API differ on {path} {params}")
    return len(requests)


async def measure(args: argparse.Namespace, ports: dict[str, int]) -> dict[str, Any]:
    from newsflow_api.deps import make_es_client
    from newsflow_api.settings import ApiSettings
    from newsflow_shared.indices import names
    from newsflow_shared.settings import Settings

    es = make_es_client(Settings(index_prefix=args.prefix), ApiSettings())
    index = names("articles", args.prefix).read
    apis = {
        side: aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port}",
            timeout=aiohttp.ClientTimeout(total=120),
            connector=aiohttp.TCPConnector(limit=64),
        )
        for side, port in ports.items()
    }
    per_variant = args.rounds * args.requests
    words = distinct_words(per_variant + args.warmup)
    measured, warm = words[:per_variant], words[per_variant:]
    base = {"size": args.size}
    checked = await same_answers(
        apis,
        [("/search", {**base, "q": args.q}), ("/events", base)]
        + [("/search", {**base, "q": w}) for w in measured[:: max(1, per_variant // 40)]],
    )

    def side_fn(side: str, path: str, qs: list[str | None]) -> Any:
        def params(i: int) -> dict[str, Any]:
            return base if qs[i] is None else {**base, "q": qs[i]}

        if side == "plain_es":
            return lambda i: es.search(
                index=index,
                query={"multi_match": {"query": qs[i], "fields": ["title", "text"]}},
                size=args.size,
            )
        return lambda i: fetch(apis[side], path, params(i))

    out: dict[str, Any] = {"answers_checked_equal": checked}
    same: list[str | None] = [args.q] * (per_variant + args.warmup)
    none: list[str | None] = [None] * (per_variant + args.warmup)
    scenarios: dict[str, tuple[str, list[str | None], tuple[str, ...], int]] = {
        "same_q": ("/search", same, SIDES, args.clients),
        "distinct_q": ("/search", [*measured, *warm], SIDES, args.clients),
        "events": ("/events", none, ("today", "new"), 1),
    }
    for name, (path, qs, sides, clients) in scenarios.items():
        fns = {s: side_fn(s, path, qs) for s in sides}
        out[name] = await compare(fns, per_variant, clients, args, path)
    for http in apis.values():
        await http.close()
    await es.close()
    return out


async def compare(
    fns: dict[str, Callable[[int], Awaitable[Any]]],
    first_warm: int,
    clients: int,
    args: argparse.Namespace,
    path: str,
) -> dict[str, Any]:
    """Every side at `clients` clients, in rounds of alternating order; pooled stats. Call
    i < `first_warm` is a measured request, the later ones warm up."""
    for fn in fns.values():
        await run_load(lambda i, fn=fn: fn(first_warm + i), args.warmup, clients, Samples())
    samples = {s: Samples() for s in fns}
    order = list(fns)
    for r in range(args.rounds):
        for side in order if r % 2 == 0 else order[::-1]:
            offset = r * args.requests

            def fn(i: int, side: str = side, offset: int = offset) -> Awaitable[Any]:
                return fns[side](offset + i)

            await run_load(fn, args.requests, clients, samples[side])
    stats = {s: samples[s].stats() for s in fns}
    today, new = stats["today"], stats["new"]
    return {
        "path": path,
        "clients": clients,
        **stats,
        "new_vs_today": {
            "rps": round(new["rps"] / today["rps"], 2),
            "p50": round(new["p50_ms"] / today["p50_ms"], 2),
            "p99": round(new["p99_ms"] / today["p99_ms"], 2),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=3000, help="articles to index")
    ap.add_argument("--prefix", default="bench-facets-", help="index prefix of the bench set")
    ap.add_argument("--reuse", action="store_true", help="keep an index set of >= n articles")
    ap.add_argument("--base", type=Path, required=True, help="checkout of today's code")
    ap.add_argument("--q", default="Ukraine", help="the repeated query")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--requests", type=int, default=64, help="requests per round and side")
    ap.add_argument("--warmup", type=int, default=32)
    ap.add_argument("--size", type=int, default=20, help="hits per page")
    ap.add_argument("--port", type=int, default=8775, help="today's API; the new one: +1")
    args = ap.parse_args()

    indexing = index_corpus(args.prefix, args.n, args.reuse)
    today_env = {"PYTHONPATH": python_path(args.base.resolve())}
    code = {
        side: subprocess.run(
            [sys.executable, "-c", "import newsflow_api; print(newsflow_api.__file__)"],
            env={**os.environ, **env},
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for side, cwd, env in (("today", args.base, today_env), ("new", REPO, {}))
    }
    ports = {"today": args.port, "new": args.port + 1}
    procs = [
        start_server(
            args.prefix,
            ports["today"],
            1,
            "30s",
            cwd=args.base,
            extra_env=today_env,
        ),
        start_server(args.prefix, ports["new"], 1, "30s"),
    ]
    try:
        results = asyncio.run(measure(args, ports))
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(
        json.dumps(
            {
                "bench": "facets",
                "date": date.today().isoformat(),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "articles": args.n,
                "indexing": indexing,
                "code": code,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

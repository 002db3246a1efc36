"""What highlighting costs the faceted `/search`: the API's own request body for `q` (every
facet, first page) sent directly to Elasticsearch with its highlight as the API builds it
and with cheaper variants, at 16 clients, in alternating rounds of the same run. Prints JSON.
Not a test.

    .venv/bin/python bench/bench_api.py --n 3000 --prefix bench-hl-   # builds the index set (and measures)
    .venv/bin/python bench/bench_highlight.py --prefix bench-hl- --rounds 6

Each variant is first checked against the API's body: the same hits in the same order and
the same aggregations (facets), so only the highlights may differ (`same_highlights` says
whether they do). `none` (no highlight at all) bounds what any highlight setting can gain.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench_api import Samples, bodies, run_load


def _text_fragments(n: int) -> Callable[[dict[str, Any]], None]:
    def change(hl: dict[str, Any]) -> None:
        hl["fields"]["text"]["number_of_fragments"] = n

    return change


def _drop(*keys: str) -> Callable[[dict[str, Any]], None]:
    def change(hl: dict[str, Any]) -> None:
        for key in keys:
            hl.pop(key, None)
            hl["fields"].pop(key, None)

    return change


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda hl: hl.update(values)


# Changes to the API's `highlight` section; None drops it.
VARIANTS: dict[str, Callable[[dict[str, Any]], None] | None] = {
    "api": _set(),
    "none": None,
    "one_text_fragment": _text_fragments(1),
    "title_only": _drop("text"),
    "no_inflections": _drop("highlight_query"),  # only the words as typed
    "plain_highlighter": _set(type="plain"),
    "word_boundaries": _set(boundary_scanner="word"),
}


def variant_body(base: dict[str, Any], name: str) -> dict[str, Any]:
    body = copy.deepcopy(base)
    change = VARIANTS[name]
    if change is None:
        del body["highlight"]
    else:
        change(body["highlight"])
    return body


async def check(es: Any, index: str, api_body: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether a variant finds the same hits and facets as the API's body, and highlights."""
    want = await es.search(index=index, body=api_body)
    got = await es.search(index=index, body=body)
    ids = [[h["_id"] for h in r["hits"]["hits"]] for r in (want, got)]
    if ids[0] != ids[1] or want["aggregations"] != got["aggregations"]:
        raise SystemExit("a highlight variant changed the hits or the facets")
    marks = [[h.get("highlight") for h in r["hits"]["hits"]] for r in (want, got)]
    return bool(marks[0] == marks[1])


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from newsflow_api.deps import make_es_client
    from newsflow_api.lemmatiser import Lemmatiser
    from newsflow_api.settings import ApiSettings
    from newsflow_shared.indices import names
    from newsflow_shared.settings import Settings, get_model_settings

    es = make_es_client(Settings(index_prefix=args.prefix), ApiSettings())
    index = names("articles", args.prefix).read
    lemmatise = Lemmatiser.load(get_model_settings().model)
    api_body = bodies("search", {"q": args.q}, lemmatise, "30s", args.size)(None)
    chosen = args.variants.split(",")
    variant_bodies = {name: variant_body(api_body, name) for name in chosen}
    same = {n: await check(es, index, api_body, b) for n, b in variant_bodies.items()}
    samples = {name: Samples() for name in chosen}

    def send(body: dict[str, Any]) -> Callable[[int], Awaitable[Any]]:
        return lambda _: es.search(index=index, body=body)

    for body in variant_bodies.values():  # warm-up
        await run_load(send(body), 20, args.clients, Samples())
    for r in range(args.rounds):
        # alternating order: drift on a shared host hits every variant alike
        for name in chosen if r % 2 == 0 else chosen[::-1]:
            await run_load(send(variant_bodies[name]), args.requests, args.clients, samples[name])
    await es.close()
    base = samples[chosen[0]].stats()
    out = {}
    for name in chosen:
        st = samples[name].stats()
        out[name] = {**st, "rps_vs_first": round(st["rps"] / base["rps"], 2)}
        out[name]["same_highlights"] = same[name]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--prefix", default="bench-api-", help="index set built by bench_api.py")
    ap.add_argument("--q", default="Ukraine")
    ap.add_argument("--size", type=int, default=20)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--requests", type=int, default=64, help="requests per round and variant")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="the first is the baseline")
    args = ap.parse_args()
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    results = asyncio.run(measure(args))
    print(
        json.dumps(
            {
                "bench": "highlight",
                "date": date.today().isoformat(),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "q": args.q,
                "clients": args.clients,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

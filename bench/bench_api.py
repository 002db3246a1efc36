"""Search API benchmark: the API (a real uvicorn process) beside the same Elasticsearch requests
sent directly, at 1 and 8 concurrent clients. Prints JSON. Not a test.

    .venv/bin/python bench/bench_api.py --n 20000           # index 20k articles, then measure
    .venv/bin/python bench/bench_api.py --n 100000 --reuse  # measure an index built earlier

Articles are corpus pages (../shared/corpus: fundus-en and wcxb ground truth) with varied ids,
dates, sites, actors and events, written by the real index stage (`newsflow_index.bulk.
write_batch`) into a separate prefixed index set. The direct side sends the bodies built by
the API's own builders (`newsflow_api.query`), including the point-in-time open the API does
per first page, so the ratio is the API's own overhead. Each article records the spaCy model
that lemmatised it (`NEWSFLOW_ENRICH_MODEL`'s, in its `enricher` name), which the API checks
at start-up: an index built before the model was recorded (`enricher: "bench"`) is refused,
so build it again rather than `--reuse` it.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pycountry

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
TARGETS = {"p50": 1.2, "p99": 1.5, "throughput": 0.7}
SITES = [f"news{i:02d}.example" for i in range(40)]
EVENT_TYPES = [
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "AID",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
    "COOPERATE",
]
QUERY_WORDS = [
    "government",
    "police",
    "court",
    "election",
    "president",
    "minister",
    "war",
    "attack",
    "talks",
    "economy",
    "health",
    "school",
    "market",
    "killed",
    "report",
    "climate",
    "security",
    "military",
    "vote",
    "trade",
]
FIRST = ["Anna", "John", "Maria", "Ivan", "Li", "Omar", "Sara", "Peter", "Yuki", "Ahmed"]
LAST = ["Smith", "Petrov", "Garcia", "Chen", "Khan", "Novak", "Ito", "Okafor", "Muller", "Silva"]
START = datetime(2023, 1, 1, tzinfo=UTC)  # two years of publication dates from here


# ---------------------------------------------------------------- corpus


def corpus_texts(limit_chars: int = 1500) -> list[tuple[str, str]]:
    """(title, text) of every corpus article with some body."""
    out: list[tuple[str, str]] = []
    for path in sorted(glob.glob(str(CORPUS / "fundus-en" / "*" / "*.json"))):
        for entry in json.loads(Path(path).read_text()).values():
            paras = [
                p
                for s in entry.get("body", {}).get("sections", [])
                for p in s.get("paragraphs", [])
            ]
            text = " ".join(paras)
            if entry.get("title") and len(text) > 300:
                out.append((entry["title"], text[:limit_chars]))
    for path in sorted(glob.glob(str(CORPUS / "wcxb-dev-articles" / "ground-truth" / "*.json"))):
        gt = json.loads(Path(path).read_text())["ground_truth"]
        text = " ".join((gt.get("main_content") or "").split())
        if gt.get("title") and len(text) > 300:
            out.append((gt["title"], text[:limit_chars]))
    return out


def actor_pool(rng: random.Random) -> list[Any]:
    from newsflow_shared.messages import Actor, ActorType

    codes = [c.alpha_3 for c in list(pycountry.countries)[:60]]
    pool = [
        Actor(
            id=f"country:{c}",
            name=str(pycountry.countries.get(alpha_3=c).name),  # type: ignore[union-attr]
            type=ActorType.COUNTRY,
            country=c,
        )
        for c in codes
    ]
    for i in range(100):
        name = f"{FIRST[i % 10]} {LAST[i // 10]}"
        pool.append(
            Actor(
                id=f"person:{name.lower().replace(' ', '-')}",
                name=name,
                type=ActorType.PERSON,
                country=rng.choice(codes),
                sector=rng.choice(["GOV", "MIL", "BUS", "CVL"]),
                aliases=[name.split()[1]],
            )
        )
    for kind, n in ((ActorType.ORGANIZATION, 30), (ActorType.GROUP, 20), (ActorType.LOCATION, 30)):
        for i in range(n):
            name = f"{kind.value.title()} {i}"
            pool.append(
                Actor(id=f"{kind.value}:{i}", name=name, type=kind, country=rng.choice(codes))
            )
    return pool


# (title, text, title lemmas, text lemmas, [(sentence, offset, sentence lemmas)])
Base = tuple[str, str, str, str, list[tuple[str, int, str]]]


def build_articles(n: int, seed: int = 7) -> list[tuple[Any, Any]]:
    """n (ParsedArticle, Enrichment) pairs (`iter_articles`)."""
    return list(iter_articles(n, seed))


def iter_articles(n: int, seed: int = 7) -> Iterator[tuple[Any, Any]]:
    """n (ParsedArticle, Enrichment) pairs, made one by one (a million do not fit in memory
    at once); each distinct text is lemmatised once, with the model the API lemmatises
    queries with (NEWSFLOW_ENRICH_MODEL), which they record."""
    import spacy

    from newsflow_api.lemmatiser import EXCLUDE
    from newsflow_shared.lemmas import enricher_name
    from newsflow_shared.settings import get_model_settings

    nlp = spacy.load(get_model_settings().model, exclude=EXCLUDE)
    base = lemmatised(nlp, corpus_texts())
    enricher = enricher_name("bench", nlp)
    rng = random.Random(seed)
    pool = actor_pool(rng)
    for i in range(n):
        yield bench_article(i, base[i % len(base)], pool, rng, START, enricher)


def lemmatised(nlp: Any, texts: list[tuple[str, str]]) -> list[Base]:
    """Each (title, text) with the lemmas (`nlp`'s) of its title, text and first sentences."""
    from newsflow_shared.lemmas import lemma_string

    base: list[Base] = []
    for title, text in texts:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30][:4] or [text[:200]]
        docs = list(nlp.pipe([title, text, *sentences]))
        base.append(
            (
                title,
                text,
                lemma_string(docs[0]),
                lemma_string(docs[1]),
                [
                    (s, text.find(s), lemma_string(d))
                    for s, d in zip(sentences, docs[2:], strict=True)
                ],
            )
        )
    return base


def bench_article(
    i: int, base: Base, pool: list[Any], rng: random.Random, start: datetime, enricher: str
) -> tuple[Any, Any]:
    """Article i: its text from `base`, a random date, 2-8 actors of `pool`, 0-4 events;
    `enricher` names the model of its lemmas."""
    from newsflow_shared.messages import Enrichment, ParsedArticle, SourceKind

    title, text, title_l, text_l, sents = base
    doc_id = f"b{i:07d}"
    published = start + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
    actors = [
        a.model_copy(update={"mentions": rng.randint(1, 6)})
        for a in rng.sample(pool, rng.randint(2, 8))
    ]
    events = bench_events(doc_id, sents, actors, published, rng)
    article = ParsedArticle(
        doc_id=doc_id,
        url=f"https://{SITES[i % len(SITES)]}/a/{doc_id}",
        title=title,
        text=text,
        authors=[f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}"],
        published=published,
        language="en" if i % 10 else "de",
        site=SITES[i % len(SITES)],
        source_kind=SourceKind.URL,
        parser="bench",
    )
    enr = Enrichment(
        language=article.language,
        actors=actors,
        events=events,
        title_lemmas=title_l,
        text_lemmas=text_l,
        enricher=enricher,
    )
    return article, enr


def bench_events(
    doc_id: str,
    sents: list[tuple[str, int, str]],
    actors: list[Any],
    published: datetime,
    rng: random.Random,
) -> list[Any]:
    """0-4 events between two of `actors`, each on one of the article's sentences."""
    from newsflow_shared.messages import Event, EventDate, EventType, Span

    events = []
    for k in range(rng.randint(0, 4)):
        sentence, pos, lemmas = rng.choice(sents)
        src, tgt = rng.sample(actors, 2)
        events.append(
            Event(
                id=f"{doc_id}:e{k}",
                type=EventType(rng.choice(EVENT_TYPES)),
                mode=rng.choice([None, "aerial", "economic"]),
                source_actors=[src.id],
                target_actors=[tgt.id],
                trigger="x",
                sentence=sentence,
                sentence_lemmas=lemmas,
                span=Span(start=max(pos, 0), end=max(pos, 0) + len(sentence)),
                date=EventDate(
                    value=(published - timedelta(days=rng.randint(0, 3))).date(),
                    granularity="day",
                ),
                confidence=0.8,
                negated=rng.random() < 0.05,
                hypothetical=rng.random() < 0.05,
            )
        )
    return events


# ---------------------------------------------------------------- scenarios


def scenarios(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Request parameter sets: /search with q, two filters and all facets; /events with facets."""
    countries = [c.alpha_3 for c in list(pycountry.countries)[:60]]
    search = [
        {"q": rng.choice(QUERY_WORDS), "language": "en", "country": rng.choice(countries)}
        for _ in range(50)
    ]
    events = [{"event_type": rng.choice(EVENT_TYPES)} for _ in range(50)]
    return {"search": search, "events": events}


def bodies(
    kind: str, params: dict[str, Any], lemmatise: Any, keep_alive: str, size: int
) -> Callable[[str | None], dict[str, Any]]:
    """The body the API builds for these parameters (first page, facets on)."""
    from newsflow_api.query.bodies import ARTICLES, EVENTS, Page, search_body
    from newsflow_api.query.filters import plan_for
    from newsflow_api.query.params import EventsParams, SearchParams
    from newsflow_api.query.syntax import parse_user_query

    # The API fetches one hit more than asked to know whether there is a next page.
    page = Page(size=size + 1)
    search_kind, model = (ARTICLES, SearchParams) if kind == "search" else (EVENTS, EventsParams)
    # As the API reads them: every scenario filter is a list parameter given once.
    given = model.model_validate({k: v if k == "q" else (v,) for k, v in params.items()})
    plan = plan_for(given, search_kind.scope)
    parsed = parse_user_query(given.q)
    return lambda pit: search_body(
        search_kind,
        parsed,
        plan,
        page,
        lemmatise,
        irregular=lemmatise.irregular,
        pit=pit,
        keep_alive=keep_alive,
    )


@dataclass
class Samples:
    """Latencies and busy wall time of one side, pooled over rounds."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0

    def stats(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        return {
            "n": len(lat),
            "p50_ms": round(statistics.median(lat) * 1000, 2),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2),
            "rps": round(len(lat) / self.wall, 1),
        }


async def run_load(
    fn: Callable[[int], Awaitable[None]],
    total: int,
    concurrency: int,
    into: Samples,
    before: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """`total` calls of `fn` by `concurrency` workers; latencies and wall time into `into`.
    `before` is awaited before each call, outside its latency (not outside the wall time)."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            if before is not None:
                await before()
            t = time.perf_counter()
            await fn(i)
            into.latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    into.wall += time.perf_counter() - t0


async def measure(args: argparse.Namespace, port: int) -> dict[str, Any]:
    from newsflow_api.deps import make_es_client
    from newsflow_api.lemmatiser import Lemmatiser
    from newsflow_api.settings import ApiSettings
    from newsflow_shared.indices import names
    from newsflow_shared.settings import Settings, get_model_settings

    settings = Settings(index_prefix=args.prefix)
    api_settings = ApiSettings(cursor_keep_alive=args.keep_alive)
    lemmatise = Lemmatiser.load(get_model_settings().model)
    es = make_es_client(settings, api_settings)
    # The API side uses aiohttp, the HTTP client under elasticsearch-py on the direct side,
    # so the ratio compares the API with Elasticsearch, not two client libraries (httpx's
    # async client alone costs ~0.5 ms more per request than aiohttp here).
    http = aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{port}",
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=32),
    )
    index = {
        "search": names("articles", args.prefix).read,
        "events": names("events", args.prefix).read,
    }
    path = {"search": "/search", "events": "/events"}
    rng = random.Random(11)
    results: dict[str, Any] = {}
    before = None
    if args.cold:  # every request misses the shard request cache

        async def before() -> None:
            await es.indices.clear_cache(index=",".join(index.values()), request=True)

    for kind, param_sets in scenarios(rng).items():
        builders = [bodies(kind, p, lemmatise, args.keep_alive, args.size) for p in param_sets]

        async def direct(i: int, kind: str = kind, builders: list[Any] = builders) -> None:
            # Exactly what the API sends for a first page (no point in time: later pages open one).
            await es.search(index=index[kind], body=builders[i % len(builders)](None))

        async def api(i: int, kind: str = kind, param_sets: list[Any] = param_sets) -> None:
            await get(http, path[kind], {**param_sets[i % len(param_sets)], "size": args.size})

        # Check once that the API and the direct request agree.
        async with http.get(path[kind], params={**param_sets[0], "size": args.size}) as resp:
            r = await resp.json()
        d = await es.search(index=index[kind], body=builders[0](None))
        if r["total"] != d["hits"]["total"]["value"]:
            raise SystemExit(
                f"{kind}: the API found {r['total']}, Elasticsearch {d['hits']['total']}"
            )
        results[kind] = {"example_params": param_sets[0], "example_total": r["total"]}
        for conc in (1, 8):
            results[kind][f"c{conc}"] = await compare(direct, api, conc, args, before)
    results["faceted"] = await faceted(es, http, index["search"], args, before)
    await http.close()
    await es.close()
    return results


async def get(http: aiohttp.ClientSession, path: str, params: dict[str, Any]) -> None:
    async with http.get(path, params=params) as r:
        body = await r.read()
        if r.status != 200:
            raise SystemExit(f"{path} -> {r.status}: {body[:300]!r}")


async def compare(
    direct: Callable[[int], Awaitable[None]],
    api: Callable[[int], Awaitable[None]],
    conc: int,
    args: argparse.Namespace,
    before: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Direct and API side at `conc` clients: warm-up, alternating rounds, pooled stats."""
    await run_load(direct, args.warmup, conc, Samples(), before)
    await run_load(api, args.warmup, conc, Samples(), before)
    d_samples, a_samples = Samples(), Samples()
    # Many short alternating rounds: load drift on a shared host hits both sides alike.
    for _ in range(args.rounds):
        await run_load(direct, args.requests, conc, d_samples, before)
        await run_load(api, args.requests, conc, a_samples, before)
    dm, am = d_samples.stats(), a_samples.stats()
    ratios = {
        "p50": round(am["p50_ms"] / dm["p50_ms"], 3),
        "p99": round(am["p99_ms"] / dm["p99_ms"], 3),
        "throughput": round(am["rps"] / dm["rps"], 3),
    }
    meets = {
        "p50": ratios["p50"] <= TARGETS["p50"],
        "p99": ratios["p99"] <= TARGETS["p99"],
        "throughput": ratios["throughput"] >= TARGETS["throughput"],
    }
    return {"direct": dm, "api": am, "ratio": ratios, "meets_target": meets}


async def faceted(
    es: Any,
    http: aiohttp.ClientSession,
    index: str,
    args: argparse.Namespace,
    before: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """`/search?q=...` with every facet (the default) beside a plain Elasticsearch search of
    the same words (hits only), at `--faceted-clients` clients: what the facets cost."""
    plain = {
        "query": {"multi_match": {"query": args.faceted_q, "fields": ["title", "text"]}},
        "size": args.size,
    }

    async def direct(_: int) -> None:
        await es.search(index=index, body=plain)

    async def api(_: int) -> None:
        await get(http, "/search", {"q": args.faceted_q, "size": args.size})

    out = await compare(direct, api, args.faceted_clients, args, before)
    return {
        "q": args.faceted_q,
        "clients": args.faceted_clients,
        "plain_es": out["direct"],
        "api_faceted": out["api"],
        "ratio": out["ratio"],
    }


def start_server(
    prefix: str,
    port: int,
    workers: int,
    keep_alive: str,
    cwd: Path = REPO,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """The API in a uvicorn of its own on `port`, run from `cwd` (another checkout's code
    when `extra_env` puts it on PYTHONPATH); returns when it is ready."""
    env = {
        **os.environ,
        "NEWSFLOW_INDEX_PREFIX": prefix,
        "NEWSFLOW_API_CURSOR_KEEP_ALIVE": keep_alive,
        "NEWSFLOW_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "newsflow_api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, start_new_session=True)
    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("API server exited during start-up")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("API server did not become ready")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=100_000, help="articles to index")
    ap.add_argument("--prefix", default="bench-api-", help="index prefix of the bench index set")
    ap.add_argument(
        "--reuse", action="store_true", help="keep an existing index set of >= n articles"
    )
    ap.add_argument("--requests", type=int, default=40, help="requests per round and side")
    ap.add_argument("--rounds", type=int, default=15, help="alternating rounds (pooled)")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--size", type=int, default=20, help="hits per page")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--faceted-q", default="Ukraine", help="query of the faceted scenario")
    ap.add_argument("--faceted-clients", type=int, default=16)
    ap.add_argument(
        "--cold", action="store_true", help="clear the shard request cache before each request"
    )
    ap.add_argument(
        "--keep-alive", default="30s", help="PIT keep-alive (API setting and direct side)"
    )
    args = ap.parse_args()

    import bench_build

    indexing = bench_build.index_corpus(args.prefix, args.n, args.reuse)
    proc = start_server(args.prefix, args.port, args.workers, args.keep_alive)
    try:
        results = asyncio.run(measure(args, args.port))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(
        json.dumps(
            {
                "bench": "api",
                "date": date.today().isoformat(),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "articles": args.n,
                "indexing": indexing,
                "uvicorn_workers": args.workers,
                "page_size": args.size,
                "targets": {
                    "p50_ratio_max": TARGETS["p50"],
                    "p99_ratio_max": TARGETS["p99"],
                    "throughput_ratio_min": TARGETS["throughput"],
                },
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

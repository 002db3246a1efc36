"""Test helpers: paths, seeds, text scores, queued messages. Starting workers, the corpus and
the local page server are in `newsflow_testkit` (shared with the benchmarks)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from base64 import b64decode
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED = SEEDS / "000_d4436bfd2754a2f8.txt"
# The worker of each stage the pipeline tests run, with its extra command-line arguments.
STAGES = {
    "fetch": ["--pool", "threads", "--concurrency", "8"],
    "parse": ["--concurrency", "2"],
    "enrich": ["--concurrency", "1"],
    "index": ["--concurrency", "1", "--prefetch-multiplier", "100"],
}


def _words(s: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", s.lower()))


def word_f1(got: str, want: str) -> float:
    """Bag-of-words F1 between extracted and ground-truth text."""
    g, w = _words(got), _words(want)
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * p * r / (p + r)


def queued_messages(redis: Any, queue: str) -> list[dict[str, Any]]:
    """The Celery messages waiting in `queue` on Redis, oldest last; each with its `headers`
    and its `body` decoded to [args, kwargs, embed]."""
    out = []
    for raw in redis.lrange(queue, 0, -1):
        msg = json.loads(raw)
        msg["body"] = json.loads(b64decode(msg["body"]))
        out.append(msg)
    return out


def stored_articles(es: Any, prefix: str, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored articles by id, read through the `articles` alias (it spans the month
    partitions, so a search by ids: a get or mget needs one index). Refreshes it first."""
    index = f"{prefix}articles"
    es.indices.refresh(index=index)
    res = es.search(index=index, query={"ids": {"values": doc_ids}}, size=2 * len(doc_ids))
    return {h["_id"]: h["_source"] for h in res["hits"]["hits"]}


def stored_article(es: Any, prefix: str, doc_id: str) -> dict[str, Any]:
    """One stored article (`stored_articles`); fails the test if it is not there."""
    found = stored_articles(es, prefix, [doc_id])
    assert doc_id in found, f"article {doc_id} not in {prefix}articles"
    return found[doc_id]


def ingest(env: dict[str, str], urls: list[str], folder: Path) -> str:
    """Submit `urls` with the real `newsflow ingest` command (environment `env`, e.g. a
    private stack's) without waiting; returns the job id."""
    listing = folder / f"{uuid.uuid4().hex[:6]}.urls"
    listing.write_text("\n".join(urls) + "\n")
    cli = str(Path(sys.executable).with_name("newsflow"))
    out = subprocess.run(
        [cli, "ingest", "--no-wait", "--json", str(listing)],
        env=env,
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return str(json.loads(out.stdout)["job_id"])


def until(check: Callable[[], Any], seconds: float) -> bool:
    """Poll `check` every 0.2 s until it is true or `seconds` passed; its last value."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.2)
    return bool(check())

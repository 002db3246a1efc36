"""Test helpers: paths, the handbook corpus and its ground truth (read by path), job waiting."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from base64 import b64decode
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO.parent / "shared" / "corpus").resolve()
SEEDS = REPO / "seeds"
SEED = SEEDS / "000_d4436bfd2754a2f8.txt"
# The worker of each stage the pipeline tests run, with its extra command-line arguments.
STAGES = {
    "fetch": ["--concurrency", "6"],
    "parse": ["--concurrency", "2"],
    "enrich": ["--concurrency", "1"],
    "index": ["--concurrency", "1", "--prefetch-multiplier", "100"],
}


@dataclass(frozen=True)
class Page:
    path: str  # relative to CORPUS
    title: str
    body: str


def wcxb_pages(n: int, start: int = 1) -> list[Page]:
    root = CORPUS / "wcxb-dev-articles"
    out = []
    for gt in sorted((root / "ground-truth").glob("*.json"))[start - 1 : start - 1 + n]:
        d = json.loads(gt.read_text())["ground_truth"]
        out.append(
            Page(
                f"wcxb-dev-articles/html/{gt.stem}.html.gz",
                d.get("title") or "",
                d.get("main_content") or "",
            )
        )
    return out


def fundus_pages(n: int) -> list[Page]:
    root = CORPUS / "fundus-en"
    out: list[Page] = []
    for gt in sorted(root.glob("*/*.json")):
        entries = json.loads(gt.read_text())
        pages = sorted(gt.parent.glob(f"{gt.stem}_*.html.gz"))
        for page, key in zip(pages, sorted(entries, key=_version_key), strict=False):
            e = entries[key]
            paras = [p for s in e["body"]["sections"] for p in s["paragraphs"]]
            out.append(Page(str(page.relative_to(CORPUS)), e["title"], "\n".join(paras)))
    return out[:n]


def _version_key(k: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", k))


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


def wait_for_job(
    runtime: Any, job_id: str, timeout: float = 180.0, poll: float = 0.3
) -> dict[str, Any]:
    """Poll the ledger until every item of the job reached a final state."""
    deadline = time.monotonic() + timeout
    summary: dict[str, Any] = runtime.ledger.summary(job_id)
    while not summary["done"] and time.monotonic() < deadline:
        time.sleep(poll)
        summary = runtime.ledger.summary(job_id)
    return summary


def wait_for_workers(app: Any, expected: set[str], timeout: float = 120.0) -> set[str]:
    """Ping Celery until workers named `<name>@host` for every name in `expected` answer.

    Returns the names that answered (a subset of `expected` when the timeout ran out).
    """
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline and seen != expected:
        replies = app.control.ping(timeout=1.0) or []
        seen = {name.split("@")[0] for r in replies for name in r} & expected
    return seen


def start_worker(
    stage: str, name: str, env: dict[str, str], log: Path, *extra: str
) -> subprocess.Popen[bytes]:
    """A real Celery worker process for `stage`'s queue, node `name@<host>`, in its own
    session (so its pool children stop with it), output to `log`."""
    celery = str(Path(sys.executable).with_name("celery"))
    cmd = [celery, "-A", f"newsflow_{stage}.tasks", "worker", "-Q", stage, "-n", f"{name}@%h"]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*cmd, "--loglevel", "INFO", *extra],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_pipeline(
    app: Any, stages: dict[str, list[str]], env: dict[str, str], logs: Path, suffix: str
) -> dict[str, subprocess.Popen[bytes]]:
    """One worker per stage (node `<stage>-<suffix>`, extra arguments from `stages`), logs in
    `logs`; returns them by stage once all answer a ping on `app`'s broker, else stops them
    and raises RuntimeError."""
    procs = {
        s: start_worker(s, f"{s}-{suffix}", env, logs / f"{s}.log", *x) for s, x in stages.items()
    }
    expected = {f"{s}-{suffix}" for s in stages}
    seen = wait_for_workers(app, expected)
    dead = [s for s, p in procs.items() if p.poll() is not None]
    if dead or seen != expected:
        stop_workers(procs.values())
        raise RuntimeError(f"workers {sorted(expected - seen)} did not answer; logs in {logs}")
    return procs


def stop_workers(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every worker (warm shutdown), SIGKILL those still running after 30 s."""
    procs = list(procs)
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(
    env: dict[str, str], ready_path: str = "/readyz", timeout: float = 90.0
) -> tuple[subprocess.Popen[bytes], str]:
    """The API under uvicorn as its own process (own session), with `env`; returns it and its
    base URL once `ready_path` answers 200. Raises RuntimeError (process stopped) otherwise."""
    import httpx

    port = free_port()
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    app = ["--factory", "newsflow_api.main:create_app"]  # as `make up` runs it
    http = ["--http", "newsflow_api.server:ApiHttpProtocol", "--no-access-log"]
    proc = subprocess.Popen(
        [uvicorn, *app, *http, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + ready_path, timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop_api(proc)
    raise RuntimeError(f"the API did not answer 200 on {ready_path} within {timeout:.0f} s")


def stop_api(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the API's process group; SIGKILL it after 30 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@contextmanager
def running_api(env: dict[str, str], ready_path: str = "/readyz") -> Iterator[str]:
    """`start_api` for the length of a `with` block; yields the base URL."""
    proc, url = start_api(env, ready_path)
    try:
        yield url
    finally:
        stop_api(proc)

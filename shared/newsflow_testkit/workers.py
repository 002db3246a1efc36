"""Real Celery worker processes of the pipeline stages: start them, wait until they answer,
wait for a job to settle, stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


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
    stage: str, name: str, env: dict[str, str], log: Path, *extra: str, loglevel: str = "INFO"
) -> subprocess.Popen[bytes]:
    """A real Celery worker process for `stage`'s queue, node `name@<host>`, in its own
    session (so its pool children stop with it), output to `log` (`os.devnull` for none)."""
    celery = str(Path(sys.executable).with_name("celery"))
    cmd = [celery, "-A", f"newsflow_{stage}.tasks", "worker", "-Q", stage, "-n", f"{name}@%h"]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*cmd, "--loglevel", loglevel, *extra],
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

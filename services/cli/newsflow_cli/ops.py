"""Operations: `newsflow reconcile` and `newsflow ready`."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from newsflow_cli.common import app, console
from newsflow_shared.errors import is_outage
from newsflow_shared.runtime import get_runtime


@app.command()
def reconcile(
    every: Annotated[
        float | None,
        typer.Option(help="run a pass every so many seconds, until stopped (default: once)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Give orphaned messages (a dead worker's) back to their queues; re-dispatch items
    stuck in a stage past its limit with no live task, or record them failed."""
    from newsflow_shared.celery_app import app as celery_app
    from newsflow_shared.reconciler import Reconciler

    # in a loop, an item is acted on only once two passes saw it stuck
    rec = Reconciler(get_runtime(), celery_app, confirm=every is not None)
    while True:
        try:
            report = rec.run_once()
        except Exception as exc:
            if every is None or not is_outage(exc):
                raise
            console.print(f"reconcile: backends unreachable, next pass in {every:.0f}s: {exc}")
        else:
            line = {
                "workers": report.workers,
                "restored": report.restored,
                "redispatched": len(report.redispatched),
                "failed": len(report.failed),
                "skipped": report.skipped,
            }
            if as_json:
                print(json.dumps(line), flush=True)
            else:
                console.print("reconcile: " + ", ".join(f"{k} {v}" for k, v in line.items()))
        if every is None:
            return
        time.sleep(every)


@app.command()
def ready(
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 120.0,
    api: Annotated[
        str | None, typer.Option(help="also wait for this API base URL's /readyz")
    ] = None,
) -> None:
    """Wait until Redis, Elasticsearch, a worker on every stage queue (and the API) answer."""
    import httpx

    from newsflow_shared.celery_app import app as celery_app
    from newsflow_shared.stages import Stage

    rt = get_runtime()
    deadline = time.monotonic() + timeout
    missing: list[str] = []
    while True:
        missing = []
        try:
            rt.redis.ping()
        except Exception as exc:
            missing.append(f"redis ({exc})")
        try:
            rt.es.cluster.health(wait_for_status="yellow", timeout="1s")
        except Exception as exc:
            missing.append(f"elasticsearch ({exc})")
        if not missing:
            queues = celery_app.control.inspect(timeout=1.0).active_queues() or {}
            serving = {q["name"] for qs in queues.values() for q in qs}
            missing += [f"a {s.value} worker" for s in Stage if s.value not in serving]
        if api:
            try:
                httpx.get(f"{api}/readyz", timeout=2).raise_for_status()
            except httpx.HTTPError as exc:
                missing.append(f"the API at {api} ({exc})")
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(1)
    if missing:
        console.print(f"[red]not ready after {timeout:.0f}s:[/red] " + "; ".join(missing))
        raise typer.Exit(1)
    console.print(
        "ready: redis, elasticsearch, fetch/parse/enrich/index workers" + (", api" if api else "")
    )

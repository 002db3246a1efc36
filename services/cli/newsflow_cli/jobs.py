"""Jobs: `newsflow init`, `ingest`, `status` (and `--check`), `reprocess`."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsflow_cli.common import app, console, following
from newsflow_shared.errors import BROKER_ERRORS, NewsflowError, is_outage
from newsflow_shared.indices import init_indices
from newsflow_shared.runtime import Runtime, get_runtime
from newsflow_shared.submit import Submitter


@app.command()
def init() -> None:
    """Create the Elasticsearch indices and aliases from infra/elasticsearch (idempotent)."""
    rt = get_runtime()
    s = rt.settings
    actions = init_indices(rt.es, s.index_prefix, shards=s.es_shards, replicas=s.es_replicas)
    for a in actions:
        console.print(a)
    console.print(f"indices ready ({len(actions)} changes)")


def _wait(rt: Runtime, job_id: str, timeout: float) -> dict:
    """Poll the job until it is done or `timeout` passed; the last summary read. A Redis
    outage meanwhile is waited out (the items are not lost, the ledger is only unreachable)."""
    summary = rt.ledger.summary(job_id)
    deadline = time.monotonic() + timeout
    unreachable = False
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(f"job {job_id}", total=summary["submitted"])
        while not summary["done"] and time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                summary = rt.ledger.summary(job_id)
            except BROKER_ERRORS as exc:
                if not unreachable:
                    console.print(f"[yellow]Redis unreachable, still waiting:[/yellow] {exc}")
                unreachable = True
                continue
            unreachable = False
            bar.update(
                task,
                total=summary["submitted"],
                completed=summary["submitted"] - summary["in_flight"],
            )
    return summary


def _print_summary(rt: Runtime, summary: dict) -> None:
    table = Table(title=f"job {summary['job_id']}  ({summary['source']})")
    table.add_column("state")
    table.add_column("items", justify="right")
    for state, n in summary["counts"].items():
        table.add_row(state, str(n))
    table.add_row("[b]submitted[/b]", f"[b]{summary['submitted']}[/b]")
    console.print(table)
    for rec in rt.ledger.items(summary["job_id"], ("rejected", "failed")):
        why = rec.get("reason") or rec.get("error", "")
        console.print(
            f"  {rec['state']:8} {rec.get('stage', ''):6} {why:28} {rec.get('source', '')}  {rec.get('message', '')[:120]}"
        )


@app.command()
def ingest(
    targets: Annotated[
        list[str],
        typer.Argument(help="URLs, files (.html, .txt, .urls, .feeds, .warc, .warc.gz) or folders"),
    ],
    feed: Annotated[list[str], typer.Option(help="a feed URL (repeatable)")] = [],  # noqa: B006
    wait: Annotated[bool, typer.Option(help="wait until every item reached a final state")] = True,
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the job summary as JSON")] = False,
) -> None:
    """Submit items; each gets a ledger record. Prints the job id and a summary."""
    rt = get_runtime()
    sub = Submitter(rt, source=" ".join([*targets, *feed])[:500])
    with following(rt, sub.sub.job_id, lambda: sub.sub.items):
        try:
            for t in targets:
                sub.any(t)
            for f in feed:
                sub.feed(f)
        except NewsflowError as exc:
            if is_outage(exc):  # a backend down: one line with the job's state (`following`)
                raise
            console.print(f"[red]submission stopped:[/red] {exc}")
            raise typer.Exit(2) from exc
        console.print(f"job {sub.sub.job_id}: {sub.sub.items} items submitted")
        job = sub.sub.job_id
        summary = _wait(rt, job, timeout) if wait else rt.ledger.summary(job)
        if wait and not summary["done"]:
            console.print(
                f"[yellow]gave up waiting after {timeout:.0f}s: {summary['in_flight']} of "
                f"{summary['submitted']} items still in flight[/yellow] "
                f"(follow with `newsflow status {job}`)"
            )
        if as_json:
            print(json.dumps(summary))
        else:
            _print_summary(rt, summary)
    if wait and not summary["done"]:
        raise typer.Exit(3)


@app.command()
def status(
    job_id: Annotated[
        str | None, typer.Argument(help="a job id; the latest jobs when omitted")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="compare the ledger's indexed items with Elasticsearch (the job's, or all "
            "jobs' and the whole index); exit 1 on any difference",
        ),
    ] = False,
) -> None:
    """Counts by state for a job, and its rejected/failed items."""
    rt = get_runtime()
    if check:
        _check(rt, job_id, as_json)
        return
    if job_id is None:
        for j in rt.ledger.recent_jobs():
            s = rt.ledger.summary(j)
            console.print(f"{j}  {s['counts']}  {s['source']}")
        return
    if not rt.ledger.job_exists(job_id):
        console.print(f"[red]no job {job_id}[/red]")
        raise typer.Exit(1)
    summary = rt.ledger.summary(job_id)
    if as_json:
        summary["problems"] = rt.ledger.items(job_id, ("rejected", "failed"))
        print(json.dumps(summary))
    else:
        _print_summary(rt, summary)


def _check(rt: Runtime, job_id: str | None, as_json: bool) -> None:
    """`status --check`: the ledger against Elasticsearch; exit 1 when they differ."""
    from newsflow_shared.reconciler import Reconciler

    if job_id is not None and not rt.ledger.job_exists(job_id):
        console.print(f"[red]no job {job_id}[/red]")
        raise typer.Exit(1)
    if job_id is None:
        checks, extra = Reconciler(rt).check(None)
    else:
        with following(rt, job_id, lambda: 0):
            checks, extra = Reconciler(rt).check([job_id])
    differ = [c for c in checks if c.missing]
    indexed = sum(c.indexed for c in checks)
    present = sum(c.present for c in checks)
    if as_json:
        print(
            json.dumps(
                {
                    "jobs": [c.__dict__ for c in checks],
                    "indexed": indexed,
                    "present": present,
                    "unrecorded": extra,
                    "match": not differ and not extra,
                }
            )
        )
    else:
        for c in differ:
            console.print(
                f"job {c.job_id}: {c.indexed} indexed in the ledger, {c.present} in "
                f"Elasticsearch; missing: {' '.join(c.missing[:20])}"
                + (f" (+{len(c.missing) - 20} more)" if len(c.missing) > 20 else "")
            )
        if extra:
            console.print(
                f"{len(extra)} articles in Elasticsearch that no item recorded indexed: "
                + " ".join(extra[:20])
            )
        scope = f"job {job_id}" if job_id else f"{len(checks)} jobs"
        verdict = "differ" if differ or extra else "match"
        console.print(
            f"{scope}: ledger and Elasticsearch {verdict} ({indexed} items indexed, "
            f"{present} of them present)"
        )
    if differ or extra:
        raise typer.Exit(1)


class FromStage(StrEnum):
    PARSE = "parse"
    ENRICH = "enrich"


@app.command()
def reprocess(
    from_: Annotated[FromStage, typer.Option("--from", help="re-run from this stage on")],
    site: Annotated[str | None, typer.Option(help="only articles of this site")] = None,
    doc_id: Annotated[list[str], typer.Option("--id", help="only these doc ids")] = [],  # noqa: B006
    wait: Annotated[bool, typer.Option()] = True,
    timeout: Annotated[float, typer.Option()] = 600.0,
) -> None:
    """Re-run stages from stored content (no fetching) for all or some stored articles."""
    rt = get_runtime()
    sub = Submitter(rt, source=f"reprocess --from {from_.value}")
    job = sub.sub.job_id
    stage_done = "fetched" if from_ is FromStage.PARSE else "parsed"
    for rec in rt.store.select(stage_done=stage_done, site=site, doc_ids=doc_id or None):
        sub.stored(rec, from_.value)
    console.print(f"job {job}: {sub.sub.items} items to reprocess from {from_.value}")
    summary = _wait(rt, job, timeout) if wait else rt.ledger.summary(job)
    _print_summary(rt, summary)

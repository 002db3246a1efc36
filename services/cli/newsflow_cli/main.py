"""The `newsflow` command: init, migrate, ingest, status, reprocess, reconcile, ready, eval."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from elastic_transport import ConnectionError as EsConnectionError
from kombu.utils.url import maybe_sanitize_url
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsflow_cli.migrate import migrate
from newsflow_shared.errors import BROKER_ERRORS, NewsflowError, TransientError, is_outage
from newsflow_shared.indices import init_indices
from newsflow_shared.runtime import Runtime, get_runtime
from newsflow_shared.settings import get_settings
from newsflow_shared.submit import Submitter

console = Console(stderr=True)
# Exit code of a command that could not reach Redis or Elasticsearch.
EXIT_BACKEND_DOWN = 4


def backend_down(exc: BaseException) -> str | None:
    """One line naming the backend `exc` says is unreachable, or None for other errors."""
    settings = get_settings()
    if isinstance(exc, BROKER_ERRORS):
        where, url = "Redis", maybe_sanitize_url(settings.redis_url)
    elif isinstance(exc, EsConnectionError) or (
        isinstance(exc, TransientError) and exc.reason.startswith("es_")
    ):
        where, url = "Elasticsearch", settings.es_url
    else:
        return None
    detail = " ".join(str(exc).split())[:200]
    return f"newsflow: {where} is unreachable at {url} ({detail}); is the stack up? (make status)"


class BackendDown(Exception):
    """A backend went down while a job was being submitted or followed: `note` says where
    the job stands."""

    def __init__(self, cause: BaseException, note: str) -> None:
        super().__init__(note)
        self.cause, self.note = cause, note


def in_flight_note(rt: Runtime, job_id: str, submitted: int) -> str:
    """How many of the job's items are still in flight, as far as the ledger can say."""
    try:
        s = rt.ledger.summary(job_id)
    except BROKER_ERRORS:
        return (
            f"job {job_id}: {submitted} items submitted, how many are still in flight is "
            f"unknown until Redis is back (newsflow status {job_id})"
        )
    return (
        f"job {job_id}: {s['in_flight']} of {s['submitted']} items still in flight "
        f"(newsflow status {job_id})"
    )


@contextmanager
def following(rt: Runtime, job_id: str, submitted: Callable[[], int]) -> Iterator[None]:
    """Turn a backend outage inside the block into BackendDown with the job's in-flight count."""
    try:
        yield
    except Exception as exc:
        if backend_down(exc) is None:
            raise
        raise BackendDown(exc, in_flight_note(rt, job_id, submitted())) from exc


class Cli(typer.Typer):
    """The command group; a backend that is down ends a command with one line, not a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            cause = exc.cause if isinstance(exc, BackendDown) else exc
            line = backend_down(cause)
            if line is None:
                raise
            if isinstance(exc, BackendDown):
                line = f"{line}; {exc.note}"
            console.print(line, style="red", markup=False, highlight=False, soft_wrap=True)
            sys.exit(EXIT_BACKEND_DOWN)


app = Cli(no_args_is_help=True, add_completion=False, help=__doc__)
app.command()(migrate)
eval_app = typer.Typer(no_args_is_help=True, help="Measure quality against gold data.")
app.add_typer(eval_app, name="eval")


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
        list[str], typer.Argument(help="URLs, files (.html, .txt, .urls, .feeds) or folders")
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


SplitOption = Annotated[
    str,
    typer.Option(help="train | dev | test | all: the split of the labelled data to score"),
]


@eval_app.command("enrich")
def eval_enrich(
    gold: Annotated[
        list[Path], typer.Argument(help="gold JSONL file(s), see tests/gold/FORMAT.md")
    ],
    corpus_root: Annotated[Path, typer.Option(help="the handbook corpus folder")] = Path(
        "../shared/corpus"
    ),
    split: SplitOption = "all",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Actor and event precision/recall/F1 of the enricher on gold documents."""
    from newsflow_enrich.evaluate import evaluate, format_report
    from newsflow_enrich.loader import load_enricher

    enricher = load_enricher()
    for path in gold:
        result = evaluate(
            path,
            enricher,
            corpus_root=corpus_root,
            repo_root=Path.cwd(),
            split=_split(split),
        )
        if as_json:
            print(json.dumps(result, default=str))
        else:
            print(f"== {path} ({split})")
            print(format_report(result))


@eval_app.command("events")
def eval_events(
    split: SplitOption = "test",
    corpus_root: Annotated[Path, typer.Option(help="the handbook corpus folder")] = Path(
        "../shared/corpus"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per-sentence event typing on the labelled sentence corpus, and whole labelled pages
    (services/enrich/training): do pages that report no event stay quiet?"""
    from newsflow_enrich import evaluate_sentences, training
    from newsflow_enrich.loader import load_enricher

    enricher = load_enricher()
    sentences = training.load()
    pages = training.load_pages()
    chosen = _split(split)
    if chosen is not None:
        sentences = list(training.of_split(sentences, chosen))
        pages = [p for p in pages if p.split == chosen]
    report = evaluate_sentences.score(sentences, evaluate_sentences.predict(enricher, sentences))
    docs = evaluate_sentences.parse_pages(
        enricher, [training.page_text(p, corpus_root) for p in pages]
    )
    pages_report = evaluate_sentences.page_report(
        pages, evaluate_sentences.page_results(enricher, pages, docs)
    )
    if as_json:
        print(json.dumps({**report, "pages": pages_report}))
    else:
        print(evaluate_sentences.format_report(report, f"[{split}] "))
        print(evaluate_sentences.format_page_report(pages_report, f"[{split}] "))


def _split(name: str) -> Any:
    if name == "all":
        return None
    if name not in {"train", "dev", "test"}:
        raise typer.BadParameter(f"split must be train, dev, test or all, not {name!r}")
    return name


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())

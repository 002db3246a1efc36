"""What every command group shares: the console, the app, and one line (not a traceback)
when a backend (`newsflow_shared.errors`) is down."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from elastic_transport import ConnectionError as EsConnectionError
from kombu.utils.url import maybe_sanitize_url
from rich.console import Console

from newsflow_shared.errors import BROKER_ERRORS, OutageError, TransientError
from newsflow_shared.runtime import Runtime
from newsflow_shared.settings import get_settings

console = Console(stderr=True)
# Exit code of a command that could not reach a backend.
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
    elif isinstance(exc, OutageError) and exc.reason.startswith("ner_"):  # `newsflow eval`
        from newsflow_enrich.settings import get_enrich_settings

        where, url = "the CoreNLP NER server", get_enrich_settings().corenlp_url
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


app = Cli(
    no_args_is_help=True,
    add_completion=False,
    help="The `newsflow` command: init, ingest, status, reprocess, reconcile, ready, sources, eval.",
)

"""`newsflow sources add|list|remove|pause|resume`: sources polled on a schedule by beat."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from newsflow_cli.common import app, console
from newsflow_shared.runtime import get_runtime
from newsflow_shared.source_registry import SourceExists
from newsflow_shared.sources import DEFAULT_INTERVAL, NewSource, Source, SourceType, source_id

sources_app = typer.Typer(
    no_args_is_help=True,
    help="Feeds, news sitemaps and front pages polled on a schedule (the beat process).",
)
app.add_typer(sources_app, name="sources")

IdOrUrl = Annotated[str, typer.Argument(help="the source's id, or its URL")]


def _id(ref: str) -> str:
    return source_id(ref) if "://" in ref else ref


def _ago(when: float | None, now: float) -> str:
    if when is None:
        return "-"
    secs = now - when
    sign = "" if secs >= 0 else "in "
    secs = abs(secs)
    text = (
        f"{secs:.0f}s"
        if secs < 120
        else f"{secs / 60:.0f}m"
        if secs < 7200
        else f"{secs / 3600:.1f}h"
    )
    return f"{sign}{text}" + (" ago" if not sign else "")


def _next(due: float | None, now: float) -> str:
    if due is None:
        return "-"  # paused
    return "due" if due <= now else _ago(due, now)


def _row(src: Source, now: float) -> list[str]:
    health = {"ok": "[green]ok[/green]", "failing": f"[red]failing x{src.errors}[/red]"}
    return [
        src.id,
        src.kind.value,
        health.get(src.health, src.health),
        f"{src.interval}s",
        _ago(src.last_poll, now),
        src.last_status or "-",
        _next(src.next_due, now),
        str(src.new_last),
        str(src.items_total),
        src.url + (f"\n[red]{src.last_error[:160]}[/red]" if src.last_error else ""),
    ]


@sources_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="the feed, sitemap or front page URL")],
    kind: Annotated[SourceType, typer.Option(help="what the URL serves")] = SourceType.FEED,
    interval: Annotated[int, typer.Option(help="seconds between polls")] = DEFAULT_INTERVAL,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Register a source; it is polled at once, then every `interval` seconds."""
    try:
        new = NewSource(url=url, kind=kind, interval=interval)
        src = get_runtime().sources.add(new)
    except ValidationError as exc:
        console.print(f"[red]invalid source:[/red] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc
    except SourceExists as exc:
        console.print(f"[yellow]{exc}[/yellow]")
        raise typer.Exit(1) from exc
    except ValueError as exc:
        console.print(f"[red]invalid source:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        print(src.model_dump_json())
    else:
        console.print(f"source {src.id} added: {src.kind.value} {src.url} every {src.interval}s")


@sources_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its health: last poll, status, consecutive errors, next poll, new
    items in the last poll, items in all, the last error."""
    sources = get_runtime().sources.all()
    if as_json:
        print(json.dumps([s.model_dump(mode="json") for s in sources]))
        return
    table = Table(title=f"{len(sources)} sources")
    for col in ("id", "kind", "health", "every", "polled", "status", "next", "new", "total"):
        right = col in ("new", "total")
        table.add_column(col, justify="right" if right else "left", no_wrap=col == "id")
    table.add_column("url", overflow="fold")
    now = time.time()
    for src in sources:
        table.add_row(*_row(src, now))
    console.print(table)


def _act(ref: str, action: str) -> None:
    reg = get_runtime().sources
    sid = _id(ref)
    done = {"remove": reg.remove, "pause": reg.pause, "resume": reg.resume}[action](sid)
    if not done:
        console.print(f"[red]no source {ref}[/red]")
        raise typer.Exit(1)
    console.print(f"source {sid}: {action}d")


@sources_app.command("remove")
def remove(ref: IdOrUrl) -> None:
    """Stop polling a source and forget it (the jobs its polls made stay)."""
    _act(ref, "remove")


@sources_app.command("pause")
def pause(ref: IdOrUrl) -> None:
    """Stop polling a source until `resume`."""
    _act(ref, "pause")


@sources_app.command("resume")
def resume(ref: IdOrUrl) -> None:
    """Poll a paused source again, starting now."""
    _act(ref, "resume")

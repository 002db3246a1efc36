"""`newsflow migrate`: move an unpartitioned articles/events index into month partitions."""

from __future__ import annotations

from typing import Annotated

import typer

from newsflow_cli.common import app, console


@app.command()
def migrate(
    chunk: Annotated[
        int, typer.Option(min=1, max=10_000, help="documents per bulk request")
    ] = 1000,
    keep: Annotated[bool, typer.Option(help="keep the old index after copying it")] = False,
) -> None:
    """Move the single articles-v1/events-v1 index of an older `init` into month partitions
    (scan + bulk; the old index is deleted once every document is in its partition). Run
    `newsflow init` first and stop the index workers while it runs; idempotent."""
    from newsflow_shared.migrate import migrate as run
    from newsflow_shared.runtime import get_runtime

    rt = get_runtime()
    moved = run(rt.es, rt.settings.index_prefix, chunk=chunk, keep=keep)
    if not moved:
        console.print("nothing to migrate: no unpartitioned index")
    for m in moved:
        months = f"{min(m.months)}..{max(m.months)}" if m.months else "-"
        console.print(
            f"{m.source}: {m.scanned} documents, {m.created} copied, {m.existing} already there, "
            f"{len(m.months)} months ({months}), "
            + ("old index deleted" if m.deleted else "old index kept")
        )
        for e in m.errors[:10]:
            console.print(f"[red]not copied[/red] {e}", markup=True)
    if any(m.errors for m in moved):
        raise typer.Exit(1)

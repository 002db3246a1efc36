"""`newsflow migrate`: an unpartitioned index of an older `init` moved into month partitions,
against the real Elasticsearch (scan + bulk; the local build has no _reindex)."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from newsflow_cli.main import app
from newsflow_shared.indices import drop_indices, init_indices, load_mapping, names, partitions
from newsflow_shared.migrate import migrate

pytestmark = pytest.mark.integration

ARTICLES = [  # (id, published, indexed)
    ("a1", "2024-01-31T23:30:00-02:00", "2026-01-01T00:00:00+00:00"),  # UTC: February
    ("a2", "2024-01-02T10:00:00+00:00", "2026-01-01T00:00:00+00:00"),
    ("a3", None, "2025-12-24T08:00:00+00:00"),  # undated: the month it was indexed
    ("a4", "1999-07-06T00:00:00+00:00", "2026-01-01T00:00:00+00:00"),
]


def _legacy(es, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """The layout `init` made before partitions: one index per logical index, aliased."""
    for logical in ("articles", "events"):
        n, body = names(logical, prefix), load_mapping(logical)
        es.indices.create(
            index=n.concrete,
            settings=body["settings"],
            mappings={**body["mappings"], "_meta": body["_meta"]},
            aliases={n.read: {}, n.write: {"is_write_index": True}},
        )
    for doc_id, published, indexed in ARTICLES:
        doc = {"doc_id": doc_id, "title": doc_id, "published": published, "indexed": indexed}
        es.index(index=names("articles", prefix).concrete, id=doc_id, document=doc)
        event = {"id": f"{doc_id}-e", "article_id": doc_id, "published": published,
                 "indexed": indexed}  # fmt: skip
        es.index(index=names("events", prefix).concrete, id=f"{doc_id}-e", document=event)


def test_migrate_moves_every_document_to_its_month_and_drops_the_old_index(es) -> None:  # type: ignore[no-untyped-def]
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    art, ev = names("articles", prefix), names("events", prefix)
    try:
        _legacy(es, prefix)
        actions = init_indices(es, prefix)
        assert f"{art.concrete} is not partitioned: run `newsflow migrate`" in actions
        # the index stage wrote a newer a2 meanwhile: migrate keeps it, not the old copy
        es.index(index=art.partition("2024-01"), id="a2", document={"title": "newer"})
        es.indices.refresh(index=art.read)
        assert es.count(index=art.read)["count"] == 5  # old index + partitions, both read

        moved = migrate(es, prefix, chunk=2)
        assert [(m.source, m.scanned, m.created, m.existing, m.deleted) for m in moved] == [
            (art.concrete, 4, 3, 1, True),
            (ev.concrete, 4, 4, 0, True),
        ]
        assert not es.indices.exists(index=art.concrete)
        es.indices.refresh(index=f"{art.read},{ev.read}")
        where = {
            h["_id"]: h["_index"]
            for h in es.search(index=art.read, size=10)["hits"]["hits"]
        }  # fmt: skip
        assert where == {
            "a1": art.partition("2024-02"),
            "a2": art.partition("2024-01"),
            "a3": art.partition("2025-12"),
            "a4": art.partition("1999-07"),
        }
        assert es.get(index=art.partition("2024-01"), id="a2")["_source"]["title"] == "newer"
        ev_where = {
            h["_id"]: h["_index"] for h in es.search(index=ev.read, size=10)["hits"]["hits"]
        }
        assert ev_where == {f"{d}-e": where[d].replace(art.concrete, ev.concrete) for d in where}
        assert set(where.values()) <= set(partitions(es, "articles", prefix))
        assert migrate(es, prefix) == []  # nothing left to move
    finally:
        drop_indices(es, prefix)


def test_migrate_from_the_cli_with_nothing_to_move(runtime) -> None:  # type: ignore[no-untyped-def]
    out = CliRunner().invoke(app, ["migrate"])
    assert out.exit_code == 0, out.output
    assert "nothing to migrate" in out.stderr

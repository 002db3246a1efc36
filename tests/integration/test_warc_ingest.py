"""Backfill from a WARC archive on the real stack: `newsflow ingest archive.warc.gz` indexes
every HTML page once, with its original URL and fetch date, and no network; ingested twice,
still once; what is not an HTML page is recorded as rejected with its reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsflow_cli.main import app
from newsflow_shared.ids import doc_id_for_url
from newsflow_testkit.corpus import CORPUS, fundus_pages
from newsflow_testkit.warcs import write_warc

pytestmark = pytest.mark.integration

PAGES = fundus_pages(4)
# Hosts under .invalid (RFC 2606) never resolve: an item that tried the network would fail.
URLS = [f"https://archive.example.invalid/story/{i}" for i in range(len(PAGES))]


def _ingest(path: Path) -> dict[str, Any]:
    out = CliRunner().invoke(app, ["ingest", str(path), "--json", "--timeout", "240"])
    assert out.exit_code == 0, out.output
    summary: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return summary


def test_every_page_of_a_warc_is_indexed_once(runtime: Any, workers: Any, tmp_path: Path) -> None:
    pages = [
        (u, gzip.decompress((CORPUS / p.path).read_bytes()))
        for u, p in zip(URLS, PAGES, strict=True)
    ]
    warc = write_warc(tmp_path / "crawl.warc.gz", pages)
    first = _ingest(warc)
    assert first["done"] and first["submitted"] == len(PAGES) + 3
    assert first["counts"] == {"indexed": len(PAGES), "rejected": 3}, first
    problems = runtime.ledger.items(first["job_id"], ("rejected",))
    assert sorted(p["reason"] for p in problems) == ["http_404", "warc_not_html", "warc_revisit"]
    assert all(p["source"].startswith(f"{warc}@") for p in problems)

    articles = f"{runtime.settings.index_prefix}articles"
    runtime.es.indices.refresh(index=articles)
    ids = [doc_id_for_url(u) for u in URLS]
    hits = runtime.es.search(index=articles, query={"ids": {"values": ids}}, size=20)["hits"]
    assert sorted(h["_source"]["url"] for h in hits["hits"]) == sorted(URLS)
    raw, meta = runtime.store.get_raw(ids[0])
    assert raw == pages[0][1] and meta["source_kind"] == "warc"
    assert meta["hints"]["fetched"].startswith("2024-05-06T10:00:00")

    again = _ingest(warc)
    assert again["counts"] == first["counts"] and again["job_id"] != first["job_id"]
    runtime.es.indices.refresh(index=articles)
    count = runtime.es.count(index=articles, query={"terms": {"url": URLS}})["count"]
    assert count == len(PAGES)

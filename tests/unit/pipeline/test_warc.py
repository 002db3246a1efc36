"""Reading WARC archives for backfill: every record is a page or a rejection with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow_shared.warc import WarcPage, WarcRejection, is_warc, read_warc
from newsflow_testkit.warcs import write_warc

pytestmark = pytest.mark.unit

PAGES = [
    ("https://example.org/a", b"<html><body><p>Hello</p></body></html>"),
    ("https://example.org/b", "<html><body><p>Caf\u00e9</p></body></html>".encode()),
]


def test_html_responses_become_pages_and_the_rest_rejections(tmp_path: Path) -> None:
    got = list(read_warc(write_warc(tmp_path / "a.warc.gz", PAGES), 1_000_000))
    pages = [g for g in got if isinstance(g, WarcPage)]
    assert [(p.url, p.body) for p in pages] == PAGES
    assert all(p.fetched and p.fetched.isoformat() == "2024-05-06T10:00:00+00:00" for p in pages)
    assert {p.encoding for p in pages} == {"utf-8"}
    reasons = {g.reason: g.source for g in got if isinstance(g, WarcRejection)}
    assert set(reasons) == {"warc_not_html", "http_404", "warc_revisit"}
    assert reasons["http_404"].endswith(" https://example.org/gone")  # where, and what


def test_an_uncompressed_warc_reads_the_same(tmp_path: Path) -> None:
    got = list(read_warc(write_warc(tmp_path / "a.warc", PAGES, extras=False), 1_000_000))
    assert [g.url for g in got if isinstance(g, WarcPage)] == [u for u, _ in PAGES]


def test_a_broken_archive_ends_with_one_rejection_saying_where(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "a.warc.gz", PAGES).read_bytes()
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(whole[: len(whole) // 2] + b"garbage" * 20)
    got = list(read_warc(broken, 1_000_000))
    assert isinstance(got[0], WarcPage)
    assert isinstance(got[-1], WarcRejection) and got[-1].reason == "warc_broken"
    assert got[-1].source.startswith(f"{broken}@")


def test_a_record_over_the_size_limit_is_rejected(tmp_path: Path) -> None:
    got = list(read_warc(write_warc(tmp_path / "a.warc.gz", PAGES, extras=False), 20))
    assert {g.reason for g in got if isinstance(g, WarcRejection)} == {"too_large"}


def test_warc_names() -> None:
    assert is_warc(Path("crawl.warc.gz")) and is_warc(Path("CRAWL.WARC"))
    assert not is_warc(Path("page.html")) and not is_warc(Path("x.gz"))

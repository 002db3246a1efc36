"""Reading sources and archives: a news sitemap of 50,000 entries (the sitemaps.org maximum)
and a WARC of corpus pages, each against a baseline measured in the same run.

- sitemap: `discover.parse_sitemap` (entries with their hints) vs lxml parsing the same bytes
  (the floor: the XML has to be parsed anyway).
- WARC: `warc.read_warc` (records checked, bodies read, charsets found) vs warcio iterating the
  same archive and reading every body (the floor).

Usage: .venv/bin/python bench/bench_sources.py [--entries 50000] [--pages 200] [--rounds 3]
CPU seconds (process time, so a loaded machine skews it less), best of the rounds. Prints one
JSON object; always exits 0 (it reports, it does not gate).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
for sub in ("shared", "services/fetch"):
    sys.path.insert(0, str(ROOT / sub))

from newsflow_fetch import discover  # noqa: E402
from newsflow_shared.warc import WarcPage, read_warc  # noqa: E402
from newsflow_testkit.corpus import CORPUS, fundus_pages, wcxb_pages  # noqa: E402
from newsflow_testkit.warcs import write_warc  # noqa: E402


def best(fn: Callable[[], object], rounds: int) -> float:
    """The least CPU time of `rounds` calls."""
    times = []
    for _ in range(rounds):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def news_sitemap(n: int) -> bytes:
    urls = "".join(
        f"<url><loc>https://news.example.org/world/{i}-a-story-slug</loc><news:news>"
        "<news:publication><news:name>Example</news:name><news:language>en</news:language>"
        "</news:publication><news:publication_date>2025-03-04T09:00:00Z</news:publication_date>"
        f"<news:title>Story {i}</news:title></news:news></url>"
        for i in range(n)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{urls}</urlset>"
    ).encode()


def warcio_floor(path: Path) -> int:
    with path.open("rb") as f:
        return sum(len(r.content_stream().read()) for r in ArchiveIterator(f))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    body = news_sitemap(a.entries)
    url = "https://news.example.org/sitemap.xml"
    parsed = discover.parse_sitemap(body, url)
    assert len(parsed.entries) == a.entries
    sm_ours = best(lambda: discover.parse_sitemap(body, url), a.rounds)
    sm_floor = best(lambda: etree.fromstring(body), a.rounds)

    pages = (fundus_pages(a.pages // 2) + wcxb_pages(a.pages))[: a.pages]
    data = [
        (f"https://archive.example.org/{i}", gzip.decompress((CORPUS / p.path).read_bytes()))
        for i, p in enumerate(pages)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_warc(Path(tmp) / "bench.warc.gz", data)
        got = list(read_warc(path, 10 * 1024 * 1024))
        assert sum(isinstance(g, WarcPage) for g in got) == len(data)
        warc_ours = best(lambda: list(read_warc(path, 10 * 1024 * 1024)), a.rounds)
        warc_floor = best(lambda: warcio_floor(path), a.rounds)
        size = path.stat().st_size
    print(
        json.dumps(
            {
                "sitemap": {
                    "entries": a.entries,
                    "bytes": len(body),
                    "cpu_s": round(sm_ours, 3),
                    "lxml_parse_cpu_s": round(sm_floor, 3),
                    "entries_per_cpu_s": round(a.entries / sm_ours),
                    "ratio_to_parse": round(sm_ours / sm_floor, 2),
                },
                "warc": {
                    "records": len(got),
                    "pages": len(data),
                    "bytes": size,
                    "cpu_s": round(warc_ours, 3),
                    "warcio_read_cpu_s": round(warc_floor, 3),
                    "records_per_cpu_s": round(len(got) / warc_ours),
                    "ratio_to_warcio": round(warc_ours / warc_floor, 2),
                },
            }
        )
    )


if __name__ == "__main__":
    main()

"""Pure cores of sources: feed, sitemap and front page parsing; due times and backoff."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from newsflow_fetch import discover
from newsflow_shared.errors import PermanentError
from newsflow_shared.sources import (
    NewSource,
    Source,
    SourceType,
    conditional_headers,
    next_delay,
    source_id,
)

pytestmark = pytest.mark.unit

BASE = "http://news.example.org"
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.org/sitemap-2025-03.xml</loc><lastmod>2025-03-31T00:00:00Z</lastmod></sitemap>
  <sitemap><loc>https://news.example.org/sitemap-2025-01.xml</loc><lastmod>2025-01-31</lastmod></sitemap>
  <sitemap><loc>/sitemap-undated.xml</loc></sitemap>
  <sitemap><loc>ftp://news.example.org/x.xml</loc></sitemap>
</sitemapindex>"""
NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example.org/world/2025/talks-in-oslo</loc>
    <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2025-03-04T09:00:00+01:00</news:publication_date>
    <news:title>Talks in Oslo</news:title></news:news></url>
  <url><loc>https://news.example.org/about</loc><lastmod>2024-12-01</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>"""


def test_a_news_sitemap_gives_its_pages_with_title_and_publication_date() -> None:
    sm = discover.parse_sitemap(NEWS, f"{BASE}/news.xml")
    assert not sm.children
    assert [u for u, _ in sm.entries] == [
        "https://news.example.org/world/2025/talks-in-oslo",
        "https://news.example.org/about",
    ]
    hints = sm.entries[0][1]
    assert hints.title == "Talks in Oslo"
    assert hints.published == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    assert sm.entries[1][1].published == datetime(2024, 12, 1, tzinfo=UTC)  # lastmod


def test_a_gzipped_sitemap_is_read() -> None:
    sm = discover.parse_sitemap(gzip.compress(NEWS), f"{BASE}/news.xml.gz")
    assert len(sm.entries) == 2


def test_a_sitemap_index_gives_its_children_newest_first_and_only_changed_ones() -> None:
    sm = discover.parse_sitemap(INDEX, f"{BASE}/sitemap_index.xml")
    assert not sm.entries
    assert [u for u, _ in sm.children] == [
        "https://news.example.org/sitemap-2025-03.xml",
        "https://news.example.org/sitemap-2025-01.xml",
        f"{BASE}/sitemap-undated.xml",
    ]
    every = discover.newest_children(sm.children, None, 10)
    assert every[1:] == [
        "https://news.example.org/sitemap-2025-03.xml",
        "https://news.example.org/sitemap-2025-01.xml",
    ]  # undated first: it may have changed
    since = datetime(2025, 2, 1, tzinfo=UTC)
    assert discover.newest_children(sm.children, since, 10) == [
        f"{BASE}/sitemap-undated.xml",
        "https://news.example.org/sitemap-2025-03.xml",
    ]
    assert len(discover.newest_children(sm.children, None, 1)) == 1


@pytest.mark.parametrize(
    "body", [b"<html><body>not a sitemap</body></html>", b"", b"\x1f\x8bnot gzip", b"<rss/>"]
)
def test_what_is_not_a_sitemap_is_refused_with_a_reason(body: bytes) -> None:
    with pytest.raises(PermanentError) as exc:
        discover.parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert exc.value.reason == "bad_sitemap"


def test_entities_are_not_expanded() -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>"""
    assert discover.parse_sitemap(evil, f"{BASE}/s.xml").entries == []


def test_a_front_page_gives_its_article_links_on_its_own_site_once_each() -> None:
    page = b"""<html><body><nav><a href="/">Home</a><a href="/about">About</a>
    <a href="/world/">World</a><a href="/rss.xml">RSS</a></nav>
    <a href="/world/2025/03/04/talks-in-oslo-end">Talks in Oslo end with an agreement</a>
    <a href="/world/2025/03/04/talks-in-oslo-end#comments">12 comments</a>
    <a href="https://www.news.example.org/politics/minister-resigns-after-vote">Minister</a>
    <a href="/story/123456">Short</a>
    <a href="https://other.example.com/world/some-long-story-here">elsewhere</a>
    <a href="/img/photo-of-the-day.jpg">photo</a><a href="mailto:x@y.org">mail</a>
    </body></html>"""
    links = discover.front_page_links(page, f"{BASE}/")
    assert [u for u, _ in links] == [
        f"{BASE}/world/2025/03/04/talks-in-oslo-end",
        "https://www.news.example.org/politics/minister-resigns-after-vote",
        f"{BASE}/story/123456",
    ]
    assert links[0][1].title == "Talks in Oslo end with an agreement"
    assert links[1][1].title is None  # too short to be a headline


def test_newest_first_keeps_undated_entries_last_in_their_order() -> None:
    from newsflow_shared.messages import SourceHints

    old, new = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    entries = [
        ("u1", SourceHints()),
        ("d-old", SourceHints(published=old)),
        ("u2", SourceHints()),
        ("d-new", SourceHints(published=new)),
    ]
    assert [u for u, _ in discover.newest_first(entries)] == ["d-new", "d-old", "u1", "u2"]


def test_backoff_doubles_per_consecutive_error_up_to_the_cap() -> None:
    assert next_delay(60, 0, 3600) == 60
    assert [next_delay(60, n, 3600) for n in (1, 2, 3, 4, 5, 6)] == [
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert next_delay(60, 10_000, 3600) == 3600  # no overflow after a long outage
    assert next_delay(7200, 3, 3600) == 7200  # never sooner than the interval


def test_source_ids_are_deterministic_from_the_canonical_url() -> None:
    a = source_id("https://News.example.org/rss?utm_source=x")
    assert a == source_id("https://news.example.org/rss")
    assert a != source_id("https://news.example.org/rss2")
    assert a.startswith("s") and len(a) == 16


def test_a_new_source_needs_an_http_url_and_a_sane_interval() -> None:
    assert NewSource(url=" https://x.org/feed ").url == "https://x.org/feed"
    for bad in (
        {"url": "ftp://x.org/feed"},
        {"url": "x.org"},
        {"url": "https://x.org", "interval": 0},
    ):
        with pytest.raises(ValidationError):
            NewSource.model_validate(bad)


def test_conditional_headers_send_back_the_validators_and_health_follows_the_record() -> None:
    src = Source(id="s1", kind=SourceType.FEED, url="https://x.org/f", interval=60, added=1.0)
    assert conditional_headers(src) == {} and src.health == "new"
    src = src.model_copy(
        update={"etag": '"abc"', "last_modified": "Tue, 04 Mar 2025", "last_poll": 2.0}
    )
    assert conditional_headers(src) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 04 Mar 2025",
    }
    assert src.health == "ok"
    assert src.model_copy(update={"errors": 2}).health == "failing"
    assert src.model_copy(update={"paused": True}).health == "paused"

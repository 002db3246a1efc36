"""The item links of a source's answer, as pure functions: feeds (feedparser, via
`core.parse_feed`), news sitemaps and sitemap indexes, and a front page read as a link list.

Sitemaps are read with lxml here rather than with a sitemap library: the ones there are
(ultimate-sitemap-parser, trafilatura's sitemaps) download the sitemap and its children
themselves, past our SSRF-safe HTTP client and address policy. The format is small
(sitemaps.org 0.9 plus Google's `news:` extension); the parser resolves no entities and
loads nothing from the network.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from newsflow_fetch import core
from newsflow_shared.errors import PermanentError
from newsflow_shared.messages import SourceHints
from newsflow_shared.sources import SourceType

Entry = tuple[str, SourceHints]
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
# A link on a front page that looks like an article: a slug of three words or more, a long
# number (an id or a date), or a page ending .html/.htm.
_ARTICLE_PATH = re.compile(r"(?:[^/]+-[^/]+-[^/]+/?$)|(?:/\d{4,})|(?:\.html?$)", re.I)
# A gzipped sitemap (`sitemap.xml.gz`) is inflated to this many bytes at most (the sitemaps.org
# limit is 50 MB uncompressed).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_NOT_PAGES = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".pdf", ".css", ".js", ".xml", ".rss")


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: the pages of a `urlset`, or the child sitemaps of an index."""

    entries: list[Entry] = field(default_factory=list)
    children: list[tuple[str, datetime | None]] = field(default_factory=list)


def _local(tag: object) -> str:
    # "{namespace}name" -> "name"; comments and processing instructions have no str tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def parse_date(text: str | None) -> datetime | None:
    """A W3C datetime (`2024-05-06`, `2024-05-06T10:00:00+02:00`) in UTC, or None."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _fields(el: etree._Element) -> dict[str, str]:
    """The first text of each element name under `el` (`loc`, `lastmod`, `title`, ...), in
    one pass: a news sitemap has up to 50,000 entries."""
    out: dict[str, str] = {}
    for child in el.iter():
        text = child.text.strip() if isinstance(child.tag, str) and child.text else ""
        if text:
            out.setdefault(_local(child.tag), text)
    return out


def parse_sitemap(body: bytes, sitemap_url: str) -> Sitemap:
    """The pages (with their `news:` title and publication date as hints) of a sitemap, or
    the child sitemaps of a sitemap index. Raises PermanentError for anything else."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_SITEMAP_BYTES)
        except zlib.error as exc:
            raise PermanentError("bad_sitemap", f"{sitemap_url}: {exc}") from exc
    try:
        root = etree.fromstring(body, _XML)
    except etree.XMLSyntaxError as exc:
        raise PermanentError("bad_sitemap", f"{sitemap_url}: {exc}") from exc
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise PermanentError("bad_sitemap", f"{sitemap_url}: not a sitemap or sitemap index")
    index = _local(root.tag) == "sitemapindex"
    children: list[tuple[str, datetime | None]] = []
    entries: list[Entry] = []
    for el in root:
        if _local(el.tag) != ("sitemap" if index else "url"):
            continue
        fields = _fields(el)
        loc = fields.get("loc", "")
        # sitemaps.org requires absolute URLs; urljoin (a third of the time) only for the rest
        url = loc if loc.startswith(("http://", "https://")) else urljoin(sitemap_url, loc)
        if not loc or not _is_http(url):
            continue
        lastmod = parse_date(fields.get("lastmod"))
        if index:
            children.append((url, lastmod))
            continue
        published = parse_date(fields.get("publication_date")) or lastmod
        hints = SourceHints(feed_url=sitemap_url, title=fields.get("title"), published=published)
        entries.append((url, hints))
    return Sitemap(entries=entries, children=children)


def newest_children(
    children: list[tuple[str, datetime | None]], since: datetime | None, limit: int
) -> list[str]:
    """The child sitemaps to read: changed since `since` (or undated), newest first, at most
    `limit`."""
    fresh = [(u, d) for u, d in children if since is None or d is None or d > since]
    fresh.sort(key=lambda c: c[1] or datetime.max.replace(tzinfo=UTC), reverse=True)
    return [u for u, _ in fresh[:limit]]


def front_page_links(body: bytes, page_url: str) -> list[Entry]:
    """The article-like links of a front page on its own site, in page order, once each."""
    try:
        tree = lxml.html.fromstring(body, base_url=page_url)
    except (ValueError, etree.ParserError) as exc:
        raise PermanentError("bad_front_page", f"{page_url}: {exc}") from exc
    host = _site(page_url)
    seen: set[str] = set()
    out: list[Entry] = []
    for a in tree.iter("a"):
        href = a.get("href")
        if not href:
            continue
        url = urljoin(page_url, href.strip()).split("#", 1)[0]
        parts = urlsplit(url)
        if (
            url in seen
            or not _is_http(url)
            or _site(url) != host
            or parts.path.lower().endswith(_NOT_PAGES)
            or not _ARTICLE_PATH.search(parts.path)
        ):
            continue
        seen.add(url)
        text = " ".join(a.text_content().split())
        out.append((url, SourceHints(feed_url=page_url, title=text if len(text) >= 15 else None)))
    return out


def entries_of(kind: SourceType, body: bytes, url: str) -> list[Entry] | Sitemap:
    """A source's items from its answer; a sitemap (index) comes back as a `Sitemap`."""
    if kind is SourceType.FEED:
        return core.parse_feed(body, url)
    if kind is SourceType.SITEMAP:
        return parse_sitemap(body, url)
    return front_page_links(body, url)


def newest_first(entries: list[Entry]) -> list[Entry]:
    """Entries by their publication date, newest first; undated ones keep their order after."""
    dated = [e for e in entries if e[1].published]
    undated = [e for e in entries if not e[1].published]
    dated.sort(key=lambda e: e[1].published or datetime.min, reverse=True)
    return dated + undated


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")

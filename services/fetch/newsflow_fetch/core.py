"""Fetch policy as pure functions: which URLs may be fetched, how responses are classified."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
from charset_normalizer import from_bytes

from newsflow_shared.errors import PermanentError, TransientError
from newsflow_shared.messages import SourceHints

HTML_TYPES = {"text/html", "application/xhtml+xml"}
FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
}
# Scrapy's RETRY_HTTP_CODES, plus 425: worth another try later.
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504, 522, 524}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class FetchedResponse:
    """What the HTTP adapter hands back after following redirects and reading the body."""

    url: str
    final_url: str
    status: int
    content_type: str  # media type only, lower-case
    header_charset: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def check_url(url: str) -> str:
    """The host of a fetchable URL; raises PermanentError for other schemes or no host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise PermanentError("unsupported_scheme", f"{parts.scheme or 'no'} scheme in {url}")
    if not parts.hostname:
        raise PermanentError("invalid_url", f"no host in {url}")
    return parts.hostname.lower()


def check_addresses(host: str, addresses: Iterable[str], allow_hosts: frozenset[str]) -> None:
    """Refuse hosts resolving to loopback, private, link-local or other non-global addresses.

    `allow_hosts` (a setting) names hosts exempt from this check, e.g. a local test server.
    """
    if host in allow_hosts:
        return
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
        if not ip.is_global:
            raise PermanentError("blocked_address", f"{host} resolves to non-global {ip}")


def robots_rules(status: int, body: bytes) -> RobotFileParser:
    """The rules of a host from its robots.txt response (RFC 9309): a 2xx body is parsed; any
    4xx means "no rules" (crawl everything). 5xx and unreachable mean "try later": the
    caller raises TransientError for those and never gets here."""
    rules = RobotFileParser()
    ok = 200 <= status < 300
    rules.parse(body.decode("utf-8", "replace").splitlines() if ok else [])  # no lines: all allowed
    return rules


def check_robots(rules: RobotFileParser, user_agent: str, url: str) -> None:
    """Refuse a URL the host's robots.txt disallows for our user agent."""
    if not rules.can_fetch(user_agent, url):
        raise PermanentError("robots_disallowed", f"{url} is disallowed by robots.txt")


def classify_status(status: int, url: str) -> None:
    """Raise for a status that is not a fetched page (2xx)."""
    if 200 <= status < 300:
        return
    if status in TRANSIENT_STATUSES or status >= 500:
        raise TransientError(f"http_{status}", f"{url} answered {status}")
    raise PermanentError(f"http_{status}", f"{url} answered {status}")


def classify_body(content_type: str, body: bytes) -> str:
    """'html' or 'feed'; raises PermanentError for anything else (or nothing at all)."""
    head = body[:1024].lstrip().lower()
    if content_type in FEED_TYPES or (
        content_type in ("", "text/plain") and (b"<rss" in head or b"<feed" in head)
    ):
        if content_type in ("application/xml", "text/xml") and b"<html" in head:
            return "html"
        return "feed"
    if content_type in HTML_TYPES or (content_type == "" and b"<html" in head):
        if not body.strip():
            raise PermanentError("empty", "the page has no content")
        return "html"
    raise PermanentError("unsupported_content_type", f"content type {content_type or 'unknown'}")


def detect_charset(body: bytes, header_charset: str | None) -> str:
    """The page's charset: the HTTP header, else a <meta> declaration, else detected."""
    for candidate in (header_charset, _meta_charset(body)):
        if candidate and _known_codec(candidate):
            return candidate.lower()
    best = from_bytes(body[:200_000]).best()
    return best.encoding if best else "utf-8"


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _known_codec(name: str) -> bool:
    try:
        "".encode(name)
    except LookupError:
        return False
    return True


def parse_feed(body: bytes, feed_url: str) -> list[tuple[str, SourceHints]]:
    """The item links of an RSS/Atom feed with what the feed says about each (as hints)."""
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise PermanentError("bad_feed", f"{feed_url}: {parsed.get('bozo_exception')}")
    feed_title = parsed.feed.get("title")
    out: list[tuple[str, SourceHints]] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = urljoin(feed_url, entry.get("link") or "")
        if not link or link in seen or urlsplit(link).scheme not in ("http", "https"):
            continue
        seen.add(link)
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        out.append(
            (
                link,
                SourceHints(
                    feed_url=feed_url,
                    feed_title=feed_title,
                    title=entry.get("title"),
                    published=datetime(*when[:6]).replace(tzinfo=UTC) if when else None,
                    summary=(entry.get("summary") or None),
                ),
            )
        )
    return out

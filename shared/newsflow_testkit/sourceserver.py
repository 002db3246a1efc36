"""A real local HTTP server of sources that change between polls: an RSS feed, a news sitemap
index with one child, a front page, and a feed that fails while told to. Feeds and sitemaps
answer conditional requests (ETag / Last-Modified) with 304 when nothing changed."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from newsflow_testkit.pageserver import small_article


def article_path(key: str) -> str:
    """The path of the small article `key` (a slug a front page reader takes for an article)."""
    return f"/news/2025/{key}-cable-security-story"


class SourceSite(ThreadingHTTPServer):
    """The server and the state tests change: which articles each source lists."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.feed_keys: list[str] = []
        self.sitemap_keys: list[str] = []
        self.front_keys: list[str] = []
        self.failing = False
        self.sitemap_changed = 1_700_000_000.0  # epoch s: the child sitemap's `lastmod`
        self.hits: Counter[str] = Counter()  # by request target (path and query)
        self.statuses: Counter[tuple[str, int]] = Counter()

    @property
    def base(self) -> str:
        return f"http://localhost:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: SourceSite

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(self, path: str, status: int, body: bytes, ctype: str, **headers: str) -> None:
        self.server.statuses[(path, status)] += 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def _conditional(self, path: str, body: bytes, ctype: str) -> None:
        """200 with ETag and Last-Modified, or 304 when the client's validators match."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(path, 304, b"", ctype, ETag=etag)
            return
        modified = formatdate(self.server.sitemap_changed, usegmt=True)
        self._send(path, 200, body, ctype, ETag=etag, Last_Modified=modified)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        site = self.server
        site.hits[self.path] += 1  # with the query: tests tell sources on one path apart
        if path.startswith("/news/2025/"):
            key = path.removeprefix("/news/2025/").removesuffix("-cable-security-story")
            self._send(path, 200, small_article(key), "text/html; charset=utf-8")
        elif path == "/feed.xml":
            self._conditional(path, self._feed(site.feed_keys), "application/rss+xml")
        elif path == "/flaky-feed.xml":
            if site.failing:
                self._send(path, 503, b"down", "text/plain")
            else:
                self._conditional(path, self._feed(site.feed_keys), "application/rss+xml")
        elif path == "/sitemap_index.xml":
            self._conditional(path, self._index(), "application/xml")
        elif path == "/sitemap-news.xml":
            self._conditional(path, self._news_sitemap(), "application/xml")
        elif path == "/front":
            links = "".join(
                f"<li><a href='{article_path(k)}'>Norway and Sweden agree on cables ({k})</a></li>"
                for k in site.front_keys
            )
            nav = "<a href='/'>Home</a><a href='/about'>About us</a><a href='/feed.xml'>RSS</a>"
            page = f"<html><body><nav>{nav}</nav><ul>{links}</ul></body></html>"
            self._send(path, 200, page.encode(), "text/html; charset=utf-8")
        elif path == "/robots.txt":
            self._send(path, 200, b"User-agent: *\nAllow: /\n", "text/plain")
        else:
            self._send(path, 404, b"not found", "text/plain")

    def _feed(self, keys: list[str]) -> bytes:
        items = "".join(
            f"<item><title>Cables ({k})</title><link>{self.server.base}{article_path(k)}</link>"
            f"<pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate></item>"
            for k in keys
        )
        return (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Source test</title>"
            f"{items}</channel></rss>"
        ).encode()

    def _index(self) -> bytes:
        lastmod = datetime.fromtimestamp(self.server.sitemap_changed, UTC).isoformat()
        return (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>{self.server.base}/sitemap-news.xml</loc><lastmod>{lastmod}</lastmod>"
            "</sitemap></sitemapindex>"
        ).encode()

    def _news_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.server.base}{article_path(k)}</loc><news:news>"
            "<news:publication><news:name>Test</news:name><news:language>en</news:language>"
            "</news:publication><news:publication_date>2025-03-04T09:00:00Z"
            f"</news:publication_date><news:title>Cables ({k})</news:title></news:news></url>"
            for k in self.server.sitemap_keys
        )
        return (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            f"{urls}</urlset>"
        ).encode()


def start() -> SourceSite:
    """Serve on localhost on a free port, in a daemon thread."""
    site = SourceSite()
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site

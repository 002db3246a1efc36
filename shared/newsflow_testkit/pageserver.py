"""A real local HTTP server for the tests and the pipeline benchmark: corpus pages plus the bad
cases a crawler meets."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

LEGACY_PARAGRAPHS = (
    "Президент Украины встретился с министрами в Киеве и обсудил восстановление энергетики.",
    "Переговоры продолжатся на следующей неделе, сообщили в администрации президента.",
    "По словам министра, ремонт подстанций займёт несколько месяцев и потребует помощи партнёров.",
    "Городские власти пообещали обеспечить отопление больниц и школ до начала зимы.",
    "Эксперты считают, что главная задача сейчас состоит в защите сетей от новых ударов.",
)
LEGACY_HTML = (
    "<html><head><meta charset='windows-1251'><title>Новости Киева</title></head><body>"
    "<article><h1>Новости Киева сегодня утром</h1>"
    + "".join(f"<p>{p}</p>" for p in LEGACY_PARAGRAPHS)
    + "</article></body></html>"
).encode("windows-1251")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


# A small news article per key (`/small/<key>`): a few hundred words, people, places and an
# event, so every stage has real work, but little of it (the chaos suite ingests hundreds).
SMALL_PARAGRAPHS = (
    "The foreign minister of Norway, Espen Barth Eide, met his Swedish counterpart in Oslo on "
    "Tuesday to discuss energy cooperation and the security of undersea cables ({key}).",
    "Officials said the two governments agreed to share inspection ships and to hold joint "
    "exercises in the North Sea next spring, according to a statement from the ministry.",
    "Critics in parliament accused the government of moving too slowly, and opposition leader "
    "Erna Solberg demanded a full report on the damaged pipelines before the summer.",
    "The talks in Oslo followed a meeting of NATO defence ministers in Brussels last month, "
    "where allies pledged to protect critical infrastructure across northern Europe.",
)


def small_article(key: str) -> bytes:
    """The HTML of the small article `key` (its title and first paragraph name the key)."""
    paras = "".join(f"<p>{p.format(key=key)}</p>" for p in SMALL_PARAGRAPHS)
    return (
        f"<html><head><title>Norway and Sweden agree on cable security ({key})</title>"
        "<meta property='article:published_time' content='2025-03-04T09:00:00Z'></head>"
        f"<body><article><h1>Norway and Sweden agree on cable security ({key})</h1>{paras}"
        "</article></body></html>"
    ).encode()


ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class CorpusServer(ThreadingHTTPServer):
    daemon_threads = True
    corpus: Path
    hits: Counter[str]
    slow_seconds: float
    robots: bytes  # what /robots.txt answers
    retry_after: str  # the Retry-After of /busy/<key>'s first answer (a 429)
    # (time.time(), path) of every request, in arrival order: what the pacing tests measure
    access: list[tuple[float, str]]


class Handler(BaseHTTPRequestHandler):
    server: CorpusServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(
        self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.server.access.append((time.time(), path))
        self.server.hits[path] += 1
        host = self.headers.get("Host", "localhost")
        if path.startswith("/corpus/"):
            f = self.server.corpus / path.removeprefix("/corpus/")
            if f.suffix == ".gz" and f.is_file():
                self._send(200, gzip.decompress(f.read_bytes()))
            else:
                self._send(404, b"not found")
        elif path.startswith("/small/"):
            self._send(200, small_article(path.removeprefix("/small/")))
        elif path == "/feed.xml":
            items = "".join(
                f"<item><title>Item {i}</title><link>http://{host}{p}</link>"
                f"<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate><description>s{i}</description></item>"
                for i, p in enumerate(self.server.feed_paths)  # type: ignore[attr-defined]
            )
            body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Test feed</title>{items}</channel></rss>"
            self._send(200, body.encode(), "application/rss+xml")
        elif path.startswith("/busy/"):  # too many requests, once: come back after Retry-After
            if self.server.hits[path] == 1:
                self._send(429, b"<html>slow down</html>", Retry_After=self.server.retry_after)
            else:
                self._send(200, small_article(path.removeprefix("/busy/")))
        elif path == "/robots.txt":
            self._send(200, self.server.robots, ctype="text/plain")
        elif path == "/missing":
            self._send(404, b"<html>nope</html>")
        elif path == "/gone":
            self._send(410, b"<html>gone</html>")
        elif path == "/flaky":
            if self.server.hits[path] == 1:
                self._send(500, b"<html>try again</html>")
            else:
                f = self.server.corpus / self.server.flaky_page  # type: ignore[attr-defined]
                self._send(200, gzip.decompress(f.read_bytes()))
        elif path == "/always500":
            self._send(503, b"<html>down</html>")
        elif path == "/slow":
            time.sleep(self.server.slow_seconds)
            self._send(200, b"<html><body>late</body></html>")
        elif path == "/loop":
            self._send(302, b"", Location="/loop2")
        elif path == "/loop2":
            self._send(302, b"", Location="/loop")
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
            try:
                for _ in range(20 * 1024 * 1024 // len(chunk) + 1):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/image.png":
            self._send(200, PNG, "image/png")
        elif path == "/legacy":
            self._send(200, LEGACY_HTML, "text/html; charset=windows-1251")
        elif path == "/empty":
            self._send(200, b"", "text/html")
        elif path == "/nav":
            self._send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        elif path == "/to-loopback":
            port = self.server.server_address[1]
            self._send(302, b"", Location=f"http://127.0.0.1:{port}/corpus/x")
        elif path == "/to-metadata":
            self._send(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        else:
            self._send(404, b"not found")


def start(
    corpus: Path,
    *,
    slow_seconds: float = 5.0,
    flaky_page: str = "",
    feed_paths: list[str] | None = None,
    address: str = "127.0.0.1",
    robots: bytes = ROBOTS,
    retry_after: str = "2",
) -> CorpusServer:
    """Serve on `address` (a loopback address: 127.0.0.2 is a host of its own) on a free
    port, in a daemon thread."""
    srv = CorpusServer((address, 0), Handler)
    srv.robots = robots
    srv.retry_after = retry_after
    srv.access = []
    srv.corpus = corpus
    srv.hits = Counter()
    srv.slow_seconds = slow_seconds
    srv.flaky_page = flaky_page  # type: ignore[attr-defined]
    srv.feed_paths = feed_paths or []  # type: ignore[attr-defined]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

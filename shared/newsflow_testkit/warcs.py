"""WARC archives written by the tests (warcio's writer): pages as response records, plus
the records a backfill must account for without indexing them."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_DATE = "2024-05-06T10:00:00Z"


def _response(
    writer: WARCWriter, url: str, body: bytes, ctype: str, status: str = "200 OK"
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": WARC_DATE},
    )
    writer.write_record(record)


def write_warc(path: Path, pages: list[tuple[str, bytes]], *, extras: bool = True) -> Path:
    """A gzipped WARC with one HTML response per (url, html); with `extras`, also a warcinfo
    and a request record (skipped by a backfill), a PNG response, a 404 response and a
    revisit record (each rejected with its reason)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        if extras:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, html in pages:
            if extras:
                req = StatusAndHeaders(
                    "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True
                )
                writer.write_record(
                    writer.create_warc_record(
                        url, "request", payload=BytesIO(b""), http_headers=req
                    )
                )
            _response(writer, url, html, "text/html; charset=utf-8")
        if extras:
            _response(writer, "https://example.org/logo.png", b"\x89PNG\r\n", "image/png")
            _response(
                writer, "https://example.org/gone", b"<html>no</html>", "text/html", "404 Not Found"
            )
            writer.write_record(
                writer.create_revisit_record(pages[0][0], "sha1:AAAA", pages[0][0], WARC_DATE)
            )
    return path

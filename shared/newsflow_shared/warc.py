"""Reading a WARC archive for backfill (`newsflow ingest archive.warc.gz`), with warcio.

Every HTML response (or resource) record becomes a page with its original URL, its fetch
date and its stored body: nothing is fetched. Every other response, and a record or archive
that cannot be read, becomes a rejection with a reason, so nothing in the archive is lost
silently. Request, metadata and warcinfo records describe the crawl, not pages: skipped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from charset_normalizer import from_bytes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
CONTENT_RECORDS = ("response", "resource", "revisit")
READ_ERRORS = (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError)


@dataclass(frozen=True)
class WarcPage:
    url: str
    fetched: datetime | None
    body: bytes
    content_type: str
    encoding: str | None


@dataclass(frozen=True)
class WarcRejection:
    source: str  # `<archive>@<offset> <url>`
    reason: str
    message: str


def is_warc(path: Path) -> bool:
    """Whether `path` names a WARC archive (by its suffix)."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _charset(content_type: str, body: bytes) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    best = from_bytes(body[:200_000]).best()
    return best.encoding if best else None


def read_warc(path: Path, max_bytes: int) -> Iterator[WarcPage | WarcRejection]:
    """The pages and rejections of the archive at `path`, in archive order."""
    with path.open("rb") as stream:
        records, offset = ArchiveIterator(stream), 0
        try:
            for record in records:
                offset = records.offset  # where the record starts (get_record_offset reads it)
                if record.rec_type not in CONTENT_RECORDS:
                    continue
                yield _page(path, offset, record, max_bytes)
        except READ_ERRORS as exc:
            # the rest of the archive cannot be read past a broken record: one rejection says
            # where it broke
            yield WarcRejection(
                f"{path}@{offset}", "warc_broken", f"{type(exc).__name__}: {exc}"[:300]
            )


def _page(path: Path, offset: int, record: object, max_bytes: int) -> WarcPage | WarcRejection:
    headers = record.rec_headers  # type: ignore[attr-defined]
    url = (headers.get_header("WARC-Target-URI") or "").strip("<> ")
    source = f"{path}@{offset} {url}"
    if urlsplit(url).scheme not in ("http", "https"):
        return WarcRejection(source, "warc_no_url", f"no http(s) WARC-Target-URI: {url!r}")
    rec_type = record.rec_type  # type: ignore[attr-defined]
    if rec_type == "revisit":
        return WarcRejection(source, "warc_revisit", "a revisit record stores no body")
    http = record.http_headers  # type: ignore[attr-defined]
    if rec_type == "response":
        if http is None:
            return WarcRejection(source, "warc_not_http", "a response record without HTTP headers")
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            return WarcRejection(source, f"http_{status or 'unknown'}", f"archived status {status}")
        ctype = http.get_header("Content-Type") or ""
    else:
        ctype = headers.get_header("Content-Type") or ""
    media = ctype.split(";", 1)[0].strip().lower()
    if media not in HTML_TYPES:
        return WarcRejection(source, "warc_not_html", f"content type {media or 'unknown'}")
    try:
        body = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    except READ_ERRORS as exc:  # e.g. a Content-Encoding that does not decode
        return WarcRejection(source, "warc_bad_body", f"{type(exc).__name__}: {exc}")
    if len(body) > max_bytes:
        return WarcRejection(source, "too_large", f"more than {max_bytes} bytes")
    if not body.strip():
        return WarcRejection(source, "empty", "the record has no body")
    return WarcPage(url, _date(headers.get_header("WARC-Date")), body, media, _charset(ctype, body))

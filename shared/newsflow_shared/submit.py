"""Submitting work: URLs, feeds, HTML/text files, URL lists and folders become ledger items.

Used by the CLI (`newsflow ingest`) and the API (`POST /ingest`). Every input becomes an
item in the job's ledger before anything is published, so nothing submitted is unaccounted
for; inputs that cannot be ingested are recorded as `rejected` with a reason right here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from pydantic import ValidationError

from newsflow_shared.ids import doc_id_for_content, doc_id_for_url
from newsflow_shared.messages import (
    EnrichRequest,
    FeedRequest,
    FetchRequest,
    ParseRequest,
    SourceHints,
    SourceKind,
)
from newsflow_shared.publish import hand_on
from newsflow_shared.runtime import Runtime
from newsflow_shared.stages import TASK_ENRICH, TASK_FETCH_FEED, TASK_FETCH_PAGE, TASK_PARSE
from newsflow_shared.warc import WarcRejection, is_warc, read_warc

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt"}
URL_LIST_SUFFIXES = {".urls", ".lst"}
FEED_LIST_SUFFIXES = {".feeds"}
SIDECAR_SUFFIX = ".meta.json"  # `story.txt` + `story.meta.json`: what the file itself can't say
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class Submission:
    job_id: str
    items: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)


def new_job_id() -> str:
    return uuid.uuid4().hex[:16]


def is_http_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def canonical_url_of(html: bytes) -> str | None:
    """The page's own URL from `<link rel=canonical>` or `og:url`, if it states one."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for xp in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in tree.xpath(xp):
            if isinstance(value, str) and is_http_url(value):
                return value.strip()
    return None


def sidecar_hints(path: Path) -> SourceHints | None:
    """Hints from `<name>.meta.json` beside a file: {"published": ISO date, "url": ...}."""
    meta = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not meta.is_file():
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        return SourceHints.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise ValueError(f"{meta}: {exc}") from exc


def _read_lines(path: Path) -> list[str]:
    return [
        ln.strip()
        for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (folders recursively, sorted; hidden files skipped)."""
    for p in paths:
        if p.is_dir():
            yield from (
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and not f.name.endswith(SIDECAR_SUFFIX)
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            yield p


class Submitter:
    """Adds items to one job and publishes their first message."""

    def __init__(self, rt: Runtime, job_id: str | None = None, source: str = "") -> None:
        self.rt = rt
        self.sub = Submission(job_id or new_job_id())
        rt.ledger.create_job(self.sub.job_id, source or "submission")

    def _next_item(self) -> str:
        self.sub.items += 1
        return f"{self.sub.items:06d}"

    def reject(self, source: str, kind: str, reason: str, message: str) -> None:
        item = self._next_item()
        self.rt.ledger.add_item(self.sub.job_id, item, source, kind)
        self.rt.ledger.reject(self.sub.job_id, item, "submit", reason, message)
        self.sub.rejected.append((source, reason))

    def url(self, url: str, hints: SourceHints | None = None) -> None:
        """A page URL (a feed served at it is recognised by the fetch stage), with what its
        source said about it (`hints`: a polled feed's or sitemap's entry)."""
        if not is_http_url(url):
            self.reject(url, "url", "unsupported_scheme", "only http(s) URLs can be fetched")
            return
        item, doc_id = self._next_item(), doc_id_for_url(url)
        self.rt.ledger.add_item(self.sub.job_id, item, url, "url", doc_id)
        hand_on(
            TASK_FETCH_PAGE,
            FetchRequest(job_id=self.sub.job_id, item_id=item, url=url, doc_id=doc_id, hints=hints),
        )

    def feed(self, url: str) -> None:
        """A feed URL: read once by the fetch stage, its items added to this job."""
        if not is_http_url(url):
            self.reject(url, "feed", "unsupported_scheme", "only http(s) feeds can be fetched")
            return
        item = self._next_item()
        self.rt.ledger.add_item(self.sub.job_id, item, url, "feed")
        hand_on(TASK_FETCH_FEED, FeedRequest(job_id=self.sub.job_id, item_id=item, url=url))

    def file(self, path: Path) -> None:
        """A local file: HTML page, seed-shaped text article, or a list of URLs/feeds."""
        suffix = path.suffix.lower()
        source = str(path)
        if is_warc(path):  # archives are read record by record: no size limit on the file
            self.warc(path)
            return
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.reject(source, "file", "unreadable", str(exc))
            return
        if size > MAX_FILE_BYTES:
            self.reject(source, "file", "too_large", f"{size} bytes > {MAX_FILE_BYTES}")
            return
        if suffix in URL_LIST_SUFFIXES or suffix in FEED_LIST_SUFFIXES:
            for line in _read_lines(path):
                (self.feed if suffix in FEED_LIST_SUFFIXES else self.url)(line)
            return
        if suffix in TEXT_SUFFIXES:
            lines = _read_lines(path)
            if lines and all(is_http_url(ln) for ln in lines):
                for ln in lines:
                    self.url(ln)
                return
            self._stored_file(path, SourceKind.TEXT_FILE)
            return
        if suffix in HTML_SUFFIXES:
            self._stored_file(path, SourceKind.HTML_FILE)
            return
        self.reject(
            source, "file", "unsupported_file_type", f"cannot ingest {suffix or 'no suffix'} files"
        )

    def _stored_file(self, path: Path, kind: SourceKind) -> None:
        raw = path.read_bytes()
        try:
            hints = sidecar_hints(path)
        except ValueError as exc:
            self.reject(str(path), kind.value, "bad_sidecar", str(exc))
            return
        url = canonical_url_of(raw) if kind is SourceKind.HTML_FILE else None
        url = url or (hints.url if hints else None)
        doc_id = doc_id_for_url(url) if url else doc_id_for_content(raw)
        self._store_and_parse(str(path), raw, kind, doc_id, hints, url=url)

    def _store_and_parse(
        self,
        source: str,
        raw: bytes,
        kind: SourceKind,
        doc_id: str,
        hints: SourceHints | None,
        encoding: str | None = None,
        url: str | None = None,
    ) -> None:
        """An item whose content is at hand: stored in the content store, handed to parse."""
        url = url or (hints.url if hints else None)
        item = self._next_item()
        self.rt.ledger.add_item(self.sub.job_id, item, source, kind.value, doc_id)
        site = (urlsplit(url).hostname or None) if url else None
        self.rt.store.put_raw(
            doc_id, raw, source_kind=kind.value, url=url, site=site, hints=hints, encoding=encoding
        )
        hand_on(
            TASK_PARSE,
            ParseRequest(
                job_id=self.sub.job_id,
                item_id=item,
                doc_id=doc_id,
                source_kind=kind,
                url=url,
                hints=hints,
            ),
        )

    def warc(self, path: Path) -> None:
        """A WARC archive: each HTML response record becomes an item whose stored body is
        parsed (no network); other records are recorded as rejected with the reason."""
        for got in read_warc(path, MAX_FILE_BYTES):
            if isinstance(got, WarcRejection):
                self.reject(got.source, "warc", got.reason, got.message)
                continue
            hints = SourceHints(url=got.url, fetched=got.fetched)
            self._store_and_parse(
                got.url, got.body, SourceKind.WARC, doc_id_for_url(got.url), hints, got.encoding
            )

    def stored(self, rec: dict[str, str], from_stage: str) -> None:
        """Re-run a stored item (a `ContentStore.select` record) from `parse` or `enrich`."""
        item, doc_id = self._next_item(), rec["doc_id"]
        self.rt.ledger.add_item(
            self.sub.job_id, item, rec.get("url") or doc_id, "reprocess", doc_id
        )
        if from_stage == "parse":
            hand_on(
                TASK_PARSE,
                ParseRequest(
                    job_id=self.sub.job_id,
                    item_id=item,
                    doc_id=doc_id,
                    source_kind=SourceKind(rec.get("source_kind") or "url"),
                    url=rec.get("url"),
                    final_url=rec.get("final_url"),
                ),
            )
        else:
            hand_on(TASK_ENRICH, EnrichRequest(job_id=self.sub.job_id, item_id=item, doc_id=doc_id))

    def any(self, target: str) -> None:
        """Dispatch one CLI argument: URL, or path to a file or folder."""
        if is_http_url(target):
            self.url(target)
            return
        path = Path(target)
        if not path.exists():
            self.reject(target, "file", "not_found", "no such file, folder or http(s) URL")
            return
        for f in expand_paths([path]):
            self.file(f)

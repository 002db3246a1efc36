"""The durable content store: raw page, parsed article and enrichment, keyed by doc_id.

It lives in Elasticsearch (the `content` index) so that every worker on every host reaches
it and re-processing never needs to fetch again. Raw bytes are kept exactly (gzip + base64
in a `binary` field), so charset detection can be redone from the original bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from newsflow_shared.errors import PermanentError, TransientError
from newsflow_shared.indices import names
from newsflow_shared.messages import Enrichment, FeedHints, ParsedArticle


def _now() -> str:
    return datetime.now(UTC).isoformat()


def es_errors_to_newsflow(exc: Exception) -> Exception:
    """Map an Elasticsearch client error to Transient (retry) or Permanent (record)."""
    if isinstance(exc, ApiError):
        status = exc.meta.status
        if status == 429 or status >= 500:
            return TransientError("es_unavailable", f"{status}: {exc}")
        return PermanentError("es_rejected", f"{status}: {exc}")
    if isinstance(exc, TransportError):  # connection refused, timeouts
        return TransientError("es_unreachable", str(exc))
    return exc


class ContentStore:
    """Read/write the `content` index through its aliases."""

    def __init__(self, es: Elasticsearch, prefix: str = "") -> None:
        self.es = es
        self.n = names("content", prefix)

    def _update(self, doc_id: str, doc: dict[str, Any]) -> None:
        try:
            self.es.update(index=self.n.write, id=doc_id, doc=doc, doc_as_upsert=True)
        except (ApiError, TransportError) as exc:
            raise es_errors_to_newsflow(exc) from exc

    def _get(self, doc_id: str, fields: list[str]) -> dict[str, Any]:
        try:
            res = self.es.get(index=self.n.read, id=doc_id, source_includes=fields)
        except NotFoundError as exc:
            raise PermanentError("content_missing", f"no stored content for {doc_id}") from exc
        except (ApiError, TransportError) as exc:
            raise es_errors_to_newsflow(exc) from exc
        source: dict[str, Any] = res["_source"]
        return source

    def put_raw(
        self,
        doc_id: str,
        raw: bytes,
        *,
        source_kind: str,
        url: str | None = None,
        final_url: str | None = None,
        content_type: str | None = None,
        encoding: str | None = None,
        status: int | None = None,
        site: str | None = None,
        hints: FeedHints | None = None,
    ) -> None:
        """Store the page as fetched (or the file as read)."""
        self._update(
            doc_id,
            {
                "doc_id": doc_id,
                "source_kind": source_kind,
                "url": url,
                "final_url": final_url,
                "site": site,
                "content_type": content_type,
                "encoding": encoding,
                "status": status,
                "fetched": _now(),
                "raw_sha256": hashlib.sha256(raw).hexdigest(),
                "raw_size": len(raw),
                "raw": base64.b64encode(gzip.compress(raw, compresslevel=5)).decode(),
                "hints": hints.model_dump(mode="json") if hints else None,
            },
        )

    def get_raw(self, doc_id: str) -> tuple[bytes, dict[str, Any]]:
        """The stored bytes and their metadata."""
        src = self._get(
            doc_id,
            ["raw", "url", "final_url", "content_type", "encoding", "source_kind", "hints"],
        )
        raw = gzip.decompress(base64.b64decode(src.pop("raw")))
        return raw, src

    def put_parsed(self, article: ParsedArticle) -> None:
        self._update(
            article.doc_id, {"parsed": article.model_dump(mode="json"), "parsed_at": _now()}
        )

    def get_parsed(self, doc_id: str) -> ParsedArticle:
        src = self._get(doc_id, ["parsed"])
        if not src.get("parsed"):
            raise PermanentError("content_missing", f"no parsed article for {doc_id}")
        return ParsedArticle.model_validate(src["parsed"])

    def put_enrichment(self, doc_id: str, enrichment: Enrichment) -> None:
        self._update(
            doc_id, {"enrichment": enrichment.model_dump(mode="json"), "enriched_at": _now()}
        )

    def get_article(self, doc_id: str) -> tuple[ParsedArticle, Enrichment | None]:
        """The parsed article and its enrichment (None if enrichment has not run)."""
        src = self._get(doc_id, ["parsed", "enrichment"])
        if not src.get("parsed"):
            raise PermanentError("content_missing", f"no parsed article for {doc_id}")
        enr = src.get("enrichment")
        return (
            ParsedArticle.model_validate(src["parsed"]),
            Enrichment.model_validate(enr) if enr else None,
        )

    def select(
        self, *, stage_done: str, site: str | None = None, doc_ids: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored items that have reached `stage_done` ("fetched" or "parsed"), for reprocessing."""
        must: list[dict[str, Any]] = [
            {"exists": {"field": "raw_sha256" if stage_done == "fetched" else "parsed_at"}}
        ]
        if site:
            must.append({"term": {"site": site}})
        if doc_ids:
            must.append({"ids": {"values": doc_ids}})
        yield from (
            hit["_source"]
            for hit in helpers.scan(
                self.es,
                index=self.n.read,
                query={"query": {"bool": {"filter": must}}},
                _source=["doc_id", "source_kind", "url", "final_url"],
            )
        )

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

from newsflow_shared.errors import OutageError, PermanentError, TransientError, is_outage
from newsflow_shared.indices import names
from newsflow_shared.messages import Enrichment, ParsedArticle, SourceHints


def _now() -> str:
    return datetime.now(UTC).isoformat()


def es_errors_to_newsflow(exc: Exception) -> Exception:
    """Map an Elasticsearch client error to an outage (waited out), Transient (retry) or
    Permanent (record)."""
    if isinstance(exc, ApiError):
        status = exc.meta.status
        if is_outage(exc):  # 502/503/504: the cluster cannot serve at all
            return OutageError("es_unavailable", f"{status}: {exc}")
        if status == 429 or status >= 500:
            return TransientError("es_unavailable", f"{status}: {exc}")
        return PermanentError("es_rejected", f"{status}: {exc}")
    if is_outage(exc):  # connection refused, timeouts
        return OutageError("es_unreachable", str(exc))
    if isinstance(exc, TransportError):  # e.g. a response that does not deserialise
        return TransientError("es_transport", str(exc))
    return exc


def raise_unavailable_docs(res: Any) -> None:
    """An mget answers 200 with a per-document error where a shard cannot serve (e.g. still
    recovering after a restart): an outage, not a missing document. Raises OutageError."""
    for doc in res["docs"]:
        error = doc.get("error")
        if error and error.get("type") != "index_not_found_exception":
            raise OutageError("es_unavailable", f"{doc.get('_index')}: {error.get('reason')}")


class ContentStore:
    """Read/write the `content` index through its aliases: one document per (doc_id, part)."""

    def __init__(self, es: Elasticsearch, prefix: str = "") -> None:
        self.es = es
        self.n = names("content", prefix)

    def _put(self, doc_id: str, part: str, doc: dict[str, Any]) -> None:
        body = {"doc_id": doc_id, "part": part, "stored": _now(), **doc}
        try:
            self.es.index(index=self.n.write, id=f"{doc_id}:{part}", document=body)
        except (ApiError, TransportError) as exc:
            raise es_errors_to_newsflow(exc) from exc

    def _get(self, doc_id: str, part: str, **options: Any) -> dict[str, Any]:
        try:
            res = self.es.get(index=self.n.read, id=f"{doc_id}:{part}", **options)
        except NotFoundError as exc:
            raise PermanentError("content_missing", f"no stored {part} for {doc_id}") from exc
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
        hints: SourceHints | None = None,
    ) -> None:
        """Store the page as fetched (or the file as read)."""
        self._put(
            doc_id,
            "raw",
            {
                "source_kind": source_kind,
                "url": url,
                "final_url": final_url,
                "site": site,
                "content_type": content_type,
                "encoding": encoding,
                "status": status,
                "raw_sha256": hashlib.sha256(raw).hexdigest(),
                "raw_size": len(raw),
                # level 1: most of the size win for a fraction of the CPU of the default 9
                "raw": base64.b64encode(gzip.compress(raw, compresslevel=1)).decode(),
                "hints": hints.model_dump(mode="json") if hints else None,
            },
        )

    def get_raw(self, doc_id: str) -> tuple[bytes, dict[str, Any]]:
        """The stored bytes and their metadata."""
        src = self._get(doc_id, "raw")
        raw = gzip.decompress(base64.b64decode(src.pop("raw")))
        return raw, src

    def raw_meta(self, doc_id: str) -> dict[str, Any]:
        """The stored page's metadata without its bytes (source kind, URLs, hints)."""
        return self._get(doc_id, "raw", source_excludes=["raw"])

    def put_parsed(self, article: ParsedArticle) -> None:
        self._put(
            article.doc_id,
            "parsed",
            {
                "parsed": article.model_dump(mode="json"),
                "site": article.site,
                "source_kind": article.source_kind.value,
                "url": article.url,
            },
        )

    def get_parsed(self, doc_id: str) -> ParsedArticle:
        return ParsedArticle.model_validate(self._get(doc_id, "parsed")["parsed"])

    def put_enrichment(self, doc_id: str, enrichment: Enrichment) -> None:
        self._put(doc_id, "enrichment", {"enrichment": enrichment.model_dump(mode="json")})

    def get_article(self, doc_id: str) -> tuple[ParsedArticle, Enrichment | None]:
        """The parsed article and its enrichment (None if enrichment has not run)."""
        got = self.get_articles([doc_id])[doc_id]
        if isinstance(got, PermanentError):
            raise got
        return got

    def get_articles(
        self, doc_ids: list[str]
    ) -> dict[str, tuple[ParsedArticle, Enrichment | None] | PermanentError]:
        """Several articles in one request (the index stage reads a whole batch): per doc_id
        the parsed article and its enrichment, or the PermanentError saying why not.
        A failed request raises Transient/PermanentError for the whole batch."""
        ids = [f"{d}:{part}" for d in doc_ids for part in ("parsed", "enrichment")]
        try:
            res = self.es.mget(index=self.n.read, ids=ids)
        except (ApiError, TransportError) as exc:
            raise es_errors_to_newsflow(exc) from exc
        raise_unavailable_docs(res)
        found = {d["_id"]: d["_source"] for d in res["docs"] if d.get("found")}
        out: dict[str, tuple[ParsedArticle, Enrichment | None] | PermanentError] = {}
        for doc_id in doc_ids:
            parsed, enr = found.get(f"{doc_id}:parsed"), found.get(f"{doc_id}:enrichment")
            if not parsed:
                out[doc_id] = PermanentError("content_missing", f"no parsed article for {doc_id}")
                continue
            try:
                out[doc_id] = (
                    ParsedArticle.model_validate(parsed["parsed"]),
                    Enrichment.model_validate(enr["enrichment"]) if enr else None,
                )
            except ValueError as exc:  # pydantic ValidationError: stored by an older version
                out[doc_id] = PermanentError("content_invalid", f"{doc_id}: {exc}")
        return out

    def select(
        self, *, stage_done: str, site: str | None = None, doc_ids: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored items that have reached `stage_done` ("fetched" or "parsed"), for reprocessing."""
        part = "raw" if stage_done == "fetched" else "parsed"
        # the content index refreshes rarely (reads are by id); a search must refresh first
        self.es.indices.refresh(index=self.n.read)
        must: list[dict[str, Any]] = [{"term": {"part": part}}]
        if site:
            must.append({"term": {"site": site}})
        if doc_ids:
            must.append({"terms": {"doc_id": doc_ids}})
        yield from (
            hit["_source"]
            for hit in helpers.scan(
                self.es,
                index=self.n.read,
                query={"query": {"bool": {"filter": must}}},
                _source=["doc_id", "source_kind", "url", "final_url"],
            )
        )

"""Celery shell of the parse stage: stored page in, parsed article stored, hand on to enrich."""

from __future__ import annotations

from newsflow_parse import core
from newsflow_shared.celery_app import app  # `celery -A <this module>` finds the app here
from newsflow_shared.messages import EnrichRequest, ParseRequest, SourceHints, SourceKind
from newsflow_shared.publish import hand_on
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import get_settings
from newsflow_shared.stages import TASK_ENRICH, TASK_PARSE
from newsflow_shared.worker import stage_task


def parse(msg: ParseRequest) -> None:
    """Parse the stored page of `msg.doc_id` and hand the article to enrichment."""
    rt = get_runtime()
    raw, meta = rt.store.get_raw(msg.doc_id)
    text = core.decode(raw, meta.get("encoding"))
    hints = msg.hints or (SourceHints.model_validate(meta["hints"]) if meta.get("hints") else None)
    if msg.source_kind is SourceKind.TEXT_FILE:
        article = core.parse_text(text, doc_id=msg.doc_id, hints=hints)
    else:
        article = core.parse_html(
            text,
            doc_id=msg.doc_id,
            url=msg.final_url or msg.url or meta.get("url"),
            source_kind=msg.source_kind,
            hints=hints,
        )
    rt.store.put_parsed(article)
    rt.ledger.done(msg.job_id, msg.item_id, "parse")
    hand_on(TASK_ENRICH, EnrichRequest(job_id=msg.job_id, item_id=msg.item_id, doc_id=msg.doc_id))


parse_task = stage_task(TASK_PARSE, "parse", ParseRequest, parse, get_settings())

__all__ = ["app", "parse_task"]

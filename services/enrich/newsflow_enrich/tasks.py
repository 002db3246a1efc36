"""Celery shell of the enrich stage: parsed article in, enrichment stored, hand on to index."""

from __future__ import annotations

from functools import cache

from newsflow_enrich.core import Enricher
from newsflow_enrich.loader import load_enricher
from newsflow_shared.celery_app import app  # `celery -A <this module>` finds the app here
from newsflow_shared.logs import get_logger
from newsflow_shared.messages import EnrichRequest, IndexRequest
from newsflow_shared.publish import hand_on
from newsflow_shared.runtime import get_runtime
from newsflow_shared.settings import get_settings
from newsflow_shared.stages import TASK_ENRICH, TASK_INDEX
from newsflow_shared.worker import stage_task

log = get_logger(__name__)


@cache
def enricher() -> Enricher:
    """The spaCy pipeline and the NER backend, loaded once per worker process."""
    return load_enricher()


def enrich(msg: EnrichRequest) -> None:
    """Enrich the stored parsed article of `msg.doc_id` and hand it to the index stage."""
    rt = get_runtime()
    article = rt.store.get_parsed(msg.doc_id)
    e = enricher()
    enrichment = e.enrich(article.title, article.text, article.published, msg.doc_id)
    rt.store.put_enrichment(msg.doc_id, enrichment)
    # A text over `max_chars` is indexed whole, enriched in part: the ledger says how far.
    enriched = len(e.enriched(article.text))
    truncated = enriched < len(article.text)
    if truncated:
        log.warning("text_truncated", doc_id=msg.doc_id, chars=len(article.text), enriched=enriched)
    rt.ledger.done(
        msg.job_id, msg.item_id, "enrich", enriched_chars=enriched if truncated else None
    )
    hand_on(TASK_INDEX, IndexRequest(job_id=msg.job_id, item_id=msg.item_id, doc_id=msg.doc_id))


enrich_task = stage_task(TASK_ENRICH, "enrich", EnrichRequest, enrich, get_settings())

__all__ = ["app", "enrich_task"]

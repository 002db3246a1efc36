"""GET /articles/{doc_id}: one article with its actors, events (with evidence) and quotes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel

from newsflow_api.deps import State, json_response
from newsflow_api.errors import error
from newsflow_api.schemas.articles import ActorOut, ArticleEvent, ArticleOut, QuoteOut
from newsflow_api.schemas.base import ErrorBody

router = APIRouter(tags=["articles"])

_EXCLUDE = ["title_lemmas", "text_lemmas", "events.sentence_lemmas"]


def _pick(model: type[BaseModel], src: dict[str, Any]) -> dict[str, Any]:
    # The index document may carry fields the response does not expose (e.g. `type_mode`).
    return {k: v for k, v in src.items() if k in model.model_fields and v is not None}


def article_out(doc_id: str, src: dict[str, Any]) -> ArticleOut:
    return ArticleOut(
        id=doc_id,
        url=src.get("url"),
        canonical_url=src.get("canonical_url"),
        title=src.get("title") or "",
        text=src.get("text") or "",
        description=src.get("description"),
        authors=src.get("authors") or [],
        tags=src.get("tags") or [],
        published=src.get("published"),
        indexed=src.get("indexed"),
        language=src.get("language"),
        site=src.get("site"),
        site_name=src.get("site_name"),
        image=src.get("image"),
        word_count=src.get("word_count"),
        actors=[
            ActorOut(**_pick(ActorOut, a), actor_url=f"/actors/{a['id']}")
            for a in src.get("actors") or []
        ],
        events=[ArticleEvent(**_pick(ArticleEvent, e)) for e in src.get("events") or []],
        quotes=[QuoteOut(**_pick(QuoteOut, q)) for q in src.get("quotes") or []],
    )


@router.get(
    "/articles/{doc_id}",
    response_model=ArticleOut,
    responses={
        404: {"model": ErrorBody, "description": "no such article"},
        503: {"model": ErrorBody, "description": "Elasticsearch unavailable"},
    },
    summary="One article",
)
async def get_article(
    state: State,
    doc_id: Annotated[str, Path(min_length=1, max_length=200, examples=["3f1c9a0e5b7d2c41"])],
) -> Response:
    # The alias spans the month partitions, so a search by id (a get needs one index).
    res = await state.es.search(
        index=state.articles_index,
        query={"ids": {"values": [doc_id]}},
        size=1,
        source_excludes=list(_EXCLUDE),
    )
    hits = res["hits"]["hits"]
    if not hits:
        return error(404, f"no article {doc_id!r}", "doc_id")
    return json_response(article_out(doc_id, hits[0]["_source"]))

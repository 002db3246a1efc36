"""GET /events: event-level search over evidence sentences, with facets; hits link to articles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from newsflow_api.deps import State, json_response
from newsflow_api.query.bodies import EVENTS
from newsflow_api.query.params import EventsParams
from newsflow_api.reader import QueryReader, query_parameters
from newsflow_api.routes.common import run_list
from newsflow_api.routes.search import ERRORS
from newsflow_api.schemas.search import EventHit, EventsResponse

router = APIRouter(tags=["events"])

# What an event hit takes from the event document as it is (absent: the model's default).
_FROM_SOURCE = tuple(f for f in EVENTS.source if f in EventHit.model_fields)


def event_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """An `EventHit` as a dict: validated once, with the whole response."""
    src = hit["_source"]
    hl = (hit.get("highlight") or {}).get("sentence")
    out = {k: v for k in _FROM_SOURCE if (v := src.get(k)) is not None}
    out.update(
        id=hit["_id"],
        sentence=src.get("sentence") or "",
        highlight=hl[0] if hl else None,
        score=hit.get("_score"),
        article_url=f"/articles/{src['article_id']}",
    )
    return out


@router.get(
    "/events",
    response_model=EventsResponse,
    responses=ERRORS,
    openapi_extra=query_parameters(EventsParams),
    summary="Search events",
    description=(
        "Coded events (one per evidence sentence). `q` searches the evidence sentences. "
        "Negated and hypothetical events are left out unless `include_negated` / "
        "`include_hypothetical`. Facets are multi-select; `months` buckets the event date. "
        "`sort=newest|oldest` orders by event date."
    ),
)
async def events(
    state: State, params: Annotated[EventsParams, Depends(QueryReader(EventsParams))]
) -> Response:
    res = await run_list(state, state.events_index, EVENTS, params)
    res.hits = [event_hit(h) for h in res.hits]
    return json_response(EventsResponse.model_validate(res.fields()))

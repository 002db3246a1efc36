"""The remote control command `newsflow_held`: which task ids this worker holds.

The reconciler asks every worker (a broadcast) before it gives an unacknowledged message
back to its queue: a message no live worker holds belongs to a dead worker, or to one that
forgot it on a broker reconnect. A worker holds its reserved and running requests
(Celery's `worker.state`), its countdown/ETA requests (in the consumer's timer)
and, for a batch task such as the index stage's, what the task says it buffers
(`held_ids()`). Registered in every worker by importing `newsflow_shared.worker`.
"""

from __future__ import annotations

from typing import Any

from celery.worker import state as worker_state
from celery.worker.control import inspect_command, scheduled

HELD_COMMAND = "newsflow_held"


@inspect_command(name=HELD_COMMAND)
def newsflow_held(state: Any, **kwargs: Any) -> list[str]:
    """Task ids this worker holds: reserved, running, scheduled (countdown) or buffered."""
    # the sets `inspect reserved/active` read, not `worker_state.requests`: a broker reconnect
    # clears the reserved set, but its cleanup of that dict misses (it looks ids up with
    # request objects), so the dict keeps requests the worker dropped, and would claim them
    ids = {r.id for r in (*worker_state.reserved_requests, *worker_state.active_requests)}
    ids.update(entry["request"]["id"] for entry in scheduled(state))
    for task in state.app.tasks.values():
        held = getattr(task, "held_ids", None)
        if callable(held):
            ids.update(held())
    return sorted(ids)

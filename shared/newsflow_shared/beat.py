"""The scheduler: `celery -A newsflow_shared.beat beat` sends `fetch.poll_due` every
`NEWSFLOW_SOURCES_TICK` seconds. Run exactly one (two would only send twice as many ticks:
a poll's lease keeps a source from being polled twice, but there is no need for a second)."""

from __future__ import annotations

from newsflow_shared.celery_app import app
from newsflow_shared.sources import get_sources_settings
from newsflow_shared.stages import TASK_POLL_DUE, Stage

_tick = get_sources_settings().tick
app.conf.beat_schedule = {
    "poll-due-sources": {
        "task": TASK_POLL_DUE,
        "schedule": _tick,
        # a tick no fetch worker took in time (all down or busy) is dropped, not piled up
        "options": {"queue": Stage.FETCH.value, "expires": max(2 * _tick, 30.0)},
    }
}

__all__ = ["app"]

"""celery-batches' `Batches` with a flush timer that survives broker reconnects.

On a broker connection error Celery's event loop clears the worker's whole timer
(`hub.timer.clear()` in celery/worker/loops.py) and the consumer starts again, building
every task's strategy anew. celery-batches arms its flush timer only while `_tref is None`,
and its `_tref` still names the entry that was cleared: after a reconnect a batch would
flush only every `flush_every` messages, however long the rest waited. Upstream 0.11
has no fix; this subclass forgets the dead timer whenever a new strategy is built (every
consumer start) and re-arms it at once if messages are still buffered.

It also says which task ids it holds (`held_ids`, read by the reconciler through the
`newsflow_held` control command): Celery's own registry of reserved requests does not see
what celery-batches buffers, waits on (countdown) or runs as a batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from celery_batches import Batches


class ReconnectSafeBatches(Batches):
    """`Batches` whose flush timer is re-armed on every consumer (re)start."""

    def Strategy(self, task: Any, app: Any, consumer: Any) -> Callable[..., None]:
        handler: Callable[..., None] = super().Strategy(task, app, consumer)
        tref: Any = getattr(self, "_tref", None)
        if tref is not None:
            tref.cancel()  # a no-op on an entry the hub already dropped
        self._tref = None
        if not (self._buffer.empty() and self._pending.empty()):
            self._tref = consumer.timer.call_repeatedly(self.flush_interval, self._do_flush)
        return handler

    def flush(self, requests: Collection[Any]) -> Any:
        """Run a batch; its task ids count as held until it could have ended (hard limit)."""
        running: dict[str, float] = self.__dict__.setdefault("_running", {})
        now = time.monotonic()
        running.update((r.id, now) for r in requests)
        return super().flush(requests)

    def held_ids(self) -> set[str]:
        """Task ids buffered, waiting for their countdown, or in a batch still running."""
        running: dict[str, float] = self.__dict__.setdefault("_running", {})
        horizon = time.monotonic() - float(self.time_limit or 0)
        for task_id, started in list(running.items()):
            if started < horizon:
                running.pop(task_id, None)
        queued = [*list(self._buffer.queue), *list(self._pending.queue)]
        return {r.id for r in queued} | set(running)

"""The Celery app every worker and producer shares: delivery guarantees and routing as settings.

Workers start with `celery -A newsflow_<stage>.tasks worker -Q <stage>`, so each worker
imports only its own stage's tasks (the enrich worker alone loads spaCy).
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from newsflow_shared.logs import configure_logging
from newsflow_shared.settings import Settings, get_settings
from newsflow_shared.stages import TASK_QUEUE, Stage


def visibility_timeout(settings: Settings) -> int:
    """Seconds Redis waits before redelivering an unacked message.

    Must exceed the longest hard time limit plus the longest retry (or outage) countdown, or a
    slow-but-alive task (or one waiting on its retry ETA) would be delivered twice.
    """
    longest = max(
        settings.fetch_time_limit,
        settings.parse_time_limit,
        settings.enrich_time_limit,
        settings.index_time_limit,
    )
    longest_wait = max(settings.retry_backoff_max, settings.outage_backoff_max, settings.defer_max)
    return (longest + 30) + longest_wait + settings.visibility_margin


def make_app(settings: Settings | None = None) -> Celery:
    """Build the Celery app from settings."""
    s = settings or get_settings()
    configure_logging(s.log_level, s.log_json)
    app = Celery("newsflow")
    transport = {"visibility_timeout": visibility_timeout(s)}
    app.conf.update(
        broker_url=s.redis_url,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        # Late acks + requeue on worker loss: a message is only gone once its stage has
        # handed on (or recorded a final state). Safe because every write is idempotent.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[Queue(stage.value) for stage in Stage],
        task_routes={name: {"queue": stage.value} for name, stage in TASK_QUEUE.items()},
        task_default_queue=Stage.FETCH.value,
        # Task events cost every task a few publishes; they are off unless a monitor wants
        # them: Flower (`--enable_events`, its default) switches them on in every worker
        # periodically while it runs (`celery control enable_events` does the same).
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_hijack_root_logger=False,
        worker_max_memory_per_child=700_000,  # KiB: recycle a worker child past ~700 MB
    )
    return app


app = make_app()

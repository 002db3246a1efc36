"""A Redis and an Elasticsearch node of a test's own, with this run's indices created: what
the outage and chaos tests stop, kill and restart (the suite's services are never touched)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from private_es import PrivateCluster, PrivateElasticsearch, unavailable
from private_redis import PrivateRedis


@dataclass
class Backends:
    broker: PrivateRedis
    node: PrivateElasticsearch | PrivateCluster
    rt: Any  # a newsflow Runtime on both
    app: Any  # a Celery app on the private Redis
    env: dict[str, str]  # the environment a newsflow process needs to use them
    es_start: float  # seconds the node took to start


@contextmanager
def private_backends(folder: Path, *, cluster: bool = False, **env: str) -> Iterator[Backends]:
    """Start both (Redis data in `folder`), create the indices; stop and remove them after.
    `cluster`: three Elasticsearch nodes, every index with one replica, instead of one node.
    `env` adds to (or overrides) the worker environment: the local test server allowed,
    index batches of 0.5 s, outage backoff capped at 10 s. Fails where no node can run."""
    from newsflow_shared.celery_app import make_app
    from newsflow_shared.indices import init_indices
    from newsflow_shared.runtime import Runtime
    from newsflow_shared.settings import get_settings

    why = unavailable()
    if why:
        pytest.fail(
            f"{why}: the chaos and outage tests need a private node (make test installs one)"
        )
    broker = PrivateRedis(folder)
    node = PrivateCluster() if cluster else PrivateElasticsearch()
    replicas = 1 if cluster else None
    try:
        broker.start()
        es_start = node.start()
        settings = get_settings().model_copy(update={"redis_url": broker.url, "es_url": node.url})
        rt = Runtime(settings)
        init_indices(rt.es, settings.index_prefix, replicas=replicas)
        full_env = {
            **os.environ,
            "NEWSFLOW_REDIS_URL": broker.url,
            "NEWSFLOW_ES_URL": node.url,
            "NEWSFLOW_FETCH_ALLOW_HOSTS": "localhost",
            "NEWSFLOW_INDEX_BATCH_SECONDS": "0.5",
            # back off at most 10 s during an outage (30 s by default): short tests
            "NEWSFLOW_OUTAGE_BACKOFF_MAX": "10",
            **({"NEWSFLOW_ES_REPLICAS": str(replicas)} if replicas else {}),
            **env,
        }
        yield Backends(broker, node, rt, make_app(settings), full_env, es_start)
    finally:
        node.remove()
        broker.stop()

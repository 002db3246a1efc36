"""Session-wide test configuration: isolated names on the real Redis and Elasticsearch.

Settings come from the environment, so the isolation is injected here, before any newsflow
module reads them: a per-run index prefix, a per-run ledger prefix and a dedicated Redis
database. The services themselves are started by `make test` (infra/local/stack.sh).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

RUN = uuid.uuid4().hex[:8]
os.environ.setdefault("NEWSFLOW_INDEX_PREFIX", f"test-{RUN}-")
os.environ.setdefault("NEWSFLOW_LEDGER_PREFIX", f"test-{RUN}")
os.environ.setdefault("NEWSFLOW_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("NEWSFLOW_ES_URL", "http://127.0.0.1:9200")

# after the environment is set:
from helpers import STAGES  # noqa: E402
from newsflow_testkit.workers import start_pipeline, stop_workers  # noqa: E402


@pytest.fixture(scope="session")
def settings():  # type: ignore[no-untyped-def]
    from newsflow_shared.settings import get_settings

    return get_settings()


@pytest.fixture(scope="session")
def es(settings):  # type: ignore[no-untyped-def]
    from newsflow_shared.es import make_es

    client = make_es(settings)
    try:
        client.cluster.health()
    except Exception as exc:
        pytest.fail(f"Elasticsearch not reachable at {settings.es_url}: {exc} (run `make test`)")
    return client


@pytest.fixture(scope="session")
def indices(es, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Create this run's indices; drop them when the session ends. Yields the prefix."""
    from newsflow_shared.indices import drop_indices, init_indices

    init_indices(es, settings.index_prefix)
    yield settings.index_prefix
    if not os.environ.get("NEWSFLOW_KEEP_TEST_INDICES"):
        drop_indices(es, settings.index_prefix)


@pytest.fixture(scope="session")
def redis(settings):  # type: ignore[no-untyped-def]
    from redis import Redis

    r = Redis.from_url(settings.redis_url)
    try:
        r.ping()
    except Exception as exc:
        pytest.fail(f"Redis not reachable at {settings.redis_url}: {exc} (run `make test`)")
    return r


@pytest.fixture(scope="session")
def runtime(settings, es, redis, indices):  # type: ignore[no-untyped-def]
    from newsflow_shared.runtime import get_runtime

    return get_runtime()


# ---------------------------------------------------------------- pipeline fixtures

# What the test workers run with: a local test server on `localhost` is allowed (but not
# 127.0.0.1, so redirects to loopback addresses are still refused), short timeouts and
# few, quick retries so failing cases settle in seconds.
WORKER_ENV = {
    "NEWSFLOW_FETCH_ALLOW_HOSTS": "localhost",
    # every page comes from one local server: pace it, but briefly
    "NEWSFLOW_FETCH_HOST_INTERVAL": "0.05",
    "NEWSFLOW_FETCH_READ_TIMEOUT": "2",
    "NEWSFLOW_FETCH_TOTAL_TIMEOUT": "6",
    "NEWSFLOW_MAX_RETRIES": "2",
    "NEWSFLOW_RETRY_BACKOFF_MAX": "2",
    "NEWSFLOW_INDEX_BATCH_SECONDS": "0.5",
}


@pytest.fixture(scope="session")
def workers(indices, redis, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One real Celery worker process per stage, on this run's Redis database and indices."""
    from newsflow_shared.celery_app import app

    redis.flushdb()  # the test database only: stale messages of an aborted run must not leak in
    logs = tmp_path_factory.mktemp("worker-logs")
    try:
        procs = start_pipeline(app, STAGES, {**os.environ, **WORKER_ENV}, logs, RUN)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield logs
    stop_workers(procs.values())

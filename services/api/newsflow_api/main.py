"""The app factory and its lifespan: one ES client, one Redis client, one spaCy pipeline.

Run: `uvicorn newsflow_api.main:create_app --factory --host 0.0.0.0 --port 8000`.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis as AsyncRedis
from starlette.concurrency import run_in_threadpool

from newsflow_api import errors
from newsflow_api.deps import ApiState, make_es_client, no_unknown_parameters
from newsflow_api.lemmatiser import Lemmatiser
from newsflow_api.metrics import Metrics, MetricsMiddleware
from newsflow_api.model_check import check_model
from newsflow_api.routes import (
    actors,
    articles,
    events,
    explore,
    health,
    ingest,
    search,
    sources,
    timeline,
)
from newsflow_api.server import TargetLimit
from newsflow_api.settings import ApiSettings, get_api_settings
from newsflow_shared.indices import names
from newsflow_shared.lemmas import model_id
from newsflow_shared.logs import configure_logging, get_logger
from newsflow_shared.runtime import Runtime, get_runtime
from newsflow_shared.settings import ModelSettings, Settings, get_model_settings, get_settings

log = get_logger(__name__)

DESCRIPTION = """Search over news articles, the actors they mention and the events they report.

Query syntax (`q`): words (all required), `"exact phrases"`, `-excluded` words or phrases,
and `OR` between two terms. Inflections match: `attacks` finds "attacked".
Errors are JSON bodies naming the parameter at fault.
"""


def create_app(
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
    model_settings: ModelSettings | None = None,
) -> FastAPI:
    """Build the app; settings are read from the environment unless injected. Its start-up
    fails (ModelMismatch) when the index was enriched with another model than its own."""
    s = settings or get_settings()
    api = api_settings or get_api_settings()
    model = (model_settings or get_model_settings()).model
    configure_logging(s.log_level, s.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lemmatise = await run_in_threadpool(Lemmatiser.load, model, api.lemma_cache_size)
        es = make_es_client(s, api)
        try:
            await check_model(es, names("articles", s.index_prefix).read, model_id(lemmatise.nlp))
        except BaseException:
            await es.close()
            raise
        redis = AsyncRedis.from_url(
            s.redis_url, socket_connect_timeout=api.probe_timeout, socket_timeout=api.probe_timeout
        )
        runtime = get_runtime() if settings is None else Runtime(s)
        # The spaCy model is a large, long-lived object graph: keep it out of the cyclic GC's
        # full collections, which otherwise stall requests for milliseconds.
        gc.collect()
        gc.freeze()
        state = ApiState(
            settings=s, api=api, es=es, redis=redis, lemmatise=lemmatise, runtime=runtime
        )
        app.state.api = state
        log.info("api_started", es_url=s.es_url, index_prefix=s.index_prefix, model=model)
        try:
            yield
        finally:
            await state.drain()
            await es.close()
            await redis.aclose()

    app = FastAPI(
        title="newsflow search API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(no_unknown_parameters)],
    )
    app.state.metrics = Metrics()
    errors.install(app)
    for module in (search, articles, events, actors, timeline, ingest, sources, health, explore):
        app.include_router(module.router)
    if api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics, root=app.router)
    # Outermost: an over-long request target is answered before anything parses it.
    app.add_middleware(TargetLimit, max_bytes=api.max_request_target_bytes)
    return app

"""Prometheus request metrics per route template (a pure ASGI middleware: no per-request task)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsflow_shared.sources import Source

# Search latencies sit between a few ms and a few seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The API's metrics, in a registry of their own (one per app, so tests can build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsflow_api_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "newsflow_api_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )


# Per-source gauges read from the source records at each scrape: (name, help, value of).
SOURCE_GAUGES = (
    ("newsflow_source_items", "items the source's polls submitted in all", "items_total"),
    ("newsflow_source_new_items_last_poll", "items the last good poll submitted", "new_last"),
    ("newsflow_source_polls", "polls of the source", "polls"),
    ("newsflow_source_consecutive_errors", "failed polls in a row", "errors"),
    ("newsflow_source_last_poll_timestamp_seconds", "time of the last poll", "last_poll"),
    ("newsflow_source_last_ok_timestamp_seconds", "time of the last good poll", "last_ok"),
    ("newsflow_source_paused", "1 while the source is paused", "paused"),
)


def source_metrics(sources: list[Source]) -> bytes:
    """The exposition text of the per-source gauges (one series per source and gauge)."""
    registry = CollectorRegistry()
    gauges = [
        (Gauge(name, doc, ["source", "kind"], registry=registry), field)
        for name, doc, field in SOURCE_GAUGES
    ]
    for src in sources:
        for gauge, field in gauges:
            value = getattr(src, field)
            if value is not None:
                gauge.labels(src.id, src.kind.value).set(float(value))
    return generate_latest(registry)


def _route_of(app: Any, scope: Scope) -> str:
    # The route template ("/articles/{doc_id}"), never the raw path: bounded label values.
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    for r in getattr(app, "routes", []):
        match, _ = r.matches(scope)
        if match is Match.FULL:
            return str(r.path)
    return "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, root: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_of(self.root, scope)
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)

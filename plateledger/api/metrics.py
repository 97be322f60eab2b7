"""Prometheus metrics: requests by route and status, their latency, and searches by kind and outcome.

Each app has its own registry, so several apps (tests) in one process do not collide. Under
`plateledger serve --workers N` the workers keep their figures in files of one directory (prometheus_client's
multiprocess mode, set by MULTIPROCESS_DIRECTORY before they start), and /metrics sums them.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROCESS_DIRECTORY", "Metrics"]

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it when first imported


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "plateledger_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "plateledger_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.searches = Counter(
            "plateledger_searches",
            "Searches through the policy gate, by kind and outcome (allowed or refused).",
            ["kind", "outcome"],
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_search(self, kind: str, outcome: str) -> None:
        self.searches.labels(kind, outcome).inc()

    def render(self) -> bytes:
        if MULTIPROCESS_DIRECTORY in os.environ:  # every worker's figures, summed
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)

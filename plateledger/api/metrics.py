"""Prometheus metrics: requests by route and status, their latency, and searches by kind and outcome.

Each app has its own registry, so several apps (tests) in one process do not collide.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


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
        return generate_latest(self.registry)

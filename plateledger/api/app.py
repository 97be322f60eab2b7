"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from plateledger import __version__
from plateledger.store.contract import ReadStore


def create_app(store: ReadStore) -> FastAPI:
    app = FastAPI(title="plateledger", version=__version__, docs_url="/docs", openapi_url="/openapi.json")
    app.state.store = store

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, object]:
        """Liveness: the store answers."""
        return {"status": "ok", "reads": store.count_reads(), "agencies": len(store.list_agencies())}

    return app

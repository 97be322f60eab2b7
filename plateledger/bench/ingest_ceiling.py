"""The ceiling of `plateledger bench-ingest`: a minimal FastAPI endpoint that only parses the JSON it is sent.

    python -m plateledger.bench.ingest_ceiling --port 8082

Served by the same uvicorn as `plateledger serve` (one process, same event loop and HTTP parser), it shows
what the framework and the machine allow before any of plateledger's work (authentication, parsing the
format, images, the durable commit). Every path answers POST.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from fastapi import FastAPI, Request


def ceiling_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/{path:path}")
    async def parse_only(path: str, request: Request) -> dict[str, Any]:
        body = json.loads(await request.body())
        reads = body.get("reads") if isinstance(body, dict) else None
        return {"parsed": len(reads) if isinstance(reads, list) else 1}

    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(ceiling_app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

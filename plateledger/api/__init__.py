"""The HTTP API (FastAPI): the product's front door."""

from plateledger.api.app import create_app

__all__ = ["create_app"]

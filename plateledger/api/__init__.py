"""The HTTP API (FastAPI): the product's front door."""

from plateledger.api.app import app_for, create_app
from plateledger.api.services import Services, open_services

__all__ = ["Services", "app_for", "create_app", "open_services"]

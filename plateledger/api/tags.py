"""OpenAPI tags: one per resource router."""

from enum import StrEnum


class Tags(StrEnum):
    health = "health"
    session = "session"
    agencies = "agencies"
    users = "users"
    api_keys = "api-keys"
    cameras = "cameras"
    searches = "searches"
    reads = "reads"
    approvals = "approvals"
    audit = "audit"
    ingest = "ingest"
    images = "images"

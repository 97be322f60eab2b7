"""Read stores: the backend-neutral contract and its implementations."""

from plateledger.store.contract import (
    Agency,
    Area,
    Camera,
    Circle,
    Hit,
    NotFound,
    Page,
    PassSummary,
    Polygon,
    ReadStore,
    SchemaTooNew,
    StoreError,
    TimeWindow,
)

__all__ = [
    "Agency",
    "Area",
    "Camera",
    "Circle",
    "Hit",
    "NotFound",
    "Page",
    "PassSummary",
    "Polygon",
    "ReadStore",
    "SchemaTooNew",
    "StoreError",
    "TimeWindow",
]

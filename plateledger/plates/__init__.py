"""Plate text: normalisation, confusable skeletons, regions and jurisdiction formats."""

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region
from plateledger.plates.skeleton import skeleton

__all__ = ["RegionError", "normalize_plate", "parse_region", "skeleton"]

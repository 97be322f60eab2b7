"""Hot lists: per-agency lists of plates to look for, custom or imported from feeds, and the match index."""

from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.index import MATCH_TYPES, IndexedEntry, IndexHolder, MatchIndex, MatchType, classify
from plateledger.hotlists.model import (
    ANY_REGION,
    KNOWN_CATEGORIES,
    MAX_CUSTOM_DAYS,
    Entry,
    EntryDraft,
    EntryError,
    FeedSettings,
    HotList,
)
from plateledger.hotlists.service import HotlistService
from plateledger.hotlists.transparency import hotlist_exclusions

__all__ = [
    "ANY_REGION",
    "KNOWN_CATEGORIES",
    "MATCH_TYPES",
    "MAX_CUSTOM_DAYS",
    "Entry",
    "EntryDraft",
    "EntryError",
    "FeedSettings",
    "HotList",
    "HotlistDatabase",
    "HotlistService",
    "IndexHolder",
    "IndexedEntry",
    "MatchIndex",
    "MatchType",
    "classify",
    "hotlist_exclusions",
]

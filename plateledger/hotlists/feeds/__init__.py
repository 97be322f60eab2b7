"""Feed formats (NCIC-style, Genetec-style, mapped CSV) and the shared parsing with per-line errors."""

from plateledger.hotlists.feeds import genetec, mapped, ncic  # noqa: F401  (built-in formats register here)
from plateledger.hotlists.feeds.base import (
    FeedContext,
    FeedError,
    FeedParse,
    LineError,
    feed_formats,
    parse_feed,
    register_feed_format,
)
from plateledger.hotlists.feeds.mapped import check_mapping

__all__ = [
    "FeedContext",
    "FeedError",
    "FeedParse",
    "LineError",
    "check_mapping",
    "feed_formats",
    "parse_feed",
    "register_feed_format",
]

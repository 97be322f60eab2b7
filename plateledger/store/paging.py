"""Paging through passes: the cursor a page ends with, argument checks, the first_ms range of a window.

Backend-neutral: both read stores page the same way (newest pass first, newest frame first inside a pass).
"""

from __future__ import annotations

from dataclasses import dataclass

from plateledger.store.contract import TimeWindow
from plateledger.store.frames import MAX_SPAN_MS


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the next read is frame `frame` of pass `pass_id`, which started at `first_ms`."""

    first_ms: int
    pass_id: int
    frame: int

    def encode(self) -> str:
        return f"{self.first_ms}.{self.pass_id}.{self.frame}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            first_ms, pass_id, frame = (int(part) for part in text.split("."))
        except ValueError:
            raise ValueError("cursor is not one this store issued") from None
        return cls(first_ms, pass_id, frame)


def check_page_arguments(limit: int, cursor_text: str | None) -> Cursor | None:
    """Refuse a bad limit or cursor before any work, whether or not anything would match."""
    if not 1 <= limit <= 10_000:
        raise ValueError("limit must be between 1 and 10,000")
    return Cursor.decode(cursor_text)


def window_bounds(window: TimeWindow) -> tuple[int, int]:
    """The first_ms range of passes that can hold frames inside the window."""
    return window.start_ms - MAX_SPAN_MS, window.end_ms

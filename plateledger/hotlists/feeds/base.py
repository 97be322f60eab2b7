"""Feed formats: one registry, one small module per format, each turning CSV rows into entry drafts.

A format is a function `(row, context) -> EntryDraft` registered with `@register_feed_format("name")`; the CSV
reading, line numbering and per-line error reporting are shared (`parse_feed`). A bad line is reported with its
line number (the header is line 1) and the field and reason; every other line loads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from plateledger.hotlists.model import EntryDraft, EntryError, check_draft, normalize_category

MAX_LINE_ERRORS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What a format needs besides the row: the list it fills, its mapping, and the time of the import."""

    list_id: str
    agency_id: str
    mapping: dict[str, Any]
    now_ms: int

    def category(self, raw: str) -> str:
        """The feed's category word, through the mapping's `category_map` (keys compared case-insensitively)."""
        table = {normalize_category(key): value for key, value in (self.mapping.get("category_map") or {}).items()}
        normalised = normalize_category(raw)
        return normalize_category(table.get(normalised, raw))


RowParser = Callable[[dict[str, str], FeedContext], EntryDraft]
_FORMATS: dict[str, RowParser] = {}
_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {}


def register_feed_format(name: str, required: tuple[str, ...] = ()) -> Callable[[RowParser], RowParser]:
    """Register a row parser under a format name; `required` columns must be in the header."""

    def register(parser: RowParser) -> RowParser:
        if name in _FORMATS:
            raise ValueError(f"feed format {name!r} is registered twice")
        _FORMATS[name] = parser
        _REQUIRED_COLUMNS[name] = required
        return parser

    return register


def feed_formats() -> tuple[str, ...]:
    return tuple(sorted(_FORMATS))


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    field: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass(slots=True)
class FeedParse:
    drafts: list[EntryDraft] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0

    def refuse(self, line: int, field_name: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LINE_ERRORS_KEPT:
            self.errors.append(LineError(line, field_name, reason))


class FeedError(ValueError):
    """A feed refused whole (no header, a required column missing, an unknown format)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def parse_feed(format_name: str, text: str, context: FeedContext) -> FeedParse:
    """Parse a whole feed file; per-line refusals are collected, never raised."""
    parser = _FORMATS.get(format_name)
    if parser is None:
        raise FeedError("format", f"{format_name!r} is not one of {', '.join(feed_formats())}")
    delimiter = str(context.mapping.get("delimiter") or ",")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True)
    result = FeedParse()
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise FeedError("file", "is empty: a feed starts with a header line") from None
    except csv.Error as error:
        raise FeedError("file", f"line 1: {error}") from None
    missing = [name for name in _REQUIRED_COLUMNS[format_name] if name not in header]
    if missing:
        raise FeedError("header", f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    line = reader.line_num
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.lines += 1
            result.refuse(start, "line", f"is not valid CSV: {error}")
            continue
        line = start
        if not row or all(not cell.strip() for cell in row):
            continue
        result.lines += 1
        if len(row) != len(header):
            result.refuse(line, "line", f"has {len(row)} fields; the header has {len(header)}")
            continue
        try:
            draft = parser(dict(zip(header, (cell.strip() for cell in row), strict=True)), context)
            result.drafts.append(check_draft(draft, "feed", context.now_ms))
        except EntryError as error:
            result.refuse(line, error.field, error.reason)
    return result


_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def parse_date(text: str, field_name: str, pattern: str | None = None) -> int | None:
    """A feed date as epoch ms: ISO 8601 (with or without offset), CCYYMMDD (NCIC), MM/DD/YYYY, or `pattern`.

    Times without an offset are read as UTC. Empty is None.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    candidates = (pattern,) if pattern else _DATE_FORMATS
    for form in candidates:
        try:
            moment = datetime.strptime(cleaned, form)
        except ValueError:
            continue
        return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)
    if not pattern:
        try:
            moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)
    raise EntryError(field_name, f"{cleaned!r} is not a date ({pattern or 'ISO 8601, CCYYMMDD or MM/DD/YYYY'})")


def first(row: dict[str, str], *names: str) -> str:
    """The first non-empty value among columns `names`."""
    for name in names:
        value = row.get(name)
        if value:
            return value
    return ""

"""The in-memory match index: every active entry of every list, keyed by its plate's confusable skeleton.

One dictionary lookup per read decides almost every read: the skeleton folds confusable characters (0/O/D/Q,
1/I/L, 5/S, 8/B ...), so a plate that matches an entry exactly, or differs from it by confusable substitutions,
has the entry's skeleton. Only reads whose skeleton is on some list go on to the exact comparison:

- `exact`: the plate matches and the region matches (or the entry is for any region);
- `region_mismatch`: the plate matches, but the region read differs, is unknown, or was only assumed from the
  camera's jurisdiction (an assumption is no reading);
- `near`: the plate differs from the entry only by confusable characters (5SOW350 read as 5S0W35O).

A non-confusable difference (5SOW350 vs 5SOW750) is no match at all: that misread is exactly the one that put
innocent drivers at gunpoint, and a near match must not reintroduce it.

The index is immutable. A change to a list builds a new index (or a copy with the change) and swaps one
reference (`IndexHolder.current`); matching threads read that reference once per batch and never lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Literal, NamedTuple

from plateledger.plates import normalize_plate, skeleton
from plateledger.plates.skeleton import SKELETON_TABLE

MatchType = Literal["exact", "region_mismatch", "near"]
MATCH_TYPES: tuple[MatchType, ...] = ("exact", "region_mismatch", "near")
_FOLD_CACHE_LIMIT = 500_000


# skeleton() as a bytes table: a normalised plate is ASCII, and bytes.translate is several times faster than
# str.translate with a dict (tests/hotlists/test_index.py checks both agree on every character).
_SKELETON_BYTES = bytes.maketrans(
    "".join(chr(code) for code in SKELETON_TABLE).encode("ascii"), "".join(SKELETON_TABLE.values()).encode("ascii")
)


def fast_skeleton(plate: str) -> str:
    """skeleton() of a normalised (ASCII) plate."""
    return plate.encode("ascii").translate(_SKELETON_BYTES).decode("ascii")


def fold_plate(raw: str) -> tuple[str, str]:
    """Raw OCR text -> (normalised plate, skeleton), the same as normalize_plate and skeleton, faster."""
    plate = raw.upper() if raw.isalnum() and raw.isascii() else normalize_plate(raw)
    return plate, fast_skeleton(plate)


class IndexedEntry(NamedTuple):
    """What matching needs of an entry; the rest stays in the database."""

    id: int
    list_id: str
    agency_id: str
    plate: str
    region: str | None  # None: any region
    effective_ms: int
    expires_ms: int | None


class Match(NamedTuple):
    entry: IndexedEntry
    match_type: MatchType


class MatchIndex:
    """Skeleton -> the entries with that skeleton (a tuple; usually one)."""

    __slots__ = ("by_skeleton", "size", "version")

    def __init__(self, by_skeleton: dict[str, tuple[IndexedEntry, ...]], size: int, version: int) -> None:
        self.by_skeleton = by_skeleton
        self.size = size
        self.version = version

    @classmethod
    def build(cls, entries: Iterable[IndexedEntry], version: int = 0) -> MatchIndex:
        by_skeleton: dict[str, tuple[IndexedEntry, ...]] = {}
        size = 0
        for entry in entries:
            key = fast_skeleton(entry.plate)
            found = by_skeleton.get(key)
            by_skeleton[key] = (entry,) if found is None else (*found, entry)
            size += 1
        return cls(by_skeleton, size, version)

    def changed(self, added: Iterable[IndexedEntry] = (), removed: Iterable[IndexedEntry] = ()) -> MatchIndex:
        """A new index: this one with entries added and removed (by id); this one is left as it was."""
        by_skeleton = dict(self.by_skeleton)
        size = self.size
        for entry in removed:
            key = skeleton(entry.plate)
            group = by_skeleton.get(key, ())
            kept = tuple(other for other in group if other.id != entry.id)
            size -= len(group) - len(kept)
            if kept:
                by_skeleton[key] = kept
            else:
                by_skeleton.pop(key, None)
        for entry in added:
            key = skeleton(entry.plate)
            found = by_skeleton.get(key)
            by_skeleton[key] = (entry,) if found is None else (*found, entry)
            size += 1
        return MatchIndex(by_skeleton, size, self.version + 1)

    def __len__(self) -> int:
        return self.size


def classify(entry: IndexedEntry, plate: str, region: str | None, region_assumed: bool) -> MatchType:
    """How a read with this plate and region matches an entry of the same skeleton."""
    if entry.plate != plate:
        return "near"
    if entry.region is None:
        return "exact"
    if region is None or region_assumed or region != entry.region:
        return "region_mismatch"
    return "exact"


def entry_live(entry: IndexedEntry, observed_ms: int, now_ms: int) -> bool:
    """In effect when the read was made, and not expired now."""
    if entry.effective_ms > observed_ms:
        return False
    return entry.expires_ms is None or (entry.expires_ms > now_ms and entry.expires_ms > observed_ms)


class PlateFolder:
    """Raw OCR text -> (normalised plate, skeleton), cached: cameras send the same texts again and again."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str]] = {}

    def __call__(self, raw: str) -> tuple[str, str]:
        folded = self._cache.get(raw)
        if folded is None:
            if len(self._cache) > _FOLD_CACHE_LIMIT:
                self._cache.clear()
            folded = self._cache[raw] = fold_plate(raw)
        return folded

    @property
    def cache(self) -> dict[str, tuple[str, str]]:
        return self._cache


class IndexHolder:
    """The current index, swapped whole; writers serialise on a lock, readers take `current` without one."""

    def __init__(self) -> None:
        self.current = MatchIndex({}, 0, 0)
        self._lock = threading.Lock()

    def replace(self, entries: Iterable[IndexedEntry]) -> MatchIndex:
        with self._lock:
            built = MatchIndex.build(entries, self.current.version + 1)
            self.current = built
            return built

    def change(self, added: Iterable[IndexedEntry] = (), removed: Iterable[IndexedEntry] = ()) -> MatchIndex:
        with self._lock:
            self.current = self.current.changed(added, removed)
            return self.current

"""The image database: each image's bytes under its SHA-256, and which images belong to which read.

One SQLite file holds both, so ingest commits a payload's images and their links in one transaction: one
fsync for a whole group of posts, where a file per image cost a temporary file, a rename and two fsyncs
(file and folder) in every request. The read store keeps only references.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from plateledger.images.store import ImageRef
from plateledger.reads import now_ms
from plateledger.sqlitefile import SqliteFile

LinkKind = Literal["crop", "vehicle", "overview"]
LINK_KINDS: tuple[LinkKind, ...] = ("crop", "vehicle", "overview")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS image_links (
    read_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('crop', 'vehicle', 'overview')),
    sha256      TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    attached_ms INTEGER NOT NULL,
    PRIMARY KEY (read_id, kind, sha256)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS image_links_by_image ON image_links (sha256);
CREATE TABLE IF NOT EXISTS image_data (
    sha256 TEXT PRIMARY KEY,  -- of `data`: the same bytes are kept once, whoever sends them
    format TEXT NOT NULL CHECK (format IN ('jpeg', 'png')),
    data   BLOB NOT NULL
);
"""

_LINK = (
    "INSERT OR IGNORE INTO image_links (read_id, kind, sha256, format, width, height, bytes, attached_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

# An image that passed inspection, with its bytes: what `keep` and `attach_many` store.
KeptImage = tuple[ImageRef, bytes]


@dataclass(frozen=True, slots=True)
class AttachedImage:
    read_id: int
    kind: LinkKind
    ref: ImageRef
    attached_ms: int


class ImageDatabase(SqliteFile):
    """Image bytes by SHA-256, and read id -> image refs, in their own SQLite file."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(
            path,
            lambda connection: connection.executescript(_SCHEMA),
            foreign_keys=False,
            background_checkpoints=True,  # written by every ingest post
        )

    def attach(self, read_id: int, kind: LinkKind, ref: ImageRef) -> bool:
        """Link an image to a read; False when that very link existed already (attaching is idempotent)."""
        _check_kind(kind)
        with self.write() as connection:
            cursor = connection.execute(
                _LINK, (read_id, kind, ref.sha256, ref.format, ref.width, ref.height, ref.bytes, now_ms())
            )
        return cursor.rowcount == 1

    def attach_many(self, links: Sequence[tuple[int, LinkKind, ImageRef]], images: Sequence[KeptImage] = ()) -> None:
        """Keep images and link images in one transaction (one fsync): ingest's group commit. Idempotent."""
        for _, kind, _ in links:
            _check_kind(kind)
        if not links and not images:
            return
        stamp = now_ms()
        rows = [(read_id, kind, r.sha256, r.format, r.width, r.height, r.bytes, stamp) for read_id, kind, r in links]
        with self.write() as connection:
            connection.executemany(
                "INSERT OR IGNORE INTO image_data (sha256, format, data) VALUES (?, ?, ?)",
                [(ref.sha256, ref.format, data) for ref, data in images],
            )
            connection.executemany(_LINK, rows)

    def keep(self, images: Sequence[KeptImage]) -> None:
        """Store inspected images (durable on return); bytes stored before are not stored twice."""
        self.attach_many((), images)

    def holds(self, sha256: str) -> bool:
        """Whether the bytes of this image are kept here (without reading them)."""
        return bool(self.query("SELECT 1 FROM image_data WHERE sha256 = ?", (sha256,)))

    def data(self, sha256: str) -> bytes | None:
        rows = self.query("SELECT data FROM image_data WHERE sha256 = ?", (sha256,))
        return bytes(rows[0][0]) if rows else None

    def images_for(self, read_id: int) -> list[AttachedImage]:
        rows = self.query(
            "SELECT read_id, kind, sha256, format, width, height, bytes, attached_ms FROM image_links "
            "WHERE read_id = ? ORDER BY attached_ms, kind, sha256",
            (read_id,),
        )
        return [
            AttachedImage(read, kind, ImageRef(sha, fmt, width, height, size), attached)
            for read, kind, sha, fmt, width, height, size, attached in rows
        ]

    def reads_with(self, sha256: str) -> list[int]:
        """The reads an image is attached to (an image may serve several reads of one frame)."""
        rows = self.query("SELECT DISTINCT read_id FROM image_links WHERE sha256 = ?", (sha256,))
        return sorted(row[0] for row in rows)


def _check_kind(kind: str) -> None:
    if kind not in LINK_KINDS:
        raise ValueError(f"image kind {kind!r} is not one of {', '.join(LINK_KINDS)}")

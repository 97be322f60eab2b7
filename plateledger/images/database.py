"""The image database: each image's bytes under its SHA-256, and which images belong to which read.

One SQLite file holds both, so ingest commits a payload's images and their links in one transaction: one
fsync for a whole group of posts, where a file per image cost a temporary file, a rename and two fsyncs
(file and folder) in every request. The read store keeps only references.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from plateledger.images.store import ImageRef
from plateledger.reads import now_ms
from plateledger.sqlitefile import open_sqlite_file

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

# An image that passed inspection, with its bytes: what `keep` and `attach_many` store.
KeptImage = tuple[ImageRef, bytes]


@dataclass(frozen=True, slots=True)
class AttachedImage:
    read_id: int
    kind: LinkKind
    ref: ImageRef
    attached_ms: int


class ImageDatabase:
    """Image bytes by SHA-256, and read id -> image refs, in their own SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._connection = open_sqlite_file(self.path)
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def attach(self, read_id: int, kind: LinkKind, ref: ImageRef) -> bool:
        """Link an image to a read; False when that very link existed already (attaching is idempotent)."""
        if kind not in LINK_KINDS:
            raise ValueError(f"image kind {kind!r} is not one of {', '.join(LINK_KINDS)}")
        with self._lock:
            cursor = self._connection.execute(
                "INSERT OR IGNORE INTO image_links (read_id, kind, sha256, format, width, height, bytes, attached_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (read_id, kind, ref.sha256, ref.format, ref.width, ref.height, ref.bytes, now_ms()),
            )
        return cursor.rowcount == 1

    def attach_many(self, links: Sequence[tuple[int, LinkKind, ImageRef]], images: Sequence[KeptImage] = ()) -> None:
        """Keep images and link images in one transaction (one fsync): ingest's group commit. Idempotent."""
        for _, kind, _ in links:
            if kind not in LINK_KINDS:
                raise ValueError(f"image kind {kind!r} is not one of {', '.join(LINK_KINDS)}")
        if not links and not images:
            return
        stamp = now_ms()
        rows = [(read_id, kind, r.sha256, r.format, r.width, r.height, r.bytes, stamp) for read_id, kind, r in links]
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.executemany(
                    "INSERT OR IGNORE INTO image_data (sha256, format, data) VALUES (?, ?, ?)",
                    [(ref.sha256, ref.format, data) for ref, data in images],
                )
                self._connection.executemany(
                    "INSERT OR IGNORE INTO image_links (read_id, kind, sha256, format, width, height, bytes, "
                    "attached_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def keep(self, images: Sequence[KeptImage]) -> None:
        """Store inspected images (durable on return); bytes stored before are not stored twice."""
        self.attach_many((), images)

    def data(self, sha256: str) -> bytes | None:
        rows = self._query("SELECT data FROM image_data WHERE sha256 = ?", (sha256,))
        return bytes(rows[0][0]) if rows else None

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Reads share the writer's lock: one connection, and no thread reads another's open transaction."""
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def images_for(self, read_id: int) -> list[AttachedImage]:
        rows = self._query(
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
        rows = self._query("SELECT DISTINCT read_id FROM image_links WHERE sha256 = ?", (sha256,))
        return sorted(row[0] for row in rows)

    def close(self) -> None:
        self._connection.close()

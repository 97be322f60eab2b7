"""What an ingest credential may post for: its cameras, its default camera, and an agent's source-camera map.

An API key with scope `ingest` belongs to an agency. Without a binding it may post for any camera of that
agency (our camera ids in the payload). A binding narrows it:
- `cameras`: the only cameras it may post for (a camera's own key: one camera);
- `default_camera`: the camera of payloads that name none (a key bound to one camera defaults to it);
- `sources`: the sender's own camera names or numbers (an OpenALPR agent's `camera_id: 1234`, a Plate
  Recognizer `camera-1`) mapped to our camera ids, for an agent that serves several cameras.
Kept in ingest's own file (DIR/ingest.db), beside the records; the key itself lives in the access database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from plateledger.reads import now_ms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_bindings (
    key_id         TEXT PRIMARY KEY,
    agency_id      TEXT NOT NULL,
    cameras        TEXT NOT NULL,   -- JSON list of our camera ids; [] = any camera of the agency
    default_camera TEXT,
    sources        TEXT NOT NULL,   -- JSON object: sender's camera name -> our camera id
    updated_ms     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Binding:
    key_id: str
    agency_id: str
    cameras: tuple[str, ...] = ()
    default_camera: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    updated_ms: int = 0
    updated_by: str = ""

    @property
    def camera_key(self) -> bool:
        """A camera's own key: one camera, no source map (the payload's own camera numbering is ignored)."""
        return len(self.cameras) == 1 and not self.sources

    @property
    def default(self) -> str | None:
        if self.default_camera is not None:
            return self.default_camera
        return self.cameras[0] if len(self.cameras) == 1 else None

    def allowed(self) -> set[str] | None:
        """Our camera ids it may post for; None: any camera of its agency."""
        if not self.cameras and not self.sources and self.default_camera is None:
            return None
        return {*self.cameras, *self.sources.values(), *([self.default_camera] if self.default_camera else [])}

    def to_dict(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "agency_id": self.agency_id,
            "cameras": list(self.cameras),
            "default_camera": self.default_camera,
            "sources": dict(self.sources),
        }


class IngestBindings:
    """Bindings of ingest keys, in their own table of DIR/ingest.db (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA busy_timeout = 10000")
        self._connection.execute("PRAGMA journal_mode = WAL")
        self._connection.execute("PRAGMA synchronous = FULL")
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.version = 0  # bumped on every change in this process: caches of contexts compare it

    def get(self, key_id: str, agency_id: str) -> Binding:
        """The key's binding; an unbound key's is empty (any camera of its agency)."""
        with self._lock:
            row = self._connection.execute(
                "SELECT key_id, agency_id, cameras, default_camera, sources, updated_ms, updated_by "
                "FROM ingest_bindings WHERE key_id = ?",
                (key_id,),
            ).fetchone()
        if row is None:
            return Binding(key_id, agency_id)
        return Binding(row[0], row[1], tuple(json.loads(row[2])), row[3], dict(json.loads(row[4])), row[5], row[6])

    def put(self, binding: Binding, *, actor: str) -> Binding:
        stamp = now_ms()
        with self._lock:
            self._connection.execute(
                "INSERT INTO ingest_bindings (key_id, agency_id, cameras, default_camera, sources, updated_ms, "
                "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET "
                "agency_id = excluded.agency_id, cameras = excluded.cameras, default_camera = excluded.default_camera, "
                "sources = excluded.sources, updated_ms = excluded.updated_ms, updated_by = excluded.updated_by",
                (
                    binding.key_id,
                    binding.agency_id,
                    json.dumps(sorted(binding.cameras)),
                    binding.default_camera,
                    json.dumps(binding.sources, sort_keys=True),
                    stamp,
                    actor,
                ),
            )
            self.version += 1
        return self.get(binding.key_id, binding.agency_id)

    def close(self) -> None:
        self._connection.close()

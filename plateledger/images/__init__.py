"""Plate crops and overview images: validated, kept by the SHA-256 of their bytes, linked to reads by reference.

`ImageStore` validates and keeps bytes and the read -> image links, both in one SQLite file (database.py).
Serving images over HTTP belongs to the API (authenticated and audited, like every access to reads): it calls
`images_for` and `get`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from plateledger.images.database import LINK_KINDS, AttachedImage, ImageDatabase, KeptImage, LinkKind
from plateledger.images.store import (
    MAX_BYTES,
    MAX_PIXELS,
    ImageError,
    ImageNotFound,
    ImageRef,
    inspect_image,
    is_sha256,
    legacy_file,
)

__all__ = [
    "LINK_KINDS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "AttachedImage",
    "ImageDatabase",
    "ImageError",
    "ImageNotFound",
    "ImageRef",
    "ImageStore",
    "KeptImage",
    "LinkKind",
    "inspect_image",
]


class ImageStore:
    """Images under `root`: the image database (`database_path`, else root/links.sqlite: named when it held only
    the links) and, read only, the files an earlier version kept there."""

    def __init__(
        self,
        root: str | Path,
        database_path: str | Path | None = None,
        *,
        max_bytes: int = MAX_BYTES,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.database = ImageDatabase(database_path if database_path is not None else self.root / "links.sqlite")

    def inspect(self, data: bytes) -> ImageRef:
        """Validate within this store's limits (ImageError when refused); nothing is kept."""
        return inspect_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)

    def put(self, data: bytes) -> ImageRef:
        """Validate and keep (durable on return); the same bytes kept before give the same ref, stored once."""
        ref = self.inspect(data)
        self.database.keep([(ref, data)])
        return ref

    def get(self, sha256: str) -> bytes:
        """The kept bytes, checked against their address (ImageNotFound when absent)."""
        data = self.database.data(sha256) if is_sha256(sha256) else None
        if data is None:
            data = self._legacy_file(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ImageError("image", f"stored image {sha256} does not match its hash: the disk is damaged")
        return data

    def exists(self, sha256: str) -> bool:
        """Whether the image is kept, here or in an earlier version's file (its bytes are not read)."""
        if not is_sha256(sha256):
            return False
        return self.database.holds(sha256) or legacy_file(self.root, sha256) is not None

    def _legacy_file(self, sha256: str) -> bytes:
        path = legacy_file(self.root, sha256)  # refuses what is not a hex digest
        if path is None:
            raise ImageNotFound(sha256)
        return path.read_bytes()

    def attach(self, read_id: int, kind: LinkKind, ref: ImageRef) -> bool:
        return self.database.attach(read_id, kind, ref)

    def images_for(self, read_id: int) -> list[AttachedImage]:
        return self.database.images_for(read_id)

    def close(self) -> None:
        self.database.close()

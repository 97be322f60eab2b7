"""Plate crops and overview images: content-addressed files on disk, linked to reads by reference.

`ImageStore` validates and stores bytes and keeps the read -> image links. Serving images over HTTP belongs
to the API (authenticated and audited, like every access to reads): it calls `images_for` and `get`.
"""

from __future__ import annotations

from pathlib import Path

from plateledger.images.links import LINK_KINDS, AttachedImage, ImageLinks, LinkKind
from plateledger.images.store import (
    MAX_BYTES,
    MAX_PIXELS,
    ImageError,
    ImageFiles,
    ImageNotFound,
    ImageRef,
    inspect_image,
)

__all__ = [
    "LINK_KINDS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "AttachedImage",
    "ImageError",
    "ImageFiles",
    "ImageLinks",
    "ImageNotFound",
    "ImageRef",
    "ImageStore",
    "LinkKind",
    "inspect_image",
]


class ImageStore(ImageFiles):
    """Image files under `root`, and the table linking read ids to them (`links_path`, else root/links.sqlite)."""

    def __init__(
        self,
        root: str | Path,
        links_path: str | Path | None = None,
        *,
        max_bytes: int = MAX_BYTES,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        super().__init__(root, max_bytes=max_bytes, max_pixels=max_pixels)
        self.links = ImageLinks(links_path if links_path is not None else self.root / "links.sqlite")

    def attach(self, read_id: int, kind: LinkKind, ref: ImageRef) -> bool:
        return self.links.attach(read_id, kind, ref)

    def images_for(self, read_id: int) -> list[AttachedImage]:
        return self.links.images_for(read_id)

    def close(self) -> None:
        self.links.close()

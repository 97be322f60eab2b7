"""Plate crops and overview images, stored content-addressed on disk: `<root>/ab/cd/<sha256>.<jpg|png>`.

The same bytes are stored once, whoever sends them. Every file is checked to be a real JPEG or PNG (Pillow
opens and verifies it) within a size and a pixel limit, then written atomically: a temporary file in the same
folder, fsync, rename, fsync of the folder (and of the parent of any folder made for it). A reader never sees
half a file, and a crash leaves no partial one under a final name. The read store keeps references (links.py),
never the bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

ImageFormat = Literal["jpeg", "png"]
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 8K overview frame is 33 Mpx; more is a decompression bomb, not a camera
_EXTENSIONS: dict[str, str] = {"jpeg": "jpg", "png": "png"}
_PILLOW_FORMATS: dict[str, ImageFormat] = {"JPEG": "jpeg", "PNG": "png"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ImageError(ValueError):
    """Bytes that are not an image we keep: the field and the reason, in words."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


class ImageNotFound(KeyError):
    pass


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A stored image: its content address and what it is."""

    sha256: str
    format: ImageFormat
    width: int
    height: int
    bytes: int

    @property
    def media_type(self) -> str:
        return f"image/{self.format}"


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def inspect_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> ImageRef:
    """Check that `data` is a whole JPEG or PNG within the limits; return what it is (nothing is stored)."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ImageError("image", "is empty")
    if len(data) > max_bytes:
        raise ImageError("image", f"{_mib(len(data))} is over the {_mib(max_bytes)} limit")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                pillow_format = image.format
                width, height = image.size
                if pillow_format not in _PILLOW_FORMATS:
                    raise ImageError("image", f"is {pillow_format or 'an unknown format'}, not JPEG or PNG")
                if width * height > max_pixels:
                    raise ImageError("image", f"{width}x{height} pixels is over the {max_pixels:,} pixel limit")
                if pillow_format == "JPEG":
                    # Decode the whole entropy-coded body (a truncated or corrupt one fails here) at 1/8 scale:
                    # libjpeg still reads every coefficient but skips most of the inverse DCT (half the time).
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
                else:
                    image.verify()  # PNG: every chunk read and its CRC checked
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("image", f"is over the {max_pixels:,} pixel limit") from None
    except Exception as error:  # Pillow raises many kinds for bad bytes: all mean "not an image"
        raise ImageError("image", f"is not a valid JPEG or PNG image ({type(error).__name__})") from None
    digest = hashlib.sha256(data).hexdigest()
    return ImageRef(digest, _PILLOW_FORMATS[pillow_format], width, height, len(data))


class ImageFiles:
    """Content-addressed image files under `root`."""

    def __init__(self, root: str | Path, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._folders: set[Path] = set()  # folders known to exist (at most 65,536: ab/cd/)

    def path_for(self, sha256: str, image_format: ImageFormat) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"{sha256!r} is not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.{_EXTENSIONS[image_format]}"

    def put(self, data: bytes) -> ImageRef:
        """Validate and store; the same bytes stored before give the same ref and no second file."""
        return self.put_inspected(data, self.inspect(data))

    def inspect(self, data: bytes) -> ImageRef:
        """Validate within this store's limits (ImageError when refused); nothing is written."""
        return inspect_image(data, max_bytes=self.max_bytes, max_pixels=self.max_pixels)

    def put_inspected(self, data: bytes, ref: ImageRef) -> ImageRef:
        """Store bytes that `inspect` accepted as `ref` (durable when this returns)."""
        target = self.path_for(ref.sha256, ref.format)
        if target.exists() and target.stat().st_size == ref.bytes:
            return ref
        if target.parent not in self._folders:
            self._make_folders(target.parent)
            self._folders.add(target.parent)
        handle, temporary = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        return ref

    def _make_folders(self, folder: Path) -> None:
        """Create `ab/` and `ab/cd/` as needed. A new folder's name is an entry in its parent, durable only
        once the parent is fsynced: without that, a crash could lose a file whose link was committed."""
        for level in (folder.parent, folder):
            try:
                level.mkdir()
            except FileExistsError:
                continue
            _fsync_directory(level.parent)

    def _find(self, sha256: str) -> Path:
        for image_format in _EXTENSIONS:
            path = self.path_for(sha256, image_format)  # type: ignore[arg-type]
            if path.exists():
                return path
        raise ImageNotFound(sha256)

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against their address (ImageNotFound when absent)."""
        data = self._find(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ImageError("image", f"stored file {sha256} does not match its hash: the disk is damaged")
        return data

    def exists(self, sha256: str) -> bool:
        try:
            self._find(sha256)
        except ImageNotFound:
            return False
        return True


def _fsync_directory(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""What an image must be to be kept: a whole JPEG or PNG within a size and a pixel limit (Pillow opens and
verifies it), named by the SHA-256 of its bytes.

The bytes are kept in the image database (database.py). Data directories of plateledger versions before it kept
one file per image, `<root>/ab/cd/<sha256>.<jpg|png>`: `legacy_file` still finds those.
"""

from __future__ import annotations

import hashlib
import io
import re
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
_SHA256 = re.compile(r"[0-9a-f]{64}")

# Pillow warns of a "decompression bomb" past 89 Mpx (and refuses past twice that). Our own limit is lower and
# checked before decoding, so its warning tells nothing new; ignoring it here costs nothing, where catching it
# around each image (warnings.catch_warnings) cost 70 us an image, a fifth of the check.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


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


def is_sha256(text: str) -> bool:
    """A SHA-256 hex digest as images are addressed: 64 lower-case hex digits."""
    return _SHA256.fullmatch(text) is not None


def legacy_file(root: Path, sha256: str) -> Path | None:
    """The file an earlier version kept an image in, `<root>/ab/cd/<sha256>.<jpg|png>`, if there is one."""
    if not is_sha256(sha256):
        raise ValueError(f"{sha256!r} is not a sha256 hex digest")
    for extension in _EXTENSIONS.values():
        path = root / sha256[:2] / sha256[2:4] / f"{sha256}.{extension}"
        if path.exists():
            return path
    return None

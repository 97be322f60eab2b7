"""Content-addressed image files: validation, de-duplication, atomic writes, and the read -> image links."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from plateledger.images import ImageError, ImageNotFound, ImageStore, inspect_image


def encode(image_format: str, size: tuple[int, int] = (64, 24), colour: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ImageStore]:
    images = ImageStore(tmp_path / "images")
    yield images
    images.close()


def test_a_jpeg_is_stored_under_its_sha256_and_read_back(store: ImageStore) -> None:
    data = encode("JPEG")
    ref = store.put(data)
    digest = hashlib.sha256(data).hexdigest()
    assert (ref.sha256, ref.format, ref.width, ref.height, ref.bytes) == (digest, "jpeg", 64, 24, len(data))
    assert ref.media_type == "image/jpeg"
    assert store.path_for(digest, "jpeg") == store.root / digest[:2] / digest[2:4] / f"{digest}.jpg"
    assert store.path_for(digest, "jpeg").read_bytes() == data
    assert store.get(digest) == data


def test_a_png_is_stored_too(store: ImageStore) -> None:
    data = encode("PNG", (10, 20))
    ref = store.put(data)
    assert (ref.format, ref.width, ref.height) == ("png", 10, 20)
    assert store.path_for(ref.sha256, "png").exists()


def test_the_same_bytes_are_stored_once_and_no_temporary_file_is_left(store: ImageStore) -> None:
    data = encode("JPEG")
    first, second = store.put(data), store.put(data)
    assert first == second
    files = [path for path in store.root.rglob("*") if path.is_file() and path.name != "links.sqlite"]
    assert [path.name for path in files if not path.name.startswith("links.sqlite")] == [f"{first.sha256}.jpg"]


def test_a_file_and_every_folder_made_for_it_are_synced_before_put_returns(
    store: ImageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        synced.append(Path(f"/proc/self/fd/{descriptor}").readlink())
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    ref = store.put(encode("JPEG"))
    folder = store.path_for(ref.sha256, "jpeg").parent
    # The file (under its temporary name, before its rename), the folder holding it, and the parent of each
    # folder made for it: the root for `ab/`, `ab/` for `ab/cd/`.
    files = [path for path in synced if path.parent == folder]
    assert len(files) == 1 and files[0].suffix == ".tmp"
    assert sorted(path for path in synced if path not in files) == sorted([store.root, folder.parent, folder])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "is empty"),
        (b"this is plain text", "is not a valid JPEG or PNG image (UnidentifiedImageError)"),
        (encode("GIF"), "is GIF, not JPEG or PNG"),
        (encode("BMP"), "is BMP, not JPEG or PNG"),
    ],
)
def test_what_is_not_a_jpeg_or_png_is_refused(store: ImageStore, data: bytes, reason: str) -> None:
    with pytest.raises(ImageError) as caught:
        store.put(data)
    assert (caught.value.field, caught.value.reason) == ("image", reason)
    assert not any(path.suffix in (".jpg", ".png", ".tmp") for path in store.root.rglob("*"))


def test_a_truncated_jpeg_is_refused() -> None:
    data = encode("JPEG", (200, 200), "red")
    with pytest.raises(ImageError, match="not a valid JPEG or PNG"):
        inspect_image(data[: len(data) // 2])


def test_size_and_pixel_limits(tmp_path: Path) -> None:
    small = ImageStore(tmp_path / "small", max_bytes=1000, max_pixels=10_000)
    with pytest.raises(ImageError) as caught:
        small.put(encode("PNG", (200, 100)))  # 20,000 pixels, few bytes
    assert caught.value.reason == "200x100 pixels is over the 10,000 pixel limit"
    noisy = Image.effect_noise((100, 100), 100).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    with pytest.raises(ImageError) as caught:
        small.put(buffer.getvalue())
    assert caught.value.reason.endswith("MiB is over the 0.0 MiB limit")
    small.close()


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # 144 Mpx of one colour compress to a few KiB
    bomb = buffer.getvalue()
    with pytest.raises(ImageError, match="pixel limit"):
        inspect_image(bomb)


def test_unknown_and_malformed_addresses(store: ImageStore) -> None:
    with pytest.raises(ImageNotFound):
        store.get("0" * 64)
    with pytest.raises(ValueError, match="not a sha256"):
        store.get("../../etc/passwd")
    assert not store.exists("f" * 64)


def test_a_damaged_file_is_detected_on_read(store: ImageStore) -> None:
    ref = store.put(encode("JPEG"))
    store.path_for(ref.sha256, "jpeg").write_bytes(b"flipped bits")
    with pytest.raises(ImageError, match="does not match its hash"):
        store.get(ref.sha256)


def test_links_attach_images_to_reads_once(store: ImageStore) -> None:
    crop, overview = store.put(encode("JPEG")), store.put(encode("PNG", (320, 200)))
    assert store.attach(4096, "crop", crop) is True
    assert store.attach(4096, "crop", crop) is False  # idempotent
    store.attach(4096, "overview", overview)
    store.attach(4097, "overview", overview)  # one frame, two reads
    assert [(image.kind, image.ref) for image in store.images_for(4096)] == [("crop", crop), ("overview", overview)]
    assert store.links.reads_with(overview.sha256) == [4096, 4097]
    assert store.images_for(1) == []
    with pytest.raises(ValueError, match="image kind"):
        store.attach(4096, "face", crop)  # type: ignore[arg-type]


def test_links_survive_reopening(tmp_path: Path) -> None:
    first = ImageStore(tmp_path / "images")
    ref = first.put(encode("JPEG"))
    first.attach(7, "crop", ref)
    first.close()
    again = ImageStore(tmp_path / "images")
    assert [image.ref for image in again.images_for(7)] == [ref]
    assert again.get(ref.sha256)
    again.close()

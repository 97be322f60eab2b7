"""Content-addressed image files: validation, de-duplication, atomic writes, and the read -> image links."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from plateledger.images import ImageError, ImageNotFound, ImageStore, inspect_image


def encode(image_format: str, size: tuple[int, int] = (64, 24), colour: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


def kept_rows(store: ImageStore) -> list[tuple[str, str, int]]:
    """(sha256, format, size) of every image the store keeps, read from its file by another connection."""
    with sqlite3.connect(store.database.path) as connection:
        return connection.execute("SELECT sha256, format, length(data) FROM image_data ORDER BY sha256").fetchall()


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
    assert store.get(digest) == data
    assert kept_rows(store) == [(digest, "jpeg", len(data))]


def test_a_png_is_stored_too(store: ImageStore) -> None:
    data = encode("PNG", (10, 20))
    ref = store.put(data)
    assert (ref.format, ref.width, ref.height) == ("png", 10, 20)
    assert store.exists(ref.sha256) and store.get(ref.sha256) == data
    assert not store.exists("0" * 64) and not store.exists("../../etc/passwd")  # never kept; not an address


def test_the_same_bytes_are_stored_once(store: ImageStore) -> None:
    data = encode("JPEG")
    first, second = store.put(data), store.put(data)
    assert first == second
    assert kept_rows(store) == [(first.sha256, "jpeg", len(data))]


def test_images_and_their_links_commit_together(tmp_path: Path) -> None:
    store = ImageStore(tmp_path / "images")
    crop, overview = encode("JPEG"), encode("PNG", (320, 200))
    crop_ref, overview_ref = store.inspect(crop), store.inspect(overview)
    with pytest.raises(ValueError, match="kind"):  # one bad link: nothing of the transaction is kept
        store.database.attach_many([(64, "crop", crop_ref), (64, "face", overview_ref)], [(crop_ref, crop)])  # type: ignore[list-item]
    assert not store.exists(crop_ref.sha256)
    store.database.attach_many(
        [(64, "crop", crop_ref), (64, "overview", overview_ref)], [(crop_ref, crop), (overview_ref, overview)]
    )
    store.close()
    reopened = ImageStore(tmp_path / "images")
    assert [image.ref for image in reopened.images_for(64)] == [crop_ref, overview_ref]
    assert reopened.get(crop_ref.sha256) == crop and reopened.get(overview_ref.sha256) == overview
    reopened.close()


def test_images_kept_as_files_by_earlier_versions_are_still_served(store: ImageStore) -> None:
    data = encode("PNG", (12, 34))
    digest = hashlib.sha256(data).hexdigest()
    old_file = store.root / digest[:2] / digest[2:4] / f"{digest}.png"
    old_file.parent.mkdir(parents=True)
    old_file.write_bytes(data)
    assert store.exists(digest) and store.get(digest) == data
    old_file.write_bytes(data + b"x")
    with pytest.raises(ImageError, match="does not match its hash"):
        store.get(digest)


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
    assert kept_rows(store) == []


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


def test_a_damaged_image_is_detected_on_read(store: ImageStore) -> None:
    ref = store.put(encode("JPEG"))
    with sqlite3.connect(store.database.path) as connection:
        connection.execute("UPDATE image_data SET data = ? WHERE sha256 = ?", (b"flipped bits", ref.sha256))
    with pytest.raises(ImageError, match="does not match its hash"):
        store.get(ref.sha256)


def test_links_attach_images_to_reads_once(store: ImageStore) -> None:
    crop, overview = store.put(encode("JPEG")), store.put(encode("PNG", (320, 200)))
    assert store.attach(4096, "crop", crop) is True
    assert store.attach(4096, "crop", crop) is False  # idempotent
    store.attach(4096, "overview", overview)
    store.attach(4097, "overview", overview)  # one frame, two reads
    assert [(image.kind, image.ref) for image in store.images_for(4096)] == [("crop", crop), ("overview", overview)]
    assert store.database.reads_with(overview.sha256) == [4096, 4097]
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

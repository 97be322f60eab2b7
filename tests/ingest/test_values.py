"""Base64 images as the adapters decode them: strict, and the same verdicts as the standard library's check."""

from __future__ import annotations

import base64
import binascii

from hypothesis import given
from hypothesis import strategies as st

from plateledger.ingest.values import decode_image

BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def reference(text: str) -> bytes | None:
    """What b64decode(validate=True) makes of the text with its whitespace removed (None: refused)."""
    try:
        return base64.b64decode("".join(text.strip().split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def test_plain_wrapped_and_data_url_forms_decode_to_the_same_bytes() -> None:
    data = bytes(range(256)) * 3
    plain = base64.b64encode(data).decode()
    assert decode_image(plain) == (data, None)
    assert decode_image(base64.encodebytes(data).decode()) == (data, None)  # MIME: lines of 76 characters
    assert decode_image(f"data:image/jpeg;base64,{plain}") == (data, None)
    assert decode_image(f"  {plain}\n") == (data, None)


def test_superfluous_padding_after_whole_groups_is_read_as_the_standard_library_reads_it() -> None:
    # The fast decoder refuses these; the standard library's validating decoder takes them, and so do we.
    assert decode_image("YWJj====") == (b"abc", None)
    assert decode_image("YWJj=") == (b"abc", None)


def test_what_is_not_base64_is_refused_with_a_reason() -> None:
    for text in ("abc", "ab=c", "=abc", "ab$d", "a===", "ïbcd"):
        assert decode_image(text) == (None, "is not valid base64"), text
    assert decode_image("   ") == (None, "is not base64 text")
    assert decode_image(42) == (None, "is not base64 text")


@given(st.text(alphabet=BASE64_ALPHABET + " \n-_é", max_size=40))
def test_verdicts_match_the_standard_librarys_validating_decoder(text: str) -> None:
    data, _ = decode_image(text)
    if text.strip():
        assert data == reference(text)


@given(st.binary(max_size=300))
def test_every_encoding_round_trips(data: bytes) -> None:
    encoded = base64.b64encode(data).decode()
    if encoded:
        assert decode_image(encoded) == (data, None)

"""normalize_plate: raw OCR text to the upper-case ASCII alphanumeric plate key."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plateledger.plates.normalize import normalize_plate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5sow-350", "5SOW350"),
        ("5SOW350", "5SOW350"),
        ("  abc 1234 ", "ABC1234"),
        ("M-AB.1234", "MAB1234"),
        ("AB12 CDE", "AB12CDE"),
        ("*7ABC123*", "7ABC123"),
        ("", ""),
        ("-- . --", ""),
    ],
)
def test_ascii_input(raw: str, expected: str) -> None:
    assert normalize_plate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MÜ-AB 123", "MUAB123"),  # German district Mühldorf as OCR may report it
        ("é1ç2", "E1C2"),
        ("ÅÄÖ 99", "AAO99"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width forms fold to ASCII
        ("AB\u00a012", "AB12"),  # no-break space dropped
        ("ß7", "7"),  # no ASCII base letter: dropped, not guessed
    ],
)
def test_non_ascii_input(raw: str, expected: str) -> None:
    assert normalize_plate(raw) == expected


def test_output_alphabet() -> None:
    out = normalize_plate("a-b_c!d@e#1$2%3^ü&ñ*")
    assert out == "ABCDE123UN"
    assert out.isascii() and out.isalnum() and out == out.upper()


@given(st.text(max_size=40))
def test_idempotent(raw: str) -> None:
    once = normalize_plate(raw)
    assert normalize_plate(once) == once


@given(st.text(max_size=40))
def test_only_upper_ascii_alphanumerics(raw: str) -> None:
    out = normalize_plate(raw)
    assert all(ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for ch in out)
    assert len(out) <= len(raw) * 4  # NFKD may expand a character, never without bound


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 -.", max_size=20))
def test_case_and_separators_do_not_matter(raw: str) -> None:
    assert normalize_plate(raw) == normalize_plate(raw.upper().replace(" ", "").replace("-", "."))

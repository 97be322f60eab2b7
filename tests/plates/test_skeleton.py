"""Confusable skeletons: plates an OCR engine can mix up share a skeleton."""

from hypothesis import given
from hypothesis import strategies as st

from plateledger.plates.skeleton import (
    ALPHABET,
    CONFUSABLE_CLASSES,
    SKELETON_ALPHABET,
    confusable,
    skeleton,
)

plates = st.text(alphabet=ALPHABET, max_size=10)


def test_known_misreads_share_a_skeleton() -> None:
    assert skeleton("5SOW350") == skeleton("5S0W35O") == "550W350"
    assert skeleton("8BIL") == skeleton("B81I") == "8811"
    assert skeleton("2Z6G") == skeleton("Z2G6")


def test_different_plates_keep_different_skeletons() -> None:
    assert skeleton("5SOW750") != skeleton("5SOW350")
    assert skeleton("ABC1234") != skeleton("ABC1235")
    # C/G is deliberately not folded: G already sits with 6.
    assert skeleton("C") != skeleton("G")


def test_classes_are_a_partition_of_the_alphabet() -> None:
    members = "".join(CONFUSABLE_CLASSES)
    assert len(members) == len(set(members))
    assert set(members) <= set(ALPHABET)


def test_every_class_folds_to_its_first_member() -> None:
    for cls in CONFUSABLE_CLASSES:
        assert {skeleton(ch) for ch in cls} == {cls[0]}


def test_skeleton_alphabet() -> None:
    assert set(SKELETON_ALPHABET) == {skeleton(ch) for ch in ALPHABET}
    assert len(SKELETON_ALPHABET) == len(ALPHABET) - sum(len(cls) - 1 for cls in CONFUSABLE_CLASSES)
    assert "O" not in SKELETON_ALPHABET and "0" in SKELETON_ALPHABET


def test_confusable() -> None:
    assert confusable("O", "0")
    assert confusable("Q", "D")
    assert confusable("I", "L")
    assert confusable("A", "A")
    assert not confusable("A", "B")
    assert not confusable("C", "G")


@given(plates)
def test_idempotent(plate: str) -> None:
    assert skeleton(skeleton(plate)) == skeleton(plate)


@given(plates)
def test_length_preserved_and_within_skeleton_alphabet(plate: str) -> None:
    out = skeleton(plate)
    assert len(out) == len(plate)
    assert set(out) <= set(SKELETON_ALPHABET)


@given(plates, plates)
def test_equal_skeletons_mean_pairwise_confusable(a: str, b: str) -> None:
    same = len(a) == len(b) and all(confusable(x, y) for x, y in zip(a, b, strict=True))
    assert (skeleton(a) == skeleton(b)) == same

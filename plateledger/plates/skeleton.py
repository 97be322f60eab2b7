"""Confusable-character skeletons: two plates an OCR engine can mix up share a skeleton.

Each class of characters that plate readers confuse folds to one representative. The classes come from the
well-known pairs (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G) and from OCR confusion data on plate fonts: 7/T (narrow
fonts), 4/A (open-top 4), U/V and M/N (strokes lost at low resolution). A skeleton is a partition, so a
character sits in one class only: C/G is not folded because 6/G already claims G and is far more frequent.
"""

# Every member of a class maps to the class's first character.
CONFUSABLE_CLASSES: tuple[str, ...] = (
    "0ODQ",
    "1IL",
    "2Z",
    "5S",
    "8B",
    "6G",
    "7T",
    "4A",
    "UV",
    "MN",
)

SKELETON_TABLE = {ord(member): cls[0] for cls in CONFUSABLE_CLASSES for member in cls}
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The characters a skeleton can hold: used to generate single-character insertions for near search.
SKELETON_ALPHABET = "".join(sorted({ch.translate(SKELETON_TABLE) for ch in ALPHABET}))


def skeleton(plate: str) -> str:
    """Fold a normalised plate to its confusable skeleton ("5SOW350" and "5S0W35O" -> "550W350")."""
    return plate.translate(SKELETON_TABLE)


def confusable(a: str, b: str) -> bool:
    """True when two characters belong to the same confusable class (or are equal)."""
    return a.translate(SKELETON_TABLE) == b.translate(SKELETON_TABLE)

"""Turn raw OCR text into the normalised plate key: upper case, ASCII letters and digits only."""

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def normalize_plate(raw: str) -> str:
    """Return the normalised plate for raw OCR text ("5sow-350" -> "5SOW350").

    Accented letters fold to their base letter (some European plates carry them in OCR output); every other
    character (spaces, hyphens, dots, state emblems read as symbols) is dropped. The raw text is kept by the
    caller, never overwritten.
    """
    if raw.isascii():
        return _NOT_ALNUM.sub("", raw.upper())
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", folded.upper())

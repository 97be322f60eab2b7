"""Small conversions shared by the adapters: JSON bodies, times, scores, base64 images, regions."""

from __future__ import annotations

import binascii
import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

import pybase64

from plateledger.ingest.model import PayloadError, UnknownFormat
from plateledger.plates.regions import RegionError, parse_region
from plateledger.reads import MAX_SOURCE_ID_LENGTH, Candidate

# Epoch numbers below this are seconds, above it milliseconds: 1e11 ms is March 1973, 1e11 s is the year 5138.
_SECONDS_LIMIT = 100_000_000_000


def load_json(payload: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """The JSON object of a payload; PayloadError("body", ...) when it is not one."""
    if isinstance(payload, dict):
        return payload
    try:
        value = json.loads(payload)
    except UnicodeDecodeError:
        raise PayloadError("body", "is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise PayloadError(
            "body", f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    if not isinstance(value, dict):
        raise UnknownFormat("body", f"is a JSON {type(value).__name__}, not an object")
    return value


def need(data: dict[str, Any], key: str, path: str) -> Any:
    """data[key], or PayloadError naming the missing field."""
    value = data.get(key)
    if value is None or value == "":
        raise PayloadError(f"{path}{key}", "is missing")
    return value


def number(value: Any, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PayloadError(field_name, f"{value!r} is not a number")
    try:
        result = float(value)
    except ValueError:
        raise PayloadError(field_name, f"{value!r} is not a number") from None
    if not math.isfinite(result):
        raise PayloadError(field_name, f"{value!r} is not a finite number")
    return result


def optional_number(value: Any, field_name: str) -> float | None:
    return None if value is None or value == "" else number(value, field_name)


def epoch_to_ms(value: Any, field_name: str) -> int:
    """Epoch seconds or milliseconds (told apart by size) as integer milliseconds."""
    seconds_or_ms = number(value, field_name)
    if seconds_or_ms < 0:
        raise PayloadError(field_name, f"{value!r} is before 1970")
    if seconds_or_ms < _SECONDS_LIMIT:
        return round(seconds_or_ms * 1000)
    return round(seconds_or_ms)


def iso_to_ms(value: Any, field_name: str, *, assume_utc: bool = False) -> int:
    """An ISO 8601 time as epoch milliseconds. Without an offset it is refused, unless the format says UTC."""
    if not isinstance(value, str):
        raise PayloadError(field_name, f"{value!r} is not an ISO 8601 time")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(field_name, f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        if not assume_utc:
            raise PayloadError(field_name, f"{value!r} has no UTC offset (add Z or +hh:mm)")
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def time_to_ms(value: Any, field_name: str) -> int:
    """Epoch seconds/milliseconds or an ISO 8601 time with offset."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return epoch_to_ms(value, field_name)
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return epoch_to_ms(value, field_name)
    return iso_to_ms(value, field_name)


def percent(value: Any, field_name: str, *, scale: float = 1.0) -> float:
    """A confidence as a percentage: `scale` is 100 for 0-1 scores. Kept in range, never invented."""
    result = number(value, field_name) * scale
    if not 0.0 <= result <= 100.0:
        raise PayloadError(field_name, f"{value!r} is outside the range of a confidence")
    return result


def decode_image(value: Any) -> tuple[bytes | None, str | None]:
    """Base64 image text to bytes, or (None, why not). A data: URL prefix is accepted."""
    if not isinstance(value, str) or not value.strip():
        return None, "is not base64 text"
    text = value.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        # pybase64 decodes with SIMD: 1.6 us for a 20 KB crop where binascii takes 54 us, all of it holding
        # the GIL. It refuses a little more than b64decode(validate=True) (superfluous "=" after whole groups):
        # what it refuses is tried again below, so the verdicts stay the standard library's.
        return pybase64.b64decode(text, validate=True), None
    except (binascii.Error, ValueError):
        pass
    try:
        # The rare rest: MIME-style base64 wraps lines, so whitespace goes first; strict_mode then refuses what
        # b64decode(validate=True) does.
        return binascii.a2b_base64("".join(text.split()).encode("ascii"), strict_mode=True), None
    except (binascii.Error, ValueError):
        return None, "is not valid base64"


def source_region(
    text: Any, country: str | None, default_country: str = "US", *, bare_is_country: bool = False
) -> tuple[str | None, str | None]:
    """A source's region string as ISO 3166-2, and the raw text when it could not be read (else None).

    Sources write bare codes in their own convention, and the adapter says which: older OpenALPR agents send
    bare state codes ("mo") of `country` (the payload's own, else the camera's jurisdiction); Plate
    Recognizer's bare codes are countries ("de": Germany, `bare_is_country`). Empty or unknown regions are
    None: the pipeline then assumes the camera's jurisdiction and marks the read so.
    """
    if text is None:
        return None, None
    if not isinstance(text, str):
        return None, repr(text)
    if "-" not in text and "_" not in text:
        # parse_region reads upper case as an ISO 3166-1 country and lower case as a short form.
        text = text.strip().upper() if bare_is_country else text.strip().lower()
    try:
        return parse_region(text, (country or default_country).upper()), None
    except RegionError:
        return None, text


def candidates(items: Any, field_name: str, *, plate_key: str = "plate", score_key: str, scale: float) -> tuple:
    """Alternative readings as Candidates; an item without a score gets confidence 0 (unknown)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise PayloadError(field_name, "is not a list")
    found: list[Candidate] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get(plate_key), str):
            raise PayloadError(f"{field_name}[{position}].{plate_key}", "is missing")
        score = item.get(score_key)
        confidence = 0.0 if score is None else percent(score, f"{field_name}[{position}].{score_key}", scale=scale)
        found.append(Candidate(item[plate_key], confidence))
    return tuple(found)


def plate_text(value: Any, field_name: str) -> str:
    """The OCR text of a plate exactly as sent; PayloadError when missing or not text."""
    if value is None or value == "":
        raise PayloadError(field_name, "is missing")
    if not isinstance(value, str):
        raise PayloadError(field_name, f"{value!r} is not text")
    return value


def make_source_id(prefix: str, *parts: object) -> str:
    """A deterministic source id from the source's own identifiers: `prefix:part:part...`, or, when that is
    longer than the store keeps (60 characters), `prefix:` and a SHA-256 of it cut to fit."""
    text = ":".join([prefix, *(str(part) for part in parts)])
    if len(text) <= MAX_SOURCE_ID_LENGTH:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{prefix}:{digest[: MAX_SOURCE_ID_LENGTH - len(prefix) - 1]}"

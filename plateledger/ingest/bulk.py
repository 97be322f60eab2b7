"""Bulk import of reads from CSV, JSON Lines and Parquet files, resumable without duplicates.

Each row gets a deterministic source id, `import:<first 24 hex of the file's SHA-256>:<row number>` (or the
file's own source-id column, when mapped), so the store answers a row imported twice as a duplicate. After
each committed batch the row offset is recorded (records.py, keyed by the file's SHA-256): a re-run starts
there. A crash between the commit and that record only replays one batch, which comes back as duplicates.
Rows that cannot be read or that the store refuses are recorded with field and reason, never dropped silently.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plateledger.ingest.model import CameraInfo, IngestContext, ParsedPayload, PayloadError
from plateledger.ingest.pipeline import ingest
from plateledger.ingest.records import IngestRecords
from plateledger.ingest.service import camera_info
from plateledger.ingest.values import iso_to_ms, make_source_id, number, optional_number, time_to_ms
from plateledger.reads import NewRead, Refusal
from plateledger.store.contract import NotFound, ReadStore

FIELDS = ("plate", "observed_at", "camera_id", "confidence", "region", "lat", "lon", "heading", "source_id")
REQUIRED = ("plate", "observed_at")
TIME_FORMATS = ("auto", "iso", "epoch_ms", "epoch_s")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(slots=True)
class ColumnMap:
    """Our field <- their column, and how to read times and confidences.

    `time_format` is auto (epoch seconds or milliseconds, or ISO 8601), iso, epoch_ms, epoch_s, or a strptime
    pattern such as "%m/%d/%Y %H:%M:%S". Times without an offset are read in `timezone` (an IANA name), and
    refused when none is given. `confidence_scale` is 100 when the file has 0-1 scores.
    """

    columns: dict[str, str] = field(default_factory=lambda: {name: name for name in FIELDS})
    time_format: str = "auto"
    timezone: str | None = None
    confidence_scale: float = 1.0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}: map one of {', '.join(FIELDS)}")
        for name in REQUIRED:
            if name not in self.columns:
                raise ValueError(f"the column map needs {name!r} (our field) = their column")
        if self.time_format not in TIME_FORMATS and "%" not in self.time_format:
            raise ValueError(f"time format {self.time_format!r}: one of {', '.join(TIME_FORMATS)} or a % pattern")
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @classmethod
    def parse(cls, specs: list[str], **options: Any) -> ColumnMap:
        """From `field=column` pairs and/or JSON files {"columns": {...}, "time_format", "timezone", ...}."""
        columns: dict[str, str] = {}
        settings: dict[str, Any] = {}
        for spec in specs:
            if "=" in spec and not Path(spec).exists():
                ours, theirs = spec.split("=", 1)
                columns[ours.strip()] = theirs.strip()
                continue
            data = json.loads(Path(spec).read_text())
            columns.update(data.get("columns", {}))
            settings.update({key: value for key, value in data.items() if key != "columns"})
        settings.update({key: value for key, value in options.items() if value is not None})
        base = {name: name for name in FIELDS} if not columns else {}
        return cls(columns={**base, **columns}, **settings)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_format(path: Path, given: str | None = None) -> str:
    if given:
        return given
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"{path}: cannot tell the format from {path.suffix!r}; give --format") from None


def count_rows(path: Path, kind: str) -> int:
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return max(lines - (1 if kind == "csv" else 0), 0)


def read_rows(path: Path, kind: str, start: int = 0) -> Iterator[tuple[int, dict[str, Any] | PayloadError]]:
    """(row number, row) from `start` on; an unreadable row comes as a PayloadError in place of the row."""
    if kind == "csv":
        with path.open(newline="", encoding="utf-8-sig") as stream:
            for number_, row in enumerate(csv.DictReader(stream)):
                if number_ >= start:
                    yield number_, row
    elif kind == "jsonl":
        with path.open(encoding="utf-8") as stream:
            for number_, line in enumerate(stream):
                if number_ < start or not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number_, PayloadError("row", f"is not valid JSON ({error.msg})")
                    continue
                yield number_, value if isinstance(value, dict) else PayloadError("row", "is not a JSON object")
    elif kind == "parquet":
        import pyarrow.parquet as pq

        number_ = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
            if number_ + batch.num_rows <= start:
                number_ += batch.num_rows
                continue
            for row in batch.to_pylist():
                if number_ >= start:
                    yield number_, row
                number_ += 1
    else:
        raise ValueError(f"unknown format {kind!r}")


class RowReader:
    """One row of their columns to one NewRead of ours."""

    def __init__(self, mapping: ColumnMap, default_camera: str | None, camera_map: Mapping[str, str]) -> None:
        self.mapping = mapping
        self.default_camera = default_camera
        self.camera_map = dict(camera_map)
        self.zone = ZoneInfo(mapping.timezone) if mapping.timezone else None

    def _value(self, row: Mapping[str, Any], name: str) -> Any:
        column = self.mapping.columns.get(name)
        value = None if column is None else row.get(column)
        return None if value == "" else value

    def _time(self, value: Any) -> int:
        if value is None:
            raise PayloadError("observed_at", "is missing")
        if isinstance(value, datetime):
            return self._aware(value)
        pattern = self.mapping.time_format
        if pattern == "epoch_ms":
            return round(number(value, "observed_at"))
        if pattern == "epoch_s":
            return round(number(value, "observed_at") * 1000)
        if pattern in ("auto", "iso"):
            try:
                return time_to_ms(value, "observed_at") if pattern == "auto" else iso_to_ms(value, "observed_at")
            except PayloadError:
                if self.zone is None or not isinstance(value, str):
                    raise
                return self._aware(datetime.fromisoformat(value.strip()))
        try:
            return self._aware(datetime.strptime(str(value).strip(), pattern))
        except ValueError:
            raise PayloadError("observed_at", f"{value!r} does not match {pattern!r}") from None

    def _aware(self, moment: datetime) -> int:
        if moment.tzinfo is None:
            if self.zone is None:
                raise PayloadError("observed_at", f"{moment.isoformat()} has no UTC offset: give --timezone")
            moment = moment.replace(tzinfo=self.zone)
        return round(moment.timestamp() * 1000)

    def read(self, row: Mapping[str, Any], row_number: int, file_key: str) -> NewRead:
        plate = self._value(row, "plate")
        if plate is None:
            raise PayloadError("plate", "is missing")
        camera = self._value(row, "camera_id")
        camera_id = self.camera_map.get(str(camera), str(camera)) if camera is not None else self.default_camera
        if camera_id is None:
            raise PayloadError("camera_id", "is missing, and no --camera was given")
        confidence = optional_number(self._value(row, "confidence"), "confidence")
        source_id = self._value(row, "source_id")
        return NewRead(
            plate_raw=str(plate),
            observed_ms=self._time(self._value(row, "observed_at")),
            camera_id=camera_id,
            confidence=100.0 if confidence is None else confidence * self.mapping.confidence_scale,
            region=_short_form(self._value(row, "region")),
            lat=optional_number(self._value(row, "lat"), "lat"),
            lon=optional_number(self._value(row, "lon"), "lon"),
            heading=optional_number(self._value(row, "heading"), "heading"),
            source_id=str(source_id) if source_id is not None else make_source_id("import", file_key, row_number),
        )


def _short_form(value: Any) -> str | None:
    """A region column as the store reads short forms: exports write a state bare ("CA": California)."""
    if value is None:
        return None
    text = str(value)
    return text if "-" in text else text.lower()


@dataclass(slots=True)
class ImportResult:
    path: str
    file_sha256: str
    rows_total: int
    started_at_row: int
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    already_done: bool = False
    retried: int = 0  # rows refused by an earlier run, tried again


Progress = Callable[[int], None]  # rows handled since the last call


class Importer:
    def __init__(
        self,
        store: ReadStore,
        records: IngestRecords,
        mapping: ColumnMap,
        *,
        default_camera: str | None = None,
        camera_map: Mapping[str, str] | None = None,
        batch_size: int = 5_000,
        pause_ms: int = 0,
    ) -> None:
        self.store = store
        self.records = records
        self.reader = RowReader(mapping, default_camera, camera_map or {})
        self.batch_size = batch_size
        self.pause_ms = pause_ms
        self._cameras: dict[str, CameraInfo] = {}

    def _context(self, camera_ids: set[str]) -> IngestContext:
        for camera_id in camera_ids - set(self._cameras):
            with contextlib.suppress(NotFound):  # an unknown camera: the store refuses its rows, naming it
                self._cameras[camera_id] = camera_info(self.store, camera_id)
        return IngestContext(sources=dict(self._cameras))

    def import_file(self, path: Path, kind: str | None = None, progress: Progress | None = None) -> ImportResult:
        kind = file_format(path, kind)
        digest = file_sha256(path)
        total = count_rows(path, kind)
        done = self.records.import_progress(digest)
        start = done.rows_done if done else 0
        result = ImportResult(str(path), digest, total, start)
        rows = read_rows(path, kind, start)
        if done and done.finished:
            # Imported before: only the rows it refused are tried again (a fixed column map may read them now).
            retry = {row for row, _, _ in self.records.rejects(digest)}
            if not retry:
                result.already_done = True
                return result
            result.started_at_row, result.retried = 0, len(retry)
            rows = (item for item in read_rows(path, kind) if item[0] in retry)
        elif progress and start:
            progress(start)
        batch: list[tuple[int, dict[str, Any] | PayloadError]] = []
        for item in rows:
            batch.append(item)
            if len(batch) >= self.batch_size:
                self._commit(batch, digest, path, total, result, progress)
                batch = []
        if batch:
            self._commit(batch, digest, path, total, result, progress)
        self.records.record_import_progress(digest, str(path), max(total, start), total, finished=True)
        return result

    def _commit(
        self,
        batch: list[tuple[int, dict[str, Any] | PayloadError]],
        digest: str,
        path: Path,
        total: int,
        result: ImportResult,
        progress: Progress | None,
    ) -> None:
        parsed_reads: list[tuple[int, NewRead]] = []
        refused: list[Refusal] = []
        for row_number, row in batch:
            try:
                if isinstance(row, PayloadError):
                    raise row
                parsed_reads.append((row_number, self.reader.read(row, row_number, digest[:24])))
            except PayloadError as error:
                refused.append(Refusal(row_number, error.field, error.reason))
        parsed = ParsedPayload(adapter="import", context=self._context({read.camera_id for _, read in parsed_reads}))
        parsed.refused = refused
        for row_number, read in parsed_reads:
            parsed.add(read, row_number)
        outcome = ingest(parsed, self.store)  # durable when it returns
        rejects = [
            (item["index"], item["field"], item["reason"]) for item in outcome.items if item["status"] == "refused"
        ]
        self.records.replace_rejects(digest, [row for row, _ in batch], rejects)
        result.stored += outcome.stored
        result.duplicates += outcome.duplicates
        result.refused += outcome.refused
        self.records.record_import_progress(digest, str(path), batch[-1][0] + 1, total)
        if progress:
            progress(len(batch))
        if self.pause_ms:
            time.sleep(self.pause_ms / 1000)

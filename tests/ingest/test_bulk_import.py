"""Bulk import from CSV, JSON Lines and Parquet: column maps, time formats, rejects, and resuming without
duplicates after the importer is killed."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from plateledger.cli import app
from plateledger.ingest.bulk import ColumnMap, Importer, file_sha256
from plateledger.ingest.records import IngestRecords
from plateledger.store.contract import Agency, Camera, TimeWindow
from plateledger.store.sqlite import SqliteReadStore

REPO = Path(__file__).resolve().parents[2]
T0 = 1_717_200_000_000
ALL_TIME = TimeWindow(0, 4_000_000_000_000)


def make_store(path: Path) -> None:
    store = SqliteReadStore(path)
    store.add_agency(Agency("metro-pd", "Metro Police Department", "local", "US-CA"))
    store.add_camera(Camera("gate-1", "metro-pd", "fixed", lat=38.627, lon=-90.199))
    store.add_camera(Camera("patrol-7", "metro-pd", "mobile"))
    store.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_with_a_column_map_time_pattern_and_camera_map(tmp_path: Path) -> None:
    db = tmp_path / "reads.db"
    make_store(db)
    source = write_csv(
        tmp_path / "export.csv",
        ["Plate Number", "Read Time", "Unit", "Conf", "State", "Lat", "Long"],
        [
            ["7abc123", "06/01/2024 08:15:00", "UNIT-7", "0.875", "CA", "36.1699", "-115.1398"],
            ["8XYZ999", "06/01/2024 08:16:30", "GATE", "0.9", "", "", ""],
            ["", "06/01/2024 08:17:00", "GATE", "0.9", "", "", ""],  # no plate
            ["9DEF456", "2024-06-01 08:18", "GATE", "0.9", "", "", ""],  # does not match the pattern
            ["1GHI789", "06/01/2024 08:19:00", "TRUCK-9", "0.9", "", "", ""],  # camera nobody mapped
        ],
    )
    mapping = tmp_path / "columns.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "plate": "Plate Number",
                    "observed_at": "Read Time",
                    "camera_id": "Unit",
                    "confidence": "Conf",
                    "region": "State",
                    "lat": "Lat",
                    "lon": "Long",
                },
                "time_format": "%m/%d/%Y %H:%M:%S",
                "timezone": "America/Los_Angeles",
                "confidence_scale": 100,
            }
        )
    )
    result = CliRunner().invoke(
        app,
        ["import", str(source), "--data", str(tmp_path), "--column-map", str(mapping),
         "--camera-map", "UNIT-7=patrol-7", "--camera-map", "GATE=gate-1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 stored, 0 duplicates, 3 refused" in result.output
    store = SqliteReadStore(db)
    (first,) = store.search_exact("7ABC123", ALL_TIME).hits
    read = first.read
    assert (read.plate_raw, read.camera_id, read.confidence) == ("7abc123", "patrol-7", 87.5)
    assert read.observed_ms == int(datetime(2024, 6, 1, 15, 15, tzinfo=UTC).timestamp() * 1000)  # PDT is UTC-7
    assert (read.region, read.lat, read.lon) == ("US-CA", 36.1699, -115.1398)
    (second,) = store.search_exact("8XYZ999", ALL_TIME).hits
    assert (second.read.region, second.read.region_assumed, second.read.camera_id) == ("US-CA", True, "gate-1")
    assert second.read.source_id == f"import:{file_sha256(source)[:24]}:1"
    store.close()
    records = IngestRecords(tmp_path / "ingest.db")
    assert records.rejects(file_sha256(source)) == [
        (2, "plate", "is missing"),
        (3, "observed_at", "'2024-06-01 08:18' does not match '%m/%d/%Y %H:%M:%S'"),
        (4, "camera_id", "unknown camera 'TRUCK-9'"),
    ]
    records.close()


def test_jsonl_with_our_own_field_names(tmp_path: Path) -> None:
    db = tmp_path / "reads.db"
    make_store(db)
    source = tmp_path / "reads.jsonl"
    lines = [
        json.dumps({"plate": "AAA111", "observed_at": "2024-06-01T08:00:00Z", "camera_id": "gate-1"}),
        "",
        "{broken",
        json.dumps({"plate": "BBB222", "observed_at": T0, "camera_id": "patrol-7", "lat": 38.5, "lon": -90.5}),
        json.dumps(["not", "an", "object"]),
    ]
    source.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["import", str(source), "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 stored, 0 duplicates, 2 refused" in result.output
    records = IngestRecords(tmp_path / "ingest.db")
    rejects = records.rejects(file_sha256(source))
    assert [(row, field) for row, field, _ in rejects] == [(2, "row"), (4, "row")]
    records.close()
    again = CliRunner().invoke(app, ["import", str(source), "--data", str(tmp_path)])
    assert "0 stored, 0 duplicates, 2 refused (retried 2 rows refused before)" in again.output  # still unreadable


def test_parquet_with_timestamp_columns(tmp_path: Path) -> None:
    db = tmp_path / "reads.db"
    make_store(db)
    seen = [datetime(2024, 6, 1, 8, tzinfo=UTC), datetime(2024, 6, 1, 9, tzinfo=UTC)]
    table = pa.table(
        {"plate": ["CCC333", "DDD444"], "seen": pa.array(seen, pa.timestamp("ms", "UTC")), "score": [0.5, 0.75]}
    )
    source = tmp_path / "reads.parquet"
    pq.write_table(table, source)
    store = SqliteReadStore(db)
    records = IngestRecords(tmp_path / "records.sqlite")
    mapping = ColumnMap.parse(["plate=plate", "observed_at=seen", "confidence=score"], confidence_scale=100)
    result = Importer(store, records, mapping, default_camera="gate-1").import_file(source)
    assert (result.stored, result.refused, result.rows_total) == (2, 0, 2)
    (hit,) = store.search_exact("DDD444", ALL_TIME).hits
    assert (hit.read.observed_ms, hit.read.confidence) == (1717232400000, 75.0)
    store.close()
    records.close()


def test_a_crash_between_commit_and_progress_only_replays_as_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "reads.db"
    make_store(db)
    source = write_csv(tmp_path / "r.csv", ["plate", "observed_at"], [[f"P{i:05d}", T0 + i] for i in range(250)])
    store = SqliteReadStore(db)
    records = IngestRecords(tmp_path / "records.sqlite")
    mapping = ColumnMap.parse([])
    crashing = Importer(store, records, mapping, default_camera="gate-1", batch_size=100)
    original = records.record_import_progress
    calls = {"n": 0}

    def crash_on_second_batch(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed after the second batch committed")
        original(*args, **kwargs)  # type: ignore[arg-type]

    records.record_import_progress = crash_on_second_batch  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        crashing.import_file(source)
    records.record_import_progress = original  # type: ignore[method-assign]
    assert store.count_reads() == 200 and records.import_progress(file_sha256(source)).rows_done == 100  # type: ignore[union-attr]
    result = Importer(store, records, mapping, default_camera="gate-1", batch_size=100).import_file(source)
    assert (result.started_at_row, result.stored, result.duplicates) == (100, 50, 100)
    assert store.count_reads() == 250
    store.close()
    records.close()


def test_killed_midway_the_import_resumes_without_duplicates(tmp_path: Path) -> None:
    rows = 50_000
    db = tmp_path / "reads.db"
    make_store(db)
    source = write_csv(
        tmp_path / "big.csv",
        ["plate", "observed_at", "confidence"],
        [[f"K{i:06d}", T0 + i * 10, 90] for i in range(rows)],
    )
    command = [sys.executable, "-m", "plateledger.cli", "import", str(source), "--data", str(tmp_path),
               "--camera", "gate-1", "--batch-size", "1000", "--pause-ms", "25"]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    records_path = tmp_path / "ingest.db"
    digest = file_sha256(source)
    done = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if records_path.exists():
            records = IngestRecords(records_path)
            progress = records.import_progress(digest)
            records.close()
            done = progress.rows_done if progress else 0
            if done >= 10_000:
                break
        time.sleep(0.01)
    assert process.poll() is None, f"the import ended before it could be killed: {process.stderr.read()!r}"  # type: ignore[union-attr]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    store = SqliteReadStore(db)
    committed = store.count_reads()
    store.close()
    assert 10_000 <= committed < rows  # killed midway, after some batches committed

    finish = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr
    assert "resumed at row" in finish.stdout
    store = SqliteReadStore(db)
    assert store.count_reads() == rows
    for i in (0, 9_999, 10_000, committed - 1, committed, rows - 1):
        hits = store.search_exact(f"K{i:06d}", ALL_TIME).hits
        assert [hit.read.observed_ms for hit in hits] == [T0 + i * 10], f"row {i}"
    store.close()
    records = IngestRecords(records_path)
    progress = records.import_progress(digest)
    assert progress is not None and progress.finished and progress.rows_done == rows
    records.close()


def test_naive_timestamps_need_a_time_zone(tmp_path: Path) -> None:
    db = tmp_path / "reads.db"
    make_store(db)
    source = tmp_path / "naive.parquet"
    pq.write_table(
        pa.table({"plate": ["EEE555"], "observed_at": pa.array([datetime(2024, 6, 1, 8)], pa.timestamp("ms"))}), source
    )
    store = SqliteReadStore(db)
    records = IngestRecords(tmp_path / "records.sqlite")
    refused = Importer(store, records, ColumnMap.parse([]), default_camera="gate-1").import_file(source)
    assert refused.refused == 1
    assert records.rejects(file_sha256(source)) == [
        (0, "observed_at", "2024-06-01T08:00:00 has no UTC offset: give --timezone")
    ]
    mapping = ColumnMap.parse([], timezone="Europe/Berlin")  # the operator fixes the mapping and runs again
    again = Importer(store, records, mapping, default_camera="gate-1").import_file(source)
    assert (again.retried, again.stored, again.refused) == (1, 1, 0)
    assert records.rejects(file_sha256(source)) == []
    assert Importer(store, records, mapping, default_camera="gate-1").import_file(source).already_done
    (hit,) = store.search_exact("EEE555", ALL_TIME).hits
    assert hit.read.observed_ms == int(datetime(2024, 6, 1, 6, tzinfo=UTC).timestamp() * 1000)
    store.close()
    records.close()

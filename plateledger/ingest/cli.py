"""Ingest commands: `plateledger import`, `plateledger deadletters ...`, `plateledger frigate`.

Each works on a store file (`--db`). Ingest's own files sit beside it unless given: `<db>.ingest.sqlite`
(extras, liveness, import progress), `<db>.deadletters.sqlite` and `<db>.images/`.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

DbOption = Annotated[Path, typer.Option("--db", help="The SQLite read store file.")]


def _pairs(specs: list[str], what: str) -> dict[str, str]:
    """`name=value` pairs and/or JSON files of {name: value}."""
    found: dict[str, str] = {}
    for spec in specs:
        if "=" in spec and not Path(spec).exists():
            name, value = spec.split("=", 1)
            found[name.strip()] = value.strip()
        elif Path(spec).exists():
            found.update({str(k): str(v) for k, v in json.loads(Path(spec).read_text()).items()})
        else:
            raise typer.BadParameter(f"{spec!r}: give {what} as name=value or a JSON file")
    return found


def _when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "-"
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


# -- plateledger import -------------------------------------------------------------------------------------------
def import_command(
    files: Annotated[list[Path], typer.Argument(help="CSV, JSON Lines (.jsonl) or Parquet files.", exists=True)],
    db: DbOption,
    column_map: Annotated[
        list[str] | None,
        typer.Option(help="our_field=their_column (repeat), or a JSON file {columns: {...}, time_format, ...}."),
    ] = None,
    camera_map: Annotated[
        list[str] | None, typer.Option(help="their_camera=our_camera_id (repeat), or a JSON file of them.")
    ] = None,
    camera: Annotated[str | None, typer.Option(help="Our camera id for rows without a camera column.")] = None,
    time_format: Annotated[
        str | None, typer.Option(help="auto, iso, epoch_ms, epoch_s, or a strptime pattern ('%m/%d/%Y %H:%M').")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone for times without an offset.")] = None,
    confidence_scale: Annotated[float | None, typer.Option(help="100 when the file has 0-1 scores.")] = None,
    file_format: Annotated[str | None, typer.Option("--format", help="csv, jsonl or parquet (else by suffix).")] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per committed batch.", min=1)] = 5_000,
    pause_ms: Annotated[int, typer.Option(help="Pause after each batch, leaving the store to live ingest.")] = 0,
    records_path: Annotated[Path | None, typer.Option("--records", help="Ingest records file.")] = None,
) -> None:
    """Import reads from files; re-running resumes where a run stopped, without duplicates."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plateledger.ingest.bulk import ColumnMap, Importer, count_rows
    from plateledger.ingest.bulk import file_format as format_of
    from plateledger.ingest.records import IngestRecords, default_records_path
    from plateledger.store.sqlite import SqliteReadStore

    try:
        mapping = ColumnMap.parse(
            column_map or [], time_format=time_format, timezone=timezone, confidence_scale=confidence_scale
        )
        kinds = [format_of(path, file_format) for path in files]
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    store = SqliteReadStore(db)
    records = IngestRecords(records_path or default_records_path(db))
    importer = Importer(
        store,
        records,
        mapping,
        default_camera=camera,
        camera_map=_pairs(camera_map or [], "camera mappings"),
        batch_size=batch_size,
        pause_ms=pause_ms,
    )
    failed = False
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns) as progress:
        for path, kind in zip(files, kinds, strict=True):
            task = progress.add_task(path.name, total=count_rows(path, kind))
            result = importer.import_file(path, kind, lambda rows, task=task: progress.advance(task, rows))
            label = f"{path.name} (imported before)" if result.already_done else path.name
            progress.update(task, completed=result.rows_total, description=label)
            progress.console.print(
                f"{path}: {result.stored} stored, {result.duplicates} duplicates, {result.refused} refused"
                + (f" (resumed at row {result.started_at_row})" if result.started_at_row else "")
                + (f" (retried {result.retried} rows refused before)" if result.retried else ""),
                soft_wrap=True,
                highlight=False,
            )
            if result.refused:
                failed = True
                for row, field_name, reason in records.rejects(result.file_sha256)[:10]:
                    progress.console.print(f"  row {row}: {field_name} {reason}", soft_wrap=True, highlight=False)
    store.close()
    records.close()
    if failed:
        typer.echo("some rows were refused: they are listed in the ingest records (import_rejects)", err=True)


# -- plateledger deadletters --------------------------------------------------------------------------------------
deadletters_app = typer.Typer(help="Payloads that could not be parsed: list, show, reprocess, discard.")
LettersOption = Annotated[
    Path | None, typer.Option("--deadletters", help="Dead-letter file (default <db>.deadletters.sqlite).")
]


def _letters(db: Path, path: Path | None) -> Any:
    from plateledger.ingest.deadletters import DeadLetterStore, default_deadletters_path

    return DeadLetterStore(path or default_deadletters_path(db))


@deadletters_app.command("list")
def list_letters(
    db: DbOption,
    deadletters: LettersOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also reprocessed and discarded letters.")] = False,
) -> None:
    """List dead letters (pending ones unless --all)."""
    letters = _letters(db, deadletters)
    for letter in letters.list(None if show_all else "pending"):
        typer.echo(
            f"{letter.id}\t{_when(letter.received_ms)}\t{letter.status}\t{letter.adapter}\t{letter.source}\t"
            f"camera={letter.camera_id or '-'}\t{letter.size} bytes\t{letter.field}: {letter.reason}"
        )
    typer.echo(f"counts: {json.dumps(letters.counts(), sort_keys=True)}")


@deadletters_app.command("show")
def show_letter(letter_id: int, db: DbOption, deadletters: LettersOption = None) -> None:
    """Show one dead letter: where it came from, why it failed, and its body."""
    from plateledger.ingest.deadletters import DeadLetterNotFound

    try:
        letter = _letters(db, deadletters).get(letter_id)
    except DeadLetterNotFound as error:
        typer.echo(f"error: {error.args[0]}", err=True)
        raise typer.Exit(1) from None
    fields = {
        "id": letter.id,
        "received": _when(letter.received_ms),
        "status": letter.status,
        "adapter": letter.adapter,
        "source": letter.source,
        "content_type": letter.content_type,
        "camera_id": letter.camera_id,
        "credential_id": letter.credential_id,
        "field": letter.field,
        "reason": letter.reason,
        "attempts": letter.attempts,
        "resolution": letter.resolution,
        "form": letter.form,
        "files": {name: f"{len(data)} bytes" for name, data in letter.files.items()},
    }
    typer.echo(json.dumps(fields, indent=2))
    typer.echo("--- body ---")
    typer.echo(letter.body.decode("utf-8", errors="replace"))


@deadletters_app.command("reprocess")
def reprocess_letters(
    db: DbOption,
    letter_ids: Annotated[list[int] | None, typer.Argument(help="Dead letter ids.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every pending letter.")] = False,
    source_camera: Annotated[
        list[str] | None, typer.Option(help="Map a sender's camera to ours for this run: their_name=our_id.")
    ] = None,
    deadletters: LettersOption = None,
    images_root: Annotated[Path | None, typer.Option("--images", help="Image folder (default <db>.images).")] = None,
) -> None:
    """Run dead letters through their (fixed) adapter and the pipeline again; successes are marked."""
    from plateledger.images import ImageStore
    from plateledger.ingest.records import IngestRecords, default_records_path
    from plateledger.ingest.service import Ingestor, Rejected
    from plateledger.store.sqlite import SqliteReadStore

    letters = _letters(db, deadletters)
    ids = [letter.id for letter in letters.list("pending")] if every else list(letter_ids or [])
    if not ids:
        typer.echo("nothing to reprocess: give ids or --all", err=True)
        raise typer.Exit(2)
    store = SqliteReadStore(db)
    ingestor = Ingestor(
        store,
        images=ImageStore(images_root or Path(f"{db}.images")),
        records=IngestRecords(default_records_path(db)),
        deadletters=letters,
    )
    mapping = _pairs(source_camera or [], "camera mappings")
    failures = 0
    for letter_id in ids:
        try:
            outcome = ingestor.reprocess(letter_id, mapping)
        except (Rejected, ValueError, KeyError) as error:
            failures += 1
            typer.echo(f"{letter_id}: still failing: {error}")
            continue
        typer.echo(
            f"{letter_id}: reprocessed ({outcome.kind}): {outcome.stored} stored, "
            f"{outcome.duplicates} duplicates, {outcome.refused} refused"
        )
    store.close()
    if failures:
        raise typer.Exit(1)


@deadletters_app.command("discard")
def discard_letter(
    letter_id: int,
    db: DbOption,
    reason: Annotated[str, typer.Option(help="Why it is not to be reprocessed (kept with the letter).")],
    by: Annotated[str | None, typer.Option(help="Who discards it.")] = None,
    deadletters: LettersOption = None,
) -> None:
    """Mark a dead letter as not to be reprocessed. It is kept, never deleted."""
    from plateledger.ingest.deadletters import DeadLetterNotFound

    try:
        _letters(db, deadletters).discard(letter_id, reason, by)
    except (DeadLetterNotFound, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{letter_id}: discarded")


# -- plateledger frigate --------------------------------------------------------------------------------------------
def frigate_command(
    db: DbOption,
    camera_map: Annotated[list[str], typer.Option(help="frigate_camera=our_camera_id (repeat), or a JSON file.")],
    broker: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    topic_prefix: Annotated[str, typer.Option(help="Frigate's MQTT topic prefix.")] = "frigate",
    username: Annotated[str | None, typer.Option(help="MQTT user name.")] = None,
    password: Annotated[str | None, typer.Option(envvar="PLATELEDGER_MQTT_PASSWORD", help="MQTT password.")] = None,
) -> None:
    """Subscribe to Frigate NVR's plate events over MQTT and store the reads (until interrupted). The reads are
    not checked against the hot lists: for alerts, let `plateledger serve` subscribe instead."""
    from plateledger.ingest.deadletters import DeadLetterStore, default_deadletters_path
    from plateledger.ingest.frigate_mqtt import FrigateSubscriber
    from plateledger.ingest.service import camera_info
    from plateledger.store.sqlite import SqliteReadStore

    store = SqliteReadStore(db)
    cameras = {name: camera_info(store, ours) for name, ours in _pairs(camera_map, "camera mappings").items()}
    subscriber = FrigateSubscriber(
        broker,
        port,
        topic_prefix,
        cameras,
        store.append,
        deadletters=DeadLetterStore(default_deadletters_path(db)),
        username=username,
        password=password,
    )
    subscriber.start()
    typer.echo(f"listening on {broker}:{port} {', '.join(subscriber.topics)}")
    try:
        while True:
            time.sleep(60)
            typer.echo(json.dumps(asdict(subscriber.stats)))
    except KeyboardInterrupt:
        pass
    finally:
        subscriber.stop()
        store.close()

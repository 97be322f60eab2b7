"""Ingest commands: `plateledger import`, `plateledger deadletters ...`, `plateledger frigate`.

Each works on a data directory (`--data`), the files a running `plateledger serve` on it uses: the read store
(DIR/reads.db, or PostgreSQL when PLATELEDGER_READS_DSN is set), DIR/ingest.db (extras, liveness, import
progress), DIR/deadletters.db and DIR/images/. So a letter the server dead-lettered is listed here, and what
a command stores is what the server shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from plateledger.api.admin import DataOption, services_at, settings_at


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
    data: DataOption = None,
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
) -> None:
    """Import reads from files; re-running resumes where a run stopped, without duplicates."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plateledger.api.services import open_read_store
    from plateledger.ingest.bulk import ColumnMap, Importer, count_rows
    from plateledger.ingest.bulk import file_format as format_of
    from plateledger.ingest.records import IngestRecords

    settings = settings_at(data)
    try:
        mapping = ColumnMap.parse(
            column_map or [], time_format=time_format, timezone=timezone, confidence_scale=confidence_scale
        )
        kinds = [format_of(path, file_format) for path in files]
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_read_store(settings)
    records = IngestRecords(settings.ingest_path)
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


@contextmanager
def _letters(data: Path | None) -> Iterator[Any]:
    """The data directory's dead letters, closed after the command."""
    from plateledger.ingest.deadletters import DeadLetterStore

    letters = DeadLetterStore(settings_at(data).deadletters_path)
    try:
        yield letters
    finally:
        letters.close()


@deadletters_app.command("list")
def list_letters(
    data: DataOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also reprocessed and discarded letters.")] = False,
) -> None:
    """List dead letters (pending ones unless --all)."""
    with _letters(data) as letters:
        for letter in letters.list(None if show_all else "pending"):
            typer.echo(
                f"{letter.id}\t{_when(letter.received_ms)}\t{letter.status}\t{letter.adapter}\t{letter.source}\t"
                f"camera={letter.camera_id or '-'}\t{letter.size} bytes\t{letter.field}: {letter.reason}"
            )
        typer.echo(f"counts: {json.dumps(letters.counts(), sort_keys=True)}")


@deadletters_app.command("show")
def show_letter(letter_id: int, data: DataOption = None) -> None:
    """Show one dead letter: where it came from, why it failed, and its body."""
    from plateledger.ingest.deadletters import DeadLetterNotFound

    try:
        with _letters(data) as letters:
            letter = letters.get(letter_id)
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
    letter_ids: Annotated[list[int] | None, typer.Argument(help="Dead letter ids.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every pending letter.")] = False,
    source_camera: Annotated[
        list[str] | None, typer.Option(help="Map a sender's camera to ours for this run: their_name=our_id.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Run dead letters through their (fixed) adapter and the pipeline again, as the server would (images,
    extras, hot lists); successes are marked."""
    from plateledger.ingest.service import Rejected

    mapping = _pairs(source_camera or [], "camera mappings")
    failures = 0
    with services_at(data) as services:
        ingestor = services.ingestor
        assert ingestor.deadletters is not None  # the services always keep them
        ids = [letter.id for letter in ingestor.deadletters.list("pending")] if every else list(letter_ids or [])
        if not ids:
            typer.echo("nothing to reprocess: give ids or --all", err=True)
            raise typer.Exit(2)
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
    if failures:
        raise typer.Exit(1)


@deadletters_app.command("discard")
def discard_letter(
    letter_id: int,
    reason: Annotated[str, typer.Option(help="Why it is not to be reprocessed (kept with the letter).")],
    by: Annotated[str | None, typer.Option(help="Who discards it.")] = None,
    data: DataOption = None,
) -> None:
    """Mark a dead letter as not to be reprocessed. It is kept, never deleted."""
    from plateledger.ingest.deadletters import DeadLetterNotFound

    try:
        with _letters(data) as letters:
            letters.discard(letter_id, reason, by)
    except (DeadLetterNotFound, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{letter_id}: discarded")


# -- plateledger frigate --------------------------------------------------------------------------------------------
def frigate_command(
    camera_map: Annotated[list[str], typer.Option(help="frigate_camera=our_camera_id (repeat), or a JSON file.")],
    broker: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    topic_prefix: Annotated[str, typer.Option(help="Frigate's MQTT topic prefix.")] = "frigate",
    username: Annotated[str | None, typer.Option(help="MQTT user name.")] = None,
    password: Annotated[str | None, typer.Option(envvar="PLATELEDGER_MQTT_PASSWORD", help="MQTT password.")] = None,
    data: DataOption = None,
) -> None:
    """Subscribe to Frigate NVR's plate events over MQTT and ingest the reads as the server would (until
    interrupted). Alerts it raises are delivered from this process; see docs/ingest.md."""
    from plateledger.api.frigate import subscriber_for

    with services_at(data) as services:
        mapping = _pairs(camera_map, "camera mappings")
        try:
            subscriber = subscriber_for(
                services, broker, port, topic_prefix, mapping, username=username, password=password
            )
        except ValueError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
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

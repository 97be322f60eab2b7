"""The `plateledger` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from plateledger.api.admin import admin_app, settings_at
from plateledger.audit.cli import audit_app
from plateledger.hotlists.cli import hotlists_app
from plateledger.ingest.cli import deadletters_app, frigate_command, import_command

app = typer.Typer(help="plateledger: an accountable records platform for licence plate readers.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(admin_app, name="admin")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(hotlists_app, name="hotlists")
app.command("import")(import_command)
app.command("frigate")(frigate_command)


@app.command()
def serve(
    data: Annotated[Path | None, typer.Option(help="Data directory: reads.db, access.db, audit.db.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    banner: Annotated[str | None, typer.Option(help="The use banner users acknowledge at login.")] = None,
    session_idle_seconds: Annotated[int | None, typer.Option(help="Idle session limit (s).")] = None,
    session_absolute_seconds: Annotated[int | None, typer.Option(help="Absolute session limit (s).")] = None,
    max_body_bytes: Annotated[int | None, typer.Option(help="Largest request body accepted.")] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request (ingest keys in URLs are masked).")] = True,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes on the data directory (one per core: docs/architecture.md).")
    ] = 1,
) -> None:
    """Run the HTTP API (/api/v1, docs at /docs) on the embedded SQLite store in the data directory.

    With PLATELEDGER_FRIGATE_MQTT_HOST set it also subscribes to a Frigate NVR's plate events (docs/ingest.md).
    """
    import uvicorn

    from plateledger.api import app_for, open_services
    from plateledger.api.frigate import frigate_subscriber
    from plateledger.api.heap import freeze_startup_heap
    from plateledger.api.logs import redact_access_log

    flags = {
        "banner": banner,
        "session_idle_seconds": session_idle_seconds,
        "session_absolute_seconds": session_absolute_seconds,
        "max_body_bytes": max_body_bytes,
    }
    settings = settings_at(data, **flags)
    if workers > 1:
        from plateledger.api.workers import serve_workers

        try:
            serve_workers(
                settings, {"data_dir": data, **flags}, host=host, port=port, workers=workers, access_log=access_log
            )
        except ValueError as error:
            typer.echo(f"error: Frigate MQTT: {error}", err=True)
            raise typer.Exit(1) from None
        return
    services = open_services(settings)
    typer.echo(f"data in {settings.data_dir}: {services.store.count_reads()} reads")
    app_ = app_for(services)
    try:
        subscriber = frigate_subscriber(services)
        if subscriber is not None:
            subscriber.start()
            typer.echo(f"Frigate: subscribed to {', '.join(subscriber.topics)} at {settings.frigate_mqtt_host}")
    except (ValueError, OSError, TimeoutError) as error:
        typer.echo(f"error: Frigate MQTT: {error}", err=True)
        services.close()
        raise typer.Exit(1) from None
    redact_access_log()
    freeze_startup_heap()
    try:
        uvicorn.run(app_, host=host, port=port, access_log=access_log)
    finally:
        if subscriber is not None:
            subscriber.stop()
        services.close()  # the ingestor's queued commits first


@app.command()
def demo(
    data: Annotated[Path, typer.Option(help="Where the demo data lives.")] = Path("demo-data"),
    reads: Annotated[int, typer.Option(help="Synthetic reads to load on first start.")] = 200_000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data, then exit.")] = False,
) -> None:
    """Load a synthetic demo network (agencies, cameras, a month of reads), create demo users, and serve it."""
    from plateledger.api import app_for, open_services
    from plateledger.demo import load_demo, prepare_access, print_credentials, sample_plate

    settings = settings_at(data)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = load_demo(settings.reads_path, reads)
    typer.echo(f"demo store {settings.reads_path}: {store.count_reads()} reads, {len(store.list_cameras())} cameras")
    services = open_services(settings, store=store)
    try:
        credentials = prepare_access(services)
        plate = sample_plate(services.store, credentials[0]["agency"]) if credentials else None
        print_credentials(credentials, f"http://{host}:{port}", plate)
        if no_serve:
            return
        import uvicorn

        from plateledger.api.heap import freeze_startup_heap

        app_ = app_for(services)
        freeze_startup_heap()
        uvicorn.run(app_, host=host, port=port)
    finally:
        services.close()


@app.command()
def bench(
    reads: Annotated[int, typer.Option(help="How many synthetic reads to ingest.")] = 1_000_000,
    out: Annotated[Path | None, typer.Option(help="Write the figures to this JSON file.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic network.")] = 7,
    queries: Annotated[int, typer.Option(help="Queries timed per search kind.")] = 1000,
    baseline: Annotated[bool, typer.Option(help="Also measure the single-table baseline.")] = True,
    workdir: Annotated[Path | None, typer.Option(help="Where the temporary databases go.")] = None,
    cache_mib: Annotated[int, typer.Option(help="SQLite page cache per connection, MiB.")] = 1024,
    wildcard_plates: Annotated[
        int, typer.Option(help="Also time wildcard search over this many distinct plates (0: skip).")
    ] = 0,
) -> None:
    """Measure ingest, lookups and storage of the store against the baseline; print JSON."""
    from plateledger.bench.runner import run

    figures = run(reads, seed=seed, queries=queries, with_baseline=baseline, directory=workdir, cache_mib=cache_mib)
    if wildcard_plates:
        from plateledger.bench.wildcard_scale import run_wildcard_scale

        figures["wildcard_scale"] = run_wildcard_scale(wildcard_plates, directory=workdir)
    text = json.dumps(figures, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


@app.command("bench-ingest")
def bench_ingest(
    out: Annotated[Path | None, typer.Option(help="Write the figures to this JSON file.")] = None,
    duration: Annotated[float, typer.Option(help="Seconds of load per scenario.")] = 10.0,
    rate: Annotated[float, typer.Option(help="Posts a second of the latency scenario.")] = 500.0,
    batch: Annotated[int, typer.Option(help="Reads per native batch.")] = 5000,
    group_commit: Annotated[str, typer.Option(help="Measure with group commit on, off, or both.")] = "both",
    workers: Annotated[int, typer.Option(min=1, help="Also measure `serve --workers N` (N > 1).")] = 1,
    workdir: Annotated[Path | None, typer.Option(help="Where the temporary data directory goes.")] = None,
) -> None:
    """Measure ingest over HTTP: `plateledger serve` and a parse-only FastAPI endpoint, each in its own
    process on loopback, loaded by a generator in a third process; print JSON."""
    from plateledger.bench.ingest_http import run_ingest_bench

    if group_commit not in ("on", "off", "both"):
        typer.echo("error: --group-commit is on, off or both", err=True)
        raise typer.Exit(2)
    modes = {"on": [True], "off": [False], "both": [True, False]}[group_commit]
    figures = run_ingest_bench(
        duration=duration, rate=rate, batch=batch, group_commit=modes, workers=workers, directory=workdir
    )
    text = json.dumps(figures, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


@app.command("bench-alerts")
def bench_alerts(
    out: Annotated[Path | None, typer.Option(help="Write the figures to this JSON file.")] = None,
    entries: Annotated[int, typer.Option(help="Hot-list entries matched against.")] = 1_000_000,
    reads: Annotated[int, typer.Option(help="Reads matched in process.")] = 2_000_000,
    batch: Annotated[int, typer.Option(help="Reads per ingest batch handed to the hook.")] = 500,
    probes: Annotated[int, typer.Option(help="Listed reads posted to time alerts under load.")] = 300,
    rate: Annotated[float, typer.Option(help="Background ingest load, reads a second.")] = 1000.0,
    latency: Annotated[bool, typer.Option(help="Also time alerts end to end over HTTP, SSE and SMTP.")] = True,
    workdir: Annotated[Path | None, typer.Option(help="Where the temporary data directories go.")] = None,
) -> None:
    """Measure hot-list matching in process (against a naive scan and an SQLite lookup per read), and the time
    from a posted read to its alert on a live stream and in an SMTP inbox under background load; print JSON."""
    from plateledger.bench.alerts import run_alerts_bench

    figures = run_alerts_bench(
        entries=entries, reads=reads, batch=batch, probes=probes, rate=rate, latency=latency, directory=workdir
    )
    text = json.dumps(figures, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


if __name__ == "__main__":
    app()

"""The `plateledger` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from plateledger.audit.cli import audit_app

app = typer.Typer(help="plateledger: an accountable records platform for licence plate readers.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    db: Annotated[Path, typer.Option(help="The SQLite store file.")] = Path("plateledger.db"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Run the HTTP API on an embedded SQLite store."""
    import uvicorn

    from plateledger.api import create_app
    from plateledger.store.sqlite import SqliteReadStore

    uvicorn.run(create_app(SqliteReadStore(db)), host=host, port=port)


@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="Where the demo store lives.")] = Path("demo.db"),
    reads: Annotated[int, typer.Option(help="Synthetic reads to load on first start.")] = 200_000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data, then exit.")] = False,
) -> None:
    """Load a synthetic demo network (agencies, cameras, a month of reads) and serve it."""
    from plateledger.demo import load_demo

    store = load_demo(db, reads)
    typer.echo(f"demo store {db}: {store.count_reads()} reads, {len(store.list_cameras())} cameras")
    if no_serve:
        store.close()
        return
    import uvicorn

    from plateledger.api import create_app

    uvicorn.run(create_app(store), host=host, port=port)


@app.command()
def bench(
    reads: Annotated[int, typer.Option(help="How many synthetic reads to ingest.")] = 1_000_000,
    out: Annotated[Path | None, typer.Option(help="Write the figures to this JSON file.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic network.")] = 7,
    queries: Annotated[int, typer.Option(help="Queries timed per search kind.")] = 1000,
    baseline: Annotated[bool, typer.Option(help="Also measure the single-table baseline.")] = True,
    workdir: Annotated[Path | None, typer.Option(help="Where the temporary databases go.")] = None,
    cache_mib: Annotated[int, typer.Option(help="SQLite page cache per connection, MiB.")] = 1024,
) -> None:
    """Measure ingest, lookups and storage of the store against the baseline; print JSON."""
    from plateledger.bench.runner import run

    figures = run(reads, seed=seed, queries=queries, with_baseline=baseline, directory=workdir, cache_mib=cache_mib)
    text = json.dumps(figures, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


if __name__ == "__main__":
    app()

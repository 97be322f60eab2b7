"""`plateledger hotlists ...`: create lists and feeds, import feeds on demand or when due, exclude categories.

Run on the machine that holds the data; each change is recorded in the audit ledger under `cli:<login>`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from plateledger.api.admin import DataOption
from plateledger.hotlists.model import FEED_FORMATS, FeedSettings

hotlists_app = typer.Typer(
    help="Hot lists and feeds: create, import, refresh, exclude categories.", no_args_is_help=True
)


def _summary(report: dict[str, Any]) -> str:
    errors = report.get("errors") or []
    lines = [
        f"{report.get('loaded', 0)} entries loaded from {report.get('lines', 0)} lines, "
        f"{report.get('refused', 0)} refused, {report.get('replaced', 0)} replaced"
    ]
    lines += [f"  line {error['line']}: {error['field']}: {error['reason']}" for error in errors[:10]]
    if len(errors) > 10:
        lines.append(f"  ... and {report.get('refused', 0) - 10} more")
    return "\n".join(lines)


@hotlists_app.command("create")
def create(
    agency: Annotated[str, typer.Option(help="The agency the list belongs to.")],
    list_id: Annotated[str, typer.Option("--id", help="The list's id (lower case, digits, - and _).")],
    name: Annotated[str, typer.Option(help="A name for people.")],
    feed_format: Annotated[
        str | None, typer.Option(help=f"Make it a feed in this format: {', '.join(FEED_FORMATS)}.")
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="A JSON column mapping (format 'mapped').")] = None,
    source: Annotated[str | None, typer.Option(help="Feed source fetched on schedule: a path or URL.")] = None,
    refresh_minutes: Annotated[int | None, typer.Option(help="Fetch the source this often.")] = None,
    freshness_hours: Annotated[float | None, typer.Option(help="Alerts from an older feed are STALE.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="A category left out of matching (repeat).")] = None,
    description: Annotated[str, typer.Option(help="What the list is for.")] = "",
    data: DataOption = None,
) -> None:
    """Create a custom hot list, or a feed (with --feed-format)."""
    from plateledger.api.admin import actor, services_at

    if feed_format is not None and feed_format not in FEED_FORMATS:
        typer.echo(f"error: --feed-format must be one of {', '.join(FEED_FORMATS)}", err=True)
        raise typer.Exit(2)
    feed = None
    if feed_format is not None:
        loaded = json.loads(mapping.read_text()) if mapping is not None else None
        feed = FeedSettings(feed_format, loaded, source, refresh_minutes)  # type: ignore[arg-type]
    with services_at(data) as services:
        hotlist = services.alerting.hotlists.create_list(
            actor(),
            agency,
            list_id,
            name,
            "feed" if feed is not None else "custom",
            description=description,
            feed=feed,
            freshness_hours=freshness_hours,
            excluded_categories=exclude or [],
        )
        typer.echo(f"created {hotlist.kind} list {hotlist.id} of {hotlist.agency_id}")


@hotlists_app.command("import")
def import_feed(
    list_id: Annotated[str, typer.Argument(help="The feed list's id.")],
    file: Annotated[Path, typer.Argument(help="The CSV file; replaces the feed's entries whole.")],
    data: DataOption = None,
) -> None:
    """Import a feed file now, whatever its size (malformed lines are reported by number and skipped)."""
    from plateledger.api.admin import actor, services_at

    with services_at(data) as services:
        hotlists = services.alerting.hotlists
        report = hotlists.import_feed(actor(), hotlists.get(list_id), file.read_text(encoding="utf-8-sig"))
        typer.echo(_summary(report))


@hotlists_app.command("refresh")
def refresh(
    list_id: Annotated[str | None, typer.Argument(help="One feed to fetch now (default: every feed due).")] = None,
    data: DataOption = None,
) -> None:
    """Fetch feeds from their sources: one now, or every feed whose schedule says it is due."""
    from plateledger.api.admin import actor, services_at

    with services_at(data) as services:
        hotlists = services.alerting.hotlists
        if list_id is not None:
            outcomes = {list_id: hotlists.refresh(actor(), hotlists.get(list_id))}
        else:
            outcomes = hotlists.refresh_due(actor())
        if not outcomes:
            typer.echo("no feed is due")
        for name, outcome in outcomes.items():
            typer.echo(f"{name}: {outcome['failed'] if 'failed' in outcome else _summary(outcome)}")


@hotlists_app.command("exclude")
def exclude(
    list_id: Annotated[str, typer.Argument(help="The list's id.")],
    category: Annotated[list[str] | None, typer.Option(help="A category to leave out (repeat; none: clear).")] = None,
    data: DataOption = None,
) -> None:
    """Set the categories of a list left out of matching (public, on the transparency page)."""
    from plateledger.api.admin import actor, services_at

    with services_at(data) as services:
        hotlists = services.alerting.hotlists
        changed = hotlists.set_exclusions(actor(), hotlists.get(list_id), category or [])
        typer.echo(f"{changed.id}: excluded {', '.join(changed.excluded_categories) or 'nothing'}")


@hotlists_app.command("list")
def list_lists(
    agency: Annotated[str | None, typer.Option(help="Only this agency's lists.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data: DataOption = None,
) -> None:
    """The hot lists, their entries, staleness and last import."""
    from plateledger.api.admin import services_at

    with services_at(data) as services:
        hotlists = services.alerting.hotlists
        counts = hotlists.repository.counts()
        now = services.clock.now_ms()
        rows = [
            {
                "id": item.id,
                "agency": item.agency_id,
                "kind": item.kind,
                "name": item.name,
                "entries": counts.get(item.id, 0),
                "stale": item.stale(now),
                "excluded": list(item.excluded_categories),
                "last_refreshed_ms": item.last_refreshed_ms,
            }
            for item in hotlists.lists(agency)
        ]
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        for item in rows:
            state = " STALE" if item["stale"] else ""
            typer.echo(
                f"{item['id']} ({item['agency']}, {item['kind']}{state}): {item['entries']} entries, {item['name']}"
            )

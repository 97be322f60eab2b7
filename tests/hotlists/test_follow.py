"""Hot-list changes made by another process (the command line beside a running server) reach the server's index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from access.world import World
from alerts.helpers import add_entry, custom_list, feed_list
from typer.testing import CliRunner

from plateledger.api.services import Services, open_services
from plateledger.cli import app
from plateledger.hotlists.model import DAY_MS, EntryDraft, FeedSettings
from plateledger.hotlists.service import HotlistService
from plateledger.plates import skeleton

NCIC = """LIC,LIS,LIT,LIY,VIN,VMA,VMO,VYR,VCO,NIC,ORI,OCA,MKE,DOT
8ABC123,CA,PC,2025,1HGCM82633A004352,HOND,CIV,2019,GRY,V123456789,CA0380000,24-001111,EV,20241101
"""


def listed(hotlists: HotlistService, plate: str) -> set[int]:
    """The ids of the entries the service's index would match this plate with."""
    return {entry.id for entry in hotlists.index.current.by_skeleton.get(skeleton(plate), ())}


@pytest.fixture
def other(world: World) -> Iterator[Services]:
    """A second opening of the world's data directory, as `plateledger hotlists ...` makes one."""
    services = open_services(world.services.settings)
    yield services
    services.close()


def draft(world: World, plate: str) -> EntryDraft:
    expires = world.clock.now_ms() + DAY_MS
    return EntryDraft(plate, "US-CA", "stolen_vehicle", "reported stolen", "24-000123", "test", expires_ms=expires)


def test_entries_added_and_removed_elsewhere_are_followed(world: World, other: Services) -> None:
    server, elsewhere = world.services.alerting.hotlists, other.alerting.hotlists
    hotlist = custom_list(world, "alpha")
    added = elsewhere.add_entry("cli", elsewhere.get(hotlist.id), draft(world, "4FOL404"))
    assert listed(server, "4FOL404") == set()  # not yet: the server has not looked
    assert server.follow_changes() is True
    assert listed(server, "4FOL404") == {added.id}
    assert server.follow_changes() is False  # nothing new since

    elsewhere.remove_entry("cli", elsewhere.get(hotlist.id), added, "recovered")
    assert server.follow_changes() is True
    assert listed(server, "4FOL404") == set()


def test_the_servers_own_changes_cause_no_rebuild_and_one_from_elsewhere_between_them_is_not_lost(
    world: World, other: Services
) -> None:
    server, elsewhere = world.services.alerting.hotlists, other.alerting.hotlists
    hotlist = custom_list(world, "alpha")
    own = add_entry(world, hotlist, plate="5OWN555")
    assert server.follow_changes() is False
    assert listed(server, "5OWN555") == {own.id}

    outside = elsewhere.add_entry("cli", elsewhere.get(hotlist.id), draft(world, "6OUT666"))
    later = add_entry(world, hotlist, plate="7LAT777")  # counted as the server's own, after the outside one
    assert listed(server, "6OUT666") == set()
    assert server.follow_changes() is True  # the count has one change more than the server made
    assert (listed(server, "6OUT666"), listed(server, "7LAT777"), listed(server, "5OWN555")) == (
        {outside.id},
        {later.id},
        {own.id},
    )


def test_exclusions_set_elsewhere_are_followed(world: World, other: Services) -> None:
    server, elsewhere = world.services.alerting.hotlists, other.alerting.hotlists
    hotlist = custom_list(world, "alpha")
    entry = add_entry(world, hotlist, plate="3EXC333")
    elsewhere.set_exclusions("cli", elsewhere.get(hotlist.id), ["stolen_vehicle"])
    assert listed(server, "3EXC333") == {entry.id}
    assert server.follow_changes() is True
    assert listed(server, "3EXC333") == set()


def test_a_feed_imported_by_the_command_line_reaches_the_running_servers_index(world: World, tmp_path: Path) -> None:
    """The server's follower thread (every PLATELEDGER_HOTLIST_FOLLOW_SECONDS, 1 s by default) does it alone."""
    hotlist = feed_list(world, "alpha", FeedSettings("ncic"))
    feed = tmp_path / "feed.csv"
    feed.write_text(NCIC)
    data = str(world.services.settings.data_dir)
    imported = CliRunner().invoke(app, ["hotlists", "import", hotlist.id, str(feed), "--data", data])
    assert imported.exit_code == 0, imported.output
    assert "1 entries loaded" in imported.output
    server = world.services.alerting.hotlists
    deadline = time.monotonic() + 10
    while not listed(server, "8ABC123") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listed(server, "8ABC123"), "the server's index never took the imported entry"

"""Feeds: NCIC-style, Genetec-style and mapped CSV; bad lines reported by number; wholesale replacement;
exclusions public; imports on a schedule and on demand; stale feeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from access.world import World
from alerts.helpers import feed_list
from fastapi.testclient import TestClient

from plateledger.hotlists import hotlist_exclusions
from plateledger.hotlists.model import FeedSettings
from plateledger.policy.decision import Refused

NCIC = """LIC,LIS,LIT,LIY,VIN,VMA,VMO,VYR,VCO,NIC,ORI,OCA,MKE,DOT
8ABC123,CA,PC,2025,1HGCM82633A004352,HOND,CIV,2019,GRY,V123456789,CA0380000,24-001111,EV,20241101
7XYZ999,AZ,PC,2025,,TOYT,CAM,2020,BLU,V223456789,AZ0070000,24-002222,EL,20241102
,CA,PC,2025,,FORD,F15,2018,WHI,V323456789,CA0380000,24-003333,EV,20241103
4DEF567,ZZ,PC,2025,,FORD,F15,2018,WHI,V423456789,CA0380000,24-004444,EV,20241104
"6GHI890"X,NV,PC,2025,,FORD,F15,2018,WHI,V523456789,NV0000000,24-005555,EV,20241105
5JKL123,NV,PC
1MNO456,WA,PC,2025,,FORD,F15,2018,WHI,V623456789,WA0000000,,EM,
2PQR789,TX,PC,2025,,FORD,F15,2018,WHI,V723456789,TX0000000,24-007777,EV,2024-13-45
"""
GENETEC = """PlateNumber,PlateState,Category,EffectiveDate,ExpiryDate,Make,Model,Color,CaseNumber,Reason,Unit
ABC1234,CA,Stolen,2024-05-01,2099-01-01,Honda,Civic,Grey,24-000123,Taken from driveway,North
XYZ9876,,Wanted,05/01/2024,,Ford,F-150,Black,,,
OLD1111,NV,Stolen,2020-01-01,2021-01-01,,,,,,
"""


def ncic_feed(world: World, **settings: object) -> str:
    return feed_list(world, "alpha", FeedSettings("ncic"), **settings).id


def test_ncic_fields_and_per_line_errors(world: World) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = ncic_feed(world)
    report = hotlists.import_feed("test", hotlists.get(list_id), NCIC)
    assert (report["lines"], report["loaded"], report["refused"]) == (8, 3, 5)
    errors = {error["line"]: (error["field"], error["reason"]) for error in report["errors"]}
    assert errors[4][0] == "LIC" and "without a plate" in errors[4][1]
    assert errors[5][0] == "LIS" and "'ZZ'" in errors[5][1]
    assert errors[6][0] == "line" and "not valid CSV" in errors[6][1]
    assert errors[7] == ("line", "has 3 fields; the header has 14")
    assert errors[9][0] == "DOT"
    entries = {entry.plate: entry for entry in hotlists.repository.entries(list_id)}
    stolen = entries["8ABC123"]
    assert (stolen.region, stolen.category, stolen.case_number, stolen.owner) == (
        "US-CA",
        "stolen_vehicle",
        "24-001111",
        "CA0380000",
    )
    assert stolen.vehicle == {
        "make": "HOND",
        "model": "CIV",
        "colour": "GRY",
        "year": "2019",
        "vin": "1HGCM82633A004352",
    }
    assert stolen.attributes["NIC"] == "V123456789" and stolen.attributes["LIT"] == "PC"
    assert entries["7XYZ999"].category == "stolen_plate" and entries["7XYZ999"].region == "US-AZ"
    assert entries["1MNO456"].category == "missing_person" and entries["1MNO456"].case_number == "V623456789"
    imported = world.entries(action="hotlist_feed_imported")[-1]
    assert imported.parameters["loaded"] == 3 and imported.parameters["refused"] == 5
    assert hotlists.get(list_id).last_refreshed_ms == world.clock.now_ms()


def test_genetec_fields_extras_and_expired_lines(world: World) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = feed_list(world, "alpha", FeedSettings("genetec")).id
    report = hotlists.import_feed("test", hotlists.get(list_id), GENETEC)
    assert report["loaded"] == 2 and report["errors"] == [
        {"line": 4, "field": "ExpiryDate", "reason": "has passed: the entry is no longer in effect"}
    ]
    entries = {entry.plate: entry for entry in hotlists.repository.entries(list_id)}
    first = entries["ABC1234"]
    assert first.vehicle == {"make": "Honda", "model": "Civic", "colour": "Grey"}
    assert (first.reason, first.case_number, first.category) == ("Taken from driveway", "24-000123", "stolen")
    assert first.attributes == {"Unit": "North"} and first.expires_ms is not None
    wanted = entries["XYZ9876"]
    assert wanted.region is None and wanted.case_number == f"feed:{list_id}" and wanted.expires_ms is None


def test_a_mapped_feed(world: World) -> None:
    mapping = {
        "columns": {"plate": "Tag", "region": "St", "category": "Kind", "case_number": "Case", "colour": "Col"},
        "category_map": {"SV": "stolen_vehicle"},
        "delimiter": ";",
    }
    hotlists = world.services.alerting.hotlists
    list_id = feed_list(world, "alpha", FeedSettings("mapped", mapping)).id
    text = "Tag;St;Kind;Case;Col;Note\n8ABC123;CA;SV;24-1;red;seen twice\n;CA;SV;24-2;red;\n"
    report = hotlists.import_feed("test", hotlists.get(list_id), text)
    assert report["loaded"] == 1 and report["errors"] == [{"line": 3, "field": "Tag", "reason": "is empty"}]
    (entry,) = hotlists.repository.entries(list_id)
    assert (entry.category, entry.vehicle, entry.attributes) == (
        "stolen_vehicle",
        {"colour": "red"},
        {"Note": "seen twice"},
    )


def test_an_import_replaces_the_feed_whole_and_rebuilds_the_index(world: World) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = ncic_feed(world)
    hotlists.import_feed("test", hotlists.get(list_id), NCIC)
    assert hotlists.index.current.size == 3
    second = "LIC,LIS,OCA,MKE\n9NEW001,CA,24-9,EV\n"
    report = hotlists.import_feed("test", hotlists.get(list_id), second)
    assert report["replaced"] == 3 and report["loaded"] == 1
    assert [entry.plate for entry in hotlists.repository.entries(list_id)] == ["9NEW001"]
    assert hotlists.index.current.size == 1


def test_a_feed_in_which_nothing_loads_leaves_the_list_as_it_was(world: World) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = ncic_feed(world)
    hotlists.import_feed("test", hotlists.get(list_id), NCIC)
    refreshed = hotlists.get(list_id).last_refreshed_ms
    world.clock.advance(60)
    with pytest.raises(Refused) as refused:
        hotlists.import_feed("test", hotlists.get(list_id), "LIC,LIS\n,CA\n,NV\n")
    assert "none of the feed's 2 lines loaded" in refused.value.decision.reason
    with pytest.raises(Refused) as missing:
        hotlists.import_feed("test", hotlists.get(list_id), "PLATE,STATE\nX,CA\n")
    assert missing.value.decision.field == "header"
    assert len(hotlists.repository.entries(list_id)) == 3 and hotlists.get(list_id).last_refreshed_ms == refreshed
    assert [e.outcome for e in world.entries(action="hotlist_feed_imported")][-2:] == ["refused", "refused"]


def test_excluded_categories_leave_matching_and_are_public(world: World, client: TestClient) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = ncic_feed(world, excluded_categories=["Missing Person"])
    hotlists.import_feed("test", hotlists.get(list_id), NCIC)
    assert hotlists.index.current.size == 2  # the missing_person entry is kept, but not matched
    admin = world.headers("alpha", "agency_admin")
    response = client.put(
        f"/api/v1/hotlists/{list_id}/exclusions", json={"categories": ["stolen_plate"]}, headers=admin
    )
    assert response.status_code == 200 and response.json()["excluded_categories"] == ["stolen_plate"]
    assert hotlists.index.current.size == 2
    public = client.get("/api/v1/transparency/hotlist-exclusions")
    assert public.status_code == 200
    (row,) = [item for item in public.json() if item["list_id"] == list_id]
    assert row["agency_id"] == "alpha" and row["excluded_categories"] == ["stolen_plate"]
    assert row["last_refreshed_ms"] is not None
    assert hotlist_exclusions(world.services.settings.hotlists_path) == public.json()


def test_feeds_import_on_schedule_and_on_demand(world: World, client: TestClient, tmp_path: Path) -> None:
    source = tmp_path / "state.csv"
    source.write_text(NCIC)
    hotlists = world.services.alerting.hotlists
    list_id = feed_list(world, "alpha", FeedSettings("ncic", source=str(source), refresh_minutes=60)).id
    assert list(hotlists.refresh_due()) == [list_id]  # never refreshed: due at once
    assert hotlists.refresh_due() == {}
    world.clock.advance(61 * 60)
    source.write_text("LIC,LIS,OCA\n9NEW001,CA,24-9\n")
    assert hotlists.refresh_due()[list_id]["loaded"] == 1
    supervisor = world.headers("alpha", "supervisor")
    on_demand = client.post(f"/api/v1/hotlists/{list_id}/import", headers=supervisor)
    assert on_demand.status_code == 200 and on_demand.json()["loaded"] == 1
    uploaded = client.post(
        f"/api/v1/hotlists/{list_id}/import", content=NCIC.encode(), headers={**supervisor, "Content-Type": "text/csv"}
    )
    assert uploaded.status_code == 200 and uploaded.json()["loaded"] == 3
    assert uploaded.json()["errors"][0] == {"line": 4, "field": "LIC", "reason": uploaded.json()["errors"][0]["reason"]}
    source.unlink()
    world.clock.advance(61 * 60)
    assert "could not be fetched" in hotlists.refresh_due()[list_id]["failed"]
    supervisor = world.headers("alpha", "supervisor")  # sessions idle for two hours have ended
    failed = client.get(f"/api/v1/hotlists/{list_id}", headers=supervisor).json()
    assert "could not be fetched" in failed["last_import"]["failed"] and failed["entries"] == 3


def test_a_feed_turns_stale_after_its_freshness_limit(world: World, client: TestClient) -> None:
    hotlists = world.services.alerting.hotlists
    list_id = ncic_feed(world, freshness_hours=2)
    supervisor = world.headers("alpha", "supervisor")
    assert client.get(f"/api/v1/hotlists/{list_id}", headers=supervisor).json()["stale"] is True  # never imported
    hotlists.import_feed("test", hotlists.get(list_id), NCIC)
    assert hotlists.get(list_id).stale(world.clock.now_ms()) is False
    world.clock.advance(2 * 3600 + 1)
    assert hotlists.get(list_id).stale(world.clock.now_ms()) is True


def test_the_cli_creates_imports_and_lists(world: World, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plateledger.cli import app

    world.services.close()
    data = str(world.services.settings.data_dir)
    feed = tmp_path / "feed.csv"
    feed.write_text(NCIC)
    runner = CliRunner()
    created = runner.invoke(app, ["hotlists", "create", "--agency", "alpha", "--id", "cli-feed", "--name", "CLI",
                                  "--feed-format", "ncic", "--data", data])  # fmt: skip
    assert created.exit_code == 0, created.output
    imported = runner.invoke(app, ["hotlists", "import", "cli-feed", str(feed), "--data", data])
    assert imported.exit_code == 0 and "3 entries loaded from 8 lines, 5 refused" in imported.output
    assert "line 4: LIC:" in imported.output
    excluded = runner.invoke(app, ["hotlists", "exclude", "cli-feed", "--category", "stolen_plate", "--data", data])
    assert excluded.exit_code == 0 and "stolen_plate" in excluded.output
    listed = runner.invoke(app, ["hotlists", "list", "--json", "--data", data])
    (row,) = json.loads(listed.output)
    assert row["entries"] == 3 and row["excluded"] == ["stolen_plate"]
    missing = runner.invoke(app, ["hotlists", "import", "nope", str(feed), "--data", data])
    assert missing.exit_code == 1

"""Helpers for the hot-list and alert tests: lists, entries and alerts made directly in a world's services,
JPEGs, and the rows the authorization matrix adds for the hot-list and alert routes.

The matrix caller belongs to agency alpha; "own" builds alpha's resources, "other" bravo's.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from access.world import CASE, World
from PIL import Image

from plateledger.alerts.model import Alert
from plateledger.hotlists.model import DAY_MS, Entry, EntryDraft, FeedSettings, HotList
from plateledger.reads import to_datetime

numbers = itertools.count(1)
Request = tuple[str, str, Any]
Builder = Callable[[World, str], Request]


def iso(epoch_ms: int) -> str:
    return to_datetime(epoch_ms).isoformat().replace("+00:00", "Z")


def jpeg(width: int = 96, height: int = 32, shade: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (shade, shade, shade - 20)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def custom_list(world: World, agency: str, **settings: Any) -> HotList:
    return world.services.alerting.hotlists.create_list(
        "test", agency, f"{agency}-list-{next(numbers)}", "Stolen vehicles", "custom", **settings
    )


def feed_list(world: World, agency: str, feed: FeedSettings, **settings: Any) -> HotList:
    return world.services.alerting.hotlists.create_list(
        "test", agency, f"{agency}-feed-{next(numbers)}", "State feed", "feed", feed=feed, **settings
    )


def add_entry(
    world: World, hotlist: HotList, plate: str = "5SOW350", region: str | None = "US-CA", **more: Any
) -> Entry:
    draft = EntryDraft(
        plate=plate,
        region=region,
        category=more.pop("category", "stolen_vehicle"),
        reason=more.pop("reason", "reported stolen"),
        case_number=more.pop("case_number", CASE),
        owner=more.pop("owner", "test"),
        vehicle=more.pop("vehicle", {"make": "Honda", "model": "Civic", "colour": "grey"}),
        expires_ms=more.pop("expires_ms", world.clock.now_ms() + 30 * DAY_MS),
        **more,
    )
    return world.services.alerting.hotlists.add_entry("test", hotlist, draft)


def make_alert(world: World, agency: str, status: str = "new", with_image: bool = False) -> Alert:
    """An alert of the agency, raised directly (not through ingest), on the agency's first 7ABC123 read."""
    alerting = world.services.alerting
    entry = add_entry(world, custom_list(world, agency), plate="7ABC123")
    read_id = world.read_ids[agency][0]
    if with_image:
        ref = world.services.images.put(jpeg(shade=100 + next(numbers) % 100))
        world.services.images.attach(read_id, "crop", ref)
    now = world.clock.now_ms()
    read = {"plate": "7ABC123", "plate_raw": "7ABC123", "region": "US-CA", "region_assumed": False,
            "confidence": 95.0, "observed_ms": now}  # fmt: skip
    alert, _ = alerting.alerts.raise_or_collapse(
        agency_id=agency,
        list_id=entry.list_id,
        entry_id=entry.id,
        camera_id=f"{agency}-cam",
        read_id=read_id,
        read=read,
        entry=entry.snapshot(),
        match_type="exact",
        stale=False,
        observed_ms=now,
        now_ms=now,
        window_ms=0,
    )
    if status == "acknowledged":
        alert = alerting.alerts.transition(alert.id, ("new",), "acknowledged", user="test", now_ms=now)
    return alert


def entry_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "plate": "5SOW350",
        "region": "US-CA",
        "category": "stolen_vehicle",
        "reason": "reported stolen",
        "case_number": CASE,
        "vehicle": {"make": "Honda", "model": "Civic", "colour": "grey"},
        "expires_at": iso(world.clock.now_ms() + 30 * DAY_MS),
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


# -- the authorization matrix's rows -----------------------------------------------------------------------------
OFF, SUP, AUD, AA, SA = "officer", "supervisor", "auditor", "agency_admin", "system_admin"
ALL = {OFF, SUP, AUD, AA, SA}


def _list_url(world: World, agency: str, tail: str = "") -> str:
    return f"/api/v1/hotlists/{custom_list(world, agency).id}{tail}"


def _entry_url(world: World, agency: str, tail: str = "") -> str:
    entry = add_entry(world, custom_list(world, agency))
    return f"/api/v1/hotlists/{entry.list_id}/entries/{entry.id}{tail}"


def _feed_url(world: World, agency: str) -> str:
    path = Path(world.services.settings.data_dir) / f"feed-{next(numbers)}.csv"
    path.write_text("LIC,LIS,MKE,OCA,ORI\n8ABC123,CA,EV,24-000999,CA0000000\n")
    return f"/api/v1/hotlists/{feed_list(world, agency, FeedSettings('ncic', source=str(path))).id}/import"


def _alert_url(world: World, agency: str, tail: str = "", status: str = "new") -> str:
    return f"/api/v1/alerts/{make_alert(world, agency, status).id}{tail}"


def _image_url(world: World, agency: str) -> str:
    alert = make_alert(world, agency, with_image=True)
    sha = world.services.images.images_for(alert.read_id)[-1].ref.sha256
    return f"/api/v1/alerts/{alert.id}/images/{sha}"


def _retro(world: World, agency: str) -> Request:
    body = {"purpose": "stolen_vehicle", "lookback_days": 30}
    return "POST", _entry_url(world, agency, "/retroactive"), body


def _new_list(world: World, agency: str) -> Request:
    return "POST", "/api/v1/hotlists", {"id": f"new-list-{next(numbers)}", "name": "New list", "kind": "custom"}


def _renew(world: World, agency: str) -> Request:
    return "POST", _entry_url(world, agency, "/renew"), {"expires_at": iso(world.clock.now_ms() + 60 * DAY_MS)}


def _verify(world: World, agency: str) -> Request:
    body = {"image_compared": True, "confirmed_with_source": True}
    return "POST", _alert_url(world, agency, "/verify", status="acknowledged"), body


TARGETS = {"targets": [{"type": "webhook", "url": "https://cad.example/hook", "secret": "0123456789abcdef"}]}
# (method, route path, builder, roles allowed for own agency, roles allowed for the other agency)
ALERT_ROWS: list[tuple[str, str, Builder, set[str], set[str]]] = [
    ("GET", "/api/v1/hotlists", lambda w, a: ("GET", "/api/v1/hotlists", None), {OFF, SUP, AA}, {OFF, SUP, AA}),
    ("POST", "/api/v1/hotlists", _new_list, {SUP, AA}, {SUP, AA}),
    ("GET", "/api/v1/hotlists/{list_id}", lambda w, a: ("GET", _list_url(w, a), None), {OFF, SUP, AA}, set()),
    (
        "PUT",
        "/api/v1/hotlists/{list_id}/exclusions",
        lambda w, a: ("PUT", _list_url(w, a, "/exclusions"), {"categories": ["missing_person"]}),
        {SUP, AA},
        set(),
    ),
    (
        "PUT",
        "/api/v1/hotlists/{list_id}/targets",
        lambda w, a: ("PUT", _list_url(w, a, "/targets"), TARGETS),
        {SUP, AA},
        set(),
    ),
    ("POST", "/api/v1/hotlists/{list_id}/import", lambda w, a: ("POST", _feed_url(w, a), None), {SUP, AA}, set()),
    (
        "GET",
        "/api/v1/hotlists/{list_id}/entries",
        lambda w, a: ("GET", _list_url(w, a, "/entries"), None),
        {OFF, SUP, AA},
        set(),
    ),
    (
        "POST",
        "/api/v1/hotlists/{list_id}/entries",
        lambda w, a: ("POST", _list_url(w, a, "/entries"), entry_body(w)),
        {OFF, SUP},
        set(),
    ),
    (
        "GET",
        "/api/v1/hotlists/{list_id}/entries/{entry_id}",
        lambda w, a: ("GET", _entry_url(w, a), None),
        {OFF, SUP, AA},
        set(),
    ),
    (
        "DELETE",
        "/api/v1/hotlists/{list_id}/entries/{entry_id}",
        lambda w, a: ("DELETE", _entry_url(w, a), None),
        {OFF, SUP},
        set(),
    ),
    ("POST", "/api/v1/hotlists/{list_id}/entries/{entry_id}/renew", _renew, {OFF, SUP}, set()),
    (
        "PUT",
        "/api/v1/hotlists/{list_id}/entries/{entry_id}/targets",
        lambda w, a: ("PUT", _entry_url(w, a, "/targets"), TARGETS),
        {OFF, SUP},
        set(),
    ),
    ("POST", "/api/v1/hotlists/{list_id}/entries/{entry_id}/retroactive", _retro, {OFF, SUP}, set()),
    (
        "GET",
        "/api/v1/transparency/hotlist-exclusions",
        lambda w, a: ("GET", "/api/v1/transparency/hotlist-exclusions", None),
        ALL | {"anonymous"},
        ALL | {"anonymous"},
    ),
    (
        "GET",
        "/api/v1/alerts/stream",
        lambda w, a: ("GET", "/api/v1/alerts/stream?max_seconds=0.05", None),
        {OFF, SUP},
        {OFF, SUP},
    ),
    ("GET", "/api/v1/alerts/duty", lambda w, a: ("GET", "/api/v1/alerts/duty", None), {SUP, AA}, {SUP, AA}),
    (
        "PUT",
        "/api/v1/alerts/duty",
        lambda w, a: ("PUT", "/api/v1/alerts/duty", {"on_duty": True}),
        {OFF, SUP},
        {OFF, SUP},
    ),
    (
        "GET",
        "/api/v1/alerts/deliveries",
        lambda w, a: ("GET", f"/api/v1/alerts/deliveries?agency={a}&status=failed", None),
        {SUP, AA, SA},
        {SA},
    ),
    (
        "GET",
        "/api/v1/alerts/dispositions",
        lambda w, a: ("GET", "/api/v1/alerts/dispositions", None),
        {AUD, SUP, AA},
        {AUD, SUP, AA},
    ),
    ("GET", "/api/v1/alerts", lambda w, a: ("GET", "/api/v1/alerts", None), {OFF, SUP}, {OFF, SUP}),
    ("GET", "/api/v1/alerts/{alert_id}", lambda w, a: ("GET", _alert_url(w, a), None), {OFF, SUP}, set()),
    (
        "GET",
        "/api/v1/alerts/{alert_id}/images/{sha256}",
        lambda w, a: ("GET", _image_url(w, a), None),
        {OFF, SUP},
        set(),
    ),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/acknowledge",
        lambda w, a: ("POST", _alert_url(w, a, "/acknowledge"), None),
        {OFF, SUP},
        set(),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/verify", _verify, {OFF, SUP}, set()),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/reject",
        lambda w, a: ("POST", _alert_url(w, a, "/reject"), {"reason": "misread"}),
        {OFF, SUP},
        set(),
    ),
]

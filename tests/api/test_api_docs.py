"""docs/api.md (with docs/alerts.md for hot lists and alerts) is kept with the code: every setting, every route
and every admin command is in it."""

from __future__ import annotations

from pathlib import Path

from plateledger.api.admin import admin_app
from plateledger.api.app import api_routes
from plateledger.config import ENV_PREFIX, Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = (DOCS / "api.md").read_text() + (DOCS / "alerts.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`{ENV_PREFIX}{name.upper()}`" not in DOC]
    assert missing == []


def test_every_route_is_documented() -> None:
    def documented(path: str) -> bool:
        parts = path.split("/")
        # `{agency_id}` may be written `{id}`, `{username}` as `{u}`, `{key_id}` as `{key}`...
        return any(
            len(parts) == len(candidate.split("/"))
            and all(
                a == b or (a.startswith("{") and b.startswith("{"))
                for a, b in zip(parts, candidate.split("/"), strict=True)
            )
            for candidate in DOC.replace("`", " ").replace(",", " ").replace("?", " ").split()
            if candidate.startswith("/")
        )

    missing = sorted({route.path for route in api_routes() if not documented(route.path)})
    assert missing == []


def test_every_admin_command_is_documented() -> None:
    names = [command.name for command in admin_app.registered_commands]
    assert names and all(f"plateledger admin {name}" in DOC for name in names)

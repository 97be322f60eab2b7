"""Settings: one model, every field described, loaded once from PLATELEDGER_* variables and flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from plateledger.config import Settings, load_settings


def test_every_setting_has_a_title_and_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.title and field.description, name


def test_environment_then_flags() -> None:
    env = {"PLATELEDGER_SESSION_IDLE_SECONDS": "60", "PLATELEDGER_DATA_DIR": "/srv/pl", "HOME": "/root"}
    settings = load_settings({"banner": "Authorised use only.", "data_dir": None}, environ=env)
    assert settings.session_idle_seconds == 60
    assert settings.data_dir == Path("/srv/pl")
    assert settings.banner == "Authorised use only."
    assert settings.access_path == Path("/srv/pl/access.db")
    assert load_settings({"session_idle_seconds": 5}, environ=env).session_idle_seconds == 5


def test_unknown_variables_are_reported_and_invalid_settings_refused(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="plateledger.config"):
        settings = load_settings(environ={"PLATELEDGER_SESION_IDLE_SECONDS": "5"})
    assert settings.session_idle_seconds == 1800
    assert "PLATELEDGER_SESION_IDLE_SECONDS" in caplog.text
    with pytest.raises(ValidationError):
        load_settings(environ={"PLATELEDGER_MAX_BODY_BYTES": "lots"})
    with pytest.raises(ValidationError):
        Settings(colour="blue")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(session_idle_seconds=100, session_absolute_seconds=50)


def test_defaults_follow_the_issue() -> None:
    settings = Settings()
    assert (settings.session_idle_seconds, settings.session_absolute_seconds) == (1800, 43200)
    assert (settings.lockout_failures, settings.lockout_window_seconds) == (5, 900)
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.approval_lifetime_seconds == 86400
    assert settings.password_min_length == 12

"""The command line: `plateledger admin ...` bootstraps agencies, users and keys; `serve` runs the API; the demo
gives a newcomer users to log in with."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp
import pytest
from access.world import FAST_HASHING
from typer.testing import CliRunner

from plateledger.api import open_services
from plateledger.cli import app
from plateledger.config import load_settings
from plateledger.store.contract import Agency

FAST_ENV = {f"PLATELEDGER_{key.upper()}": str(value) for key, value in FAST_HASHING.items()}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name, value in FAST_ENV.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_bootstrap_an_agency_and_its_users(runner: CliRunner, tmp_path: Path) -> None:
    data = str(tmp_path)
    invoke(
        runner,
        "admin",
        "create-agency",
        "--id",
        "sfpd",
        "--name",
        "San Francisco PD",
        "--kind",
        "local",
        "--jurisdiction",
        "US-CA",
        "--data",
        data,
    )
    created = json.loads(
        invoke(
            runner,
            "admin",
            "create-user",
            "--agency",
            "sfpd",
            "--username",
            "alice",
            "--role",
            "officer",
            "--json",
            "--data",
            data,
        )
    )
    assert set(created) == {"username", "password", "totp_secret", "totp_uri"}
    assert created["username"] == "alice" and len(created["password"]) >= 12
    assert pyotp.parse_uri(created["totp_uri"]).secret == created["totp_secret"]
    key = json.loads(
        invoke(runner, "admin", "create-api-key", "--agency", "sfpd", "--name", "gate", "--json", "--data", data)
    )
    assert key["scopes"] == ["ingest"] and key["token"].startswith("plk_")
    audit_key = json.loads(
        invoke(
            runner,
            "admin",
            "create-api-key",
            "--agency",
            "sfpd",
            "--name",
            "siem",
            "--scope",
            "audit",
            "--json",
            "--data",
            data,
        )
    )
    assert audit_key["scopes"] == ["audit"]
    services = open_services(load_settings({"data_dir": tmp_path}, environ=FAST_ENV))
    try:
        assert services.store.get_agency("sfpd").jurisdiction == "US-CA"
        assert services.policies.exists("sfpd")
        for _ in range(5):
            with pytest.raises(Exception):  # noqa: B017 - any refusal; the count is what matters
                services.access.users.login("alice", "wrong-password!", "000000")
        assert services.access.users.require("alice").locked
        actions = [entry.action for entry in services.ledger.entries()]
        assert actions[:4] == ["policy_changed", "agency_created", "user_created", "api_key_created"]
        assert services.ledger.entries(action="user_created")[0].user.startswith("cli")
    finally:
        services.close()
    assert invoke(runner, "admin", "unlock", "--username", "alice", "--data", data).strip() == "unlocked alice"


def test_admin_errors_exit_non_zero_with_the_reason(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "admin",
            "create-user",
            "--agency",
            "nowhere",
            "--username",
            "bob",
            "--role",
            "officer",
            "--data",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1 and "does not exist" in result.output
    result = runner.invoke(
        app,
        [
            "admin",
            "create-agency",
            "--id",
            "X!",
            "--name",
            "n",
            "--kind",
            "local",
            "--jurisdiction",
            "US-CA",
            "--data",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1 and "id" in result.output


def test_demo_gives_the_first_agency_an_officer_and_a_supervisor(tmp_path: Path) -> None:
    from plateledger.demo import prepare_access

    services = open_services(load_settings({"data_dir": tmp_path}, environ=FAST_ENV))
    try:
        for agency_id in ("ca-oakpd", "ca-sfpd"):
            services.store.add_agency(Agency(agency_id, agency_id.upper(), "local", "US-CA"))
        credentials = prepare_access(services)
        assert [(item["agency"], item["role"]) for item in credentials] == [
            ("ca-oakpd", "officer"),
            ("ca-oakpd", "supervisor"),
        ]
        assert all(services.policies.exists(agency) for agency in ("ca-oakpd", "ca-sfpd"))
        officer = credentials[0]
        code = pyotp.TOTP(officer["totp_secret"]).now()
        assert services.access.users.login(officer["username"], officer["password"], code).role == "officer"
        assert prepare_access(services) == credentials  # a second start prints the same users again
    finally:
        services.close()


def test_serve_runs_the_api_on_the_data_directory(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **FAST_ENV, "PLATELEDGER_BANNER": "Use is logged."}
    command = [sys.executable, "-m", "plateledger.cli", "serve", "--data", str(tmp_path), "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/banner", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert response.json() == {"banner": "Use is logged."}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/agencies").status_code == 401
        assert {path.name for path in tmp_path.iterdir()} >= {"reads.db", "access.db", "audit.db"}
    finally:
        process.terminate()
        process.wait(10)

"""Login, MFA, lockout and session expiry against a real uvicorn server over HTTP (short session limits)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from access.world import World, build_world, exact_body

from plateledger.access import SystemClock

IDLE_SECONDS = 2
ABSOLUTE_SECONDS = 4


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, httpx.Client]]:
    world = build_world(
        Path(tmp_path_factory.mktemp("live")),
        clock=SystemClock(),
        session_idle_seconds=IDLE_SECONDS,
        session_absolute_seconds=ABSOLUTE_SECONDS,
        banner="Authorised use only; every search is recorded.",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(world.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield world, client
    server.should_exit = True
    thread.join(10)
    sock.close()
    world.services.close()


def login_body(world: World, username: str, password: str, secret: str, steps_ahead: int = 0) -> dict[str, object]:
    return {"username": username, "password": password, "totp": world.totp(secret, steps_ahead), "banner_ack": True}


def test_banner_login_use_and_logout(live: tuple[World, httpx.Client]) -> None:
    world, client = live
    assert client.get("/api/v1/banner").json() == {"banner": "Authorised use only; every search is recorded."}
    created = world.user("alpha", "officer")
    body = login_body(world, created.user.username, created.password, created.totp_secret)
    response = client.post("/api/v1/session", json=body)
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["token_type"] == "bearer" and session["idle_timeout_seconds"] == IDLE_SECONDS
    headers = {"Authorization": f"Bearer {session['token']}"}
    assert client.get("/api/v1/session", headers=headers).json()["name"] == created.user.username
    search = client.post("/api/v1/searches", json=exact_body(world), headers=headers)
    assert search.status_code == 200 and search.json()["count"] == 3
    assert client.delete("/api/v1/session", headers=headers).status_code == 204
    response = client.get("/api/v1/session", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "session_ended"


def test_mfa_missing_wrong_and_replayed_codes(live: tuple[World, httpx.Client]) -> None:
    world, client = live
    created = world.user("alpha", "officer")
    body = login_body(world, created.user.username, created.password, created.totp_secret)
    missing = client.post("/api/v1/session", json={key: value for key, value in body.items() if key != "totp"})
    assert (missing.status_code, missing.json()["field"]) == (422, "totp")
    wrong = client.post("/api/v1/session", json={**body, "totp": f"{(int(str(body['totp'])) + 1) % 10**6:06d}"})
    assert (wrong.status_code, wrong.json()["error"], wrong.json()["field"]) == (401, "totp_invalid", "totp")
    assert client.post("/api/v1/session", json=body).status_code == 201
    replayed = client.post("/api/v1/session", json=body)
    assert (replayed.status_code, replayed.json()["error"], replayed.json()["field"]) == (401, "totp_replayed", "totp")
    later = login_body(world, created.user.username, created.password, created.totp_secret, steps_ahead=1)
    assert client.post("/api/v1/session", json=later).status_code == 201
    no_banner = client.post("/api/v1/session", json={**later, "banner_ack": False})
    assert (no_banner.status_code, no_banner.json()["field"]) == (422, "banner_ack")


def test_lockout_after_five_failures_until_an_admin_unlocks(live: tuple[World, httpx.Client]) -> None:
    world, client = live
    created = world.user("alpha", "officer")
    name = created.user.username
    for _ in range(5):
        bad = {**login_body(world, name, "not-the-password", created.totp_secret)}
        assert client.post("/api/v1/session", json=bad).status_code == 401
    right = login_body(world, name, created.password, created.totp_secret)
    locked = client.post("/api/v1/session", json=right)
    assert (locked.status_code, locked.json()["error"]) == (403, "account_locked")
    admin = world.user("alpha", "agency_admin")
    admin_login = client.post(
        "/api/v1/session", json=login_body(world, admin.user.username, admin.password, admin.totp_secret)
    )
    headers = {"Authorization": f"Bearer {admin_login.json()['token']}"}
    users = client.get("/api/v1/agencies/alpha/users", headers=headers).json()
    assert next(user for user in users if user["username"] == name)["locked"] is True
    unlocked = client.post(f"/api/v1/users/{name}/unlock", headers=headers)
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    assert client.post("/api/v1/session", json=right).status_code == 201
    assert [entry.action for entry in world.entries(action="lockout", user=name)] == ["lockout"]


def test_an_idle_session_expires(live: tuple[World, httpx.Client]) -> None:
    world, client = live
    created = world.user("alpha", "supervisor")
    token = client.post(
        "/api/v1/session", json=login_body(world, created.user.username, created.password, created.totp_secret)
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/session", headers=headers).status_code == 200
    time.sleep(IDLE_SECONDS + 0.3)
    expired = client.get("/api/v1/session", headers=headers)
    assert (expired.status_code, expired.json()["error"]) == (401, "session_expired")
    assert "idle" in expired.json()["detail"]


def test_a_busy_session_still_ends_at_the_absolute_limit(live: tuple[World, httpx.Client]) -> None:
    world, client = live
    created = world.user("alpha", "officer")
    token = client.post(
        "/api/v1/session", json=login_body(world, created.user.username, created.password, created.totp_secret)
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    while time.monotonic() - started < ABSOLUTE_SECONDS - 0.5:
        assert client.get("/api/v1/session", headers=headers).status_code == 200
        time.sleep(0.25)
    time.sleep(0.7)
    expired = client.get("/api/v1/session", headers=headers)
    assert (expired.status_code, expired.json()["error"]) == (401, "session_expired")

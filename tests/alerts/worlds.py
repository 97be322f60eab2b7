"""The fixtures of the alert and hot-list tests: a world with fast delivery retries, its client, an SMTP inbox.

Both folders' conftest.py import them from here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared worlds live in tests/access

from access.world import World, build_world

from alerts.live import Inbox, smtp_inbox

# Deliveries retry fast in tests; the feed scheduler is driven by hand.
FAST = {"delivery_backoff_seconds": 0.05, "delivery_attempts": 3, "feed_check_seconds": 0}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, **FAST)
    yield built
    built.services.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as test_client:
        yield test_client


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a loopback port, and what it received."""
    with smtp_inbox() as received:
        yield received

"""The fixtures of the alert and hot-list tests: a world with fast delivery retries, its client, an SMTP inbox.

Both folders' conftest.py import them from here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared worlds live in tests/access

from access.world import world_fixtures

from alerts.live import Inbox, smtp_inbox

# Deliveries retry fast in tests; the feed scheduler is driven by hand.
FAST = {"delivery_backoff_seconds": 0.05, "delivery_attempts": 3, "feed_check_seconds": 0}


world, client = world_fixtures(**FAST)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a loopback port, and what it received."""
    with smtp_inbox() as received:
        yield received

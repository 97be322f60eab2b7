import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared worlds live in tests/access

from alerts.worlds import client, inbox, world

__all__ = ["client", "inbox", "world"]  # pytest fixtures, shared with tests/hotlists

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, so `access.world` imports everywhere

from access.world import world_fixtures

world, client = world_fixtures()

"""`plateledger serve --workers N`: several server processes on one data directory, started from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from plateledger.bench.ingest_http import free_port

REPO = Path(__file__).resolve().parents[2]


def _serve(data: Path, port: int, environment: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "plateledger.cli", "serve", "--data", str(data), "--port", str(port)]
    return subprocess.Popen(
        [*command, "--workers", "2", "--no-access-log"],
        env={**os.environ, "PYTHONPATH": str(REPO), **environment},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    return tmp_path / "metrics"


@pytest.fixture
def served(tmp_path: Path, metrics_dir: Path) -> Iterator[str]:
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")  # must not be summed in
    port = free_port()
    process = _serve(tmp_path / "data", port, {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "2 worker processes" in output


def _healthz_count(text: str) -> float:
    pattern = r'^plateledger_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, flags=re.MULTILINE))


def test_metrics_count_the_requests_of_every_worker(served: str, metrics_dir: Path) -> None:
    # A new connection each time: the workers take turns accepting them.
    answered = [httpx.get(f"{served}/healthz", headers={"Connection": "close"}).status_code for _ in range(60)]
    assert answered == [200] * 60
    counts = [_healthz_count(httpx.get(f"{served}/metrics").text) for _ in range(4)]
    # Every /metrics answer, whichever worker gives it, counts all 60 (and the start-up checks, one or more).
    assert all(count >= 61 for count in counts)
    assert len({count for count in counts}) == 1
    workers = {re.sub(r"^\w+_(\d+)\.db$", r"\1", path.name) for path in metrics_dir.glob("*.db")}
    assert len(workers) == 2 and "1" not in workers  # two processes wrote figures; the old file was cleared


def test_a_frigate_camera_map_naming_no_camera_stops_the_server_before_its_workers(tmp_path: Path) -> None:
    environment = {
        "PLATELEDGER_FRIGATE_MQTT_HOST": "127.0.0.1",
        "PLATELEDGER_FRIGATE_CAMERA_MAP": '{"driveway_cam": "no-such-camera"}',
    }
    process = _serve(tmp_path / "data", free_port(), environment)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "no-such-camera" in output and "not a registered camera" in output
    assert "Started server process" not in output

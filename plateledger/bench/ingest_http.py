"""`plateledger bench-ingest`: ingest over HTTP, against the ceiling of a parse-only endpoint, in one run.

Three kinds of process on loopback: `plateledger serve` on a fresh data directory (a fixed camera and an
ingest key bound to it), the parse-only FastAPI endpoint of ingest_ceiling.py, and the load generator of
ingest_load.py (a new process per scenario). Each scenario runs against plateledger and then the ceiling:
- single: OpenALPR `alpr_group` posts with a distinct 20 KB JPEG crop each, as many as the server takes;
- batches: native batches of `batch` reads, four in flight;
- latency: the single posts at a fixed `rate` a second, timed from their scheduled start;
- single_no_image and latency_no_image: the same two without the plate crop.
plateledger is measured with group commit on and, for comparison, off (one transaction per request), and with
`--workers N` also as N server processes (`plateledger serve --workers N`, group commit on). Each of
its scenarios also reports the server process's CPU (user plus system, from /proc) per request answered.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CAMERA = "bench-cam"
AGENCY = "bench"
CONCURRENCY = 64


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(data: Path) -> str:
    """A data directory with an agency, one fixed camera and an ingest key bound to it; the key's token."""
    from plateledger.api.services import open_services
    from plateledger.config import Settings
    from plateledger.ingest.bindings import Binding
    from plateledger.policy.agencies import create_agency
    from plateledger.store.contract import Agency, Camera

    services = open_services(Settings(data_dir=data))
    try:
        agency = Agency(AGENCY, "Bench Police", "local", "US-CA")
        create_agency(services.store, services.policies, services.ledger, agency, None, actor="bench")
        services.store.add_camera(Camera(CAMERA, AGENCY, "fixed", "bench pole", 37.77, -122.42, 90.0, created_ms=0))
        key, token = services.access.api_keys.create(AGENCY, "bench camera", actor="bench")
        services.bindings.put(Binding(key.id, AGENCY, (CAMERA,)), actor="bench")
    finally:
        services.close()
    return token


def wait_ready(port: int, process: subprocess.Popen[bytes], path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError as error:
            if getattr(error, "code", None) is not None:
                return  # it answered (405 from the ceiling's POST-only route)
            time.sleep(0.2)
    raise TimeoutError(f"the server on port {port} did not start")


def start_server(command: list[str], port: int, env: dict[str, str], ready_path: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(port, process, ready_path)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load(port: int, path: str, *arguments: str, token: str | None = None) -> dict[str, Any]:
    """One scenario in a load generator process; its JSON figures."""
    command = [sys.executable, "-m", "plateledger.bench.ingest_load", "--port", str(port), "--path", path]
    if token:
        command += ["--token", token]
    finished = subprocess.run([*command, *arguments], capture_output=True, text=True, check=True, timeout=900)
    return json.loads(finished.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def scenarios(duration: float, rate: float, batch: int) -> dict[str, list[str]]:
    seconds = ["--duration", str(duration)]
    single = ["--kind", "openalpr", "--mode", "closed", "--concurrency", str(CONCURRENCY), *seconds]
    at_rate = ["--kind", "openalpr", "--mode", "rate", "--rate", str(rate), "--concurrency", "256", *seconds]
    return {
        "single": single,
        "batches": ["--kind", "native", "--concurrency", "4", "--batch", str(batch), "--camera", CAMERA, *seconds],
        "latency": at_rate,
        # The same two without the 20 KB crop: what the image costs, and whether plain reads meet the targets.
        "single_no_image": [*single, "--no-image"],
        "latency_no_image": [*at_rate, "--no-image"],
    }


def run_ingest_bench(
    *,
    duration: float = 10.0,
    rate: float = 500.0,
    batch: int = 5000,
    group_commit: list[bool] | None = None,
    workers: int = 1,
    directory: Path | None = None,
) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="plateledger-bench-ingest-", dir=directory))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLATELEDGER_")}
    plan = scenarios(duration, rate, batch)
    figures: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"duration_s": duration, "rate_per_s": rate, "batch": batch, "connections": CONCURRENCY},
    }
    ceiling_port = free_port()
    ceiling = start_server(
        [sys.executable, "-m", "plateledger.bench.ingest_ceiling", "--port", str(ceiling_port)],
        ceiling_port,
        env,
        "/ready",
    )
    try:
        offset = 0
        for label, grouped, processes in configurations(group_commit, workers):
            data = root / label
            token = prepare(data)
            port = free_port()
            server_env = {**env, "PLATELEDGER_INGEST_GROUP_COMMIT": "true" if grouped else "false"}
            command = [sys.executable, "-m", "plateledger.cli", "serve", "--data", str(data)]
            command += ["--port", str(port), "--no-access-log", "--workers", str(processes)]
            server = start_server(command, port, server_env, "/healthz")
            try:
                results: dict[str, Any] = {}
                for name, arguments in plan.items():
                    # The agent's way: its key in the URL (it sends no headers); batches send the header.
                    path = "/api/v1/reads" if name == "batches" else f"/api/v1/ingest/openalpr?key={token}"
                    header = token if name == "batches" else None
                    cpu_before = cpu_seconds(server.pid)
                    results[name] = load(port, path, *arguments, "--offset", str(offset), token=header)
                    results[name].update(server_cpu(cpu_before, cpu_seconds(server.pid), results[name]))
                    offset += 10_000_000
                    if name not in figures.get("ceiling", {}):
                        figures.setdefault("ceiling", {})[name] = load(
                            ceiling_port, path.split("?")[0], *arguments, "--offset", str(offset)
                        )
            finally:
                stop(server)
            results["reads_in_store"] = _count(data)
            figures[label] = results
    finally:
        stop(ceiling)
        shutil.rmtree(root, ignore_errors=True)
    return figures


def configurations(group_commit: list[bool] | None, workers: int) -> list[tuple[str, bool, int]]:
    """(label, group commit, worker processes) of each server measured: one process with group commit on and/or
    off, then, when `workers` > 1, that many processes with group commit on."""
    measured = [
        ("plateledger" if grouped else "plateledger_no_group_commit", grouped, 1)
        for grouped in (group_commit if group_commit is not None else [True, False])
    ]
    if workers > 1:
        measured.append((f"plateledger_{workers}_workers", True, workers))
    return measured


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds a process and its children (the workers of `serve --workers`) have used so
    far (Linux /proc; None elsewhere)."""
    try:
        stats = [Path(f"/proc/{pid}/stat").read_text()]
    except OSError:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # its parent
                stats.append(stat)
    ticks = 0
    for stat in stats:
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu(before: float | None, after: float | None, figures: dict[str, Any]) -> dict[str, float | None]:
    """The server's CPU over one scenario: seconds, and milliseconds per request answered (the figure that
    says how far one process is from a target: 1,000 posts/s on 2 cores leaves under 2 ms a post)."""
    if before is None or after is None:
        return {"server_cpu_s": None, "server_cpu_ms_per_request": None}
    used = after - before
    requests = figures.get("requests_ok") or 0
    return {
        "server_cpu_s": round(used, 2),
        "server_cpu_ms_per_request": round(1000 * used / requests, 3) if requests else None,
    }


def _count(data: Path) -> int:
    from plateledger.store.sqlite import SqliteReadStore

    store = SqliteReadStore(data / "reads.db")
    try:
        return store.count_reads()
    finally:
        store.close()

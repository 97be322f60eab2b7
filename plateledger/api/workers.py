"""`plateledger serve --workers N`: the server as N processes on one data directory.

One process is held by the GIL, not the CPU: it leaves a third of the project's 2-core machine idle. Several
processes use every core (on that machine, two took 10-44 % more batches and 7-72 % more posts without an
image, but image posts only sometimes: docs/benchmarks.md). Uvicorn's supervisor starts N worker processes
on one listening socket and starts a new one when one dies. Each worker opens the data directory as a single
server does; the files are made for several processes (SQLite's locks, and what each component does about the others:
docs/architecture.md, "Several processes"). What this module adds:
- the parent runs the migrations of every file before any worker starts, so workers never race to upgrade;
- the workers get the parent's settings through the `PLATELEDGER_*` variables its flags override;
- the Frigate subscriber runs in one worker only, the holder of DIR/frigate.lock; the others try for the lock
  every few seconds, so another takes over when that one dies;
- the Prometheus metrics are kept in files shared by the workers (prometheus_client's multiprocess mode), so
  /metrics counts every worker's requests whichever worker answers it. The files go to PROMETHEUS_MULTIPROC_DIR
  when it is set (emptied at start), else to a temporary directory removed at exit.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from plateledger.api.app import app_for
from plateledger.api.frigate import frigate_subscriber, mapped_cameras
from plateledger.api.heap import freeze_startup_heap
from plateledger.api.logs import redact_access_log
from plateledger.api.metrics import MULTIPROCESS_DIRECTORY
from plateledger.api.services import Services, open_services
from plateledger.config import ENV_PREFIX, Settings, load_settings
from plateledger.ingest.frigate_mqtt import FrigateSubscriber
from plateledger.periodic import Periodic
from plateledger.processlock import ProcessLock

log = logging.getLogger(__name__)

FRIGATE_RETRY_SECONDS = 5.0


def flag_environment(flags: Mapping[str, Any]) -> dict[str, str]:
    """The `PLATELEDGER_*` variables that give a worker the settings these flags gave the parent (None: unset)."""
    return {
        ENV_PREFIX + name.upper(): str(Path(value).resolve()) if isinstance(value, Path) else str(value)
        for name, value in flags.items()
        if value is not None
    }


def serve_workers(
    settings: Settings, flags: Mapping[str, Any], *, host: str, port: int, workers: int, access_log: bool
) -> None:
    """Run the server as `workers` processes; returns when uvicorn's supervisor stops (Ctrl-C, SIGTERM)."""
    import uvicorn

    services = open_services(settings)  # every migration, once, here
    try:
        print(f"data in {settings.data_dir}: {services.store.count_reads()} reads; {workers} worker processes")
        if settings.frigate_mqtt_host:  # a camera map naming unknown cameras stops the server here, not in a worker
            mapped_cameras(services, settings.frigate_camera_map)
    finally:
        services.close()
    os.environ.update(flag_environment(flags))
    chosen = os.environ.get(MULTIPROCESS_DIRECTORY)  # an operator's own (tmpfs, say), else one of ours
    metrics = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="plateledger-metrics-"))
    for left in metrics.glob("*.db"):  # figures of an earlier run would be summed in
        left.unlink()
    os.environ[MULTIPROCESS_DIRECTORY] = str(metrics)
    try:
        uvicorn.run(
            f"{__name__}:worker_app", factory=True, host=host, port=port, workers=workers, access_log=access_log
        )
    finally:
        if not chosen:
            del os.environ[MULTIPROCESS_DIRECTORY]
            shutil.rmtree(metrics, ignore_errors=True)


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each): its own services on the data directory."""
    services = open_services(load_settings())
    frigate = SoleFrigateSubscriber(services)
    redact_access_log()  # uvicorn configured this process's logging before calling the factory

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        frigate.close()
        services.close()

    app = app_for(services, lifespan=lifespan)
    freeze_startup_heap()
    return app


class SoleFrigateSubscriber:
    """The Frigate subscriber of one worker among several: the one that holds DIR/frigate.lock subscribes; the
    others try again every FRIGATE_RETRY_SECONDS. Nothing happens when no broker is configured."""

    def __init__(self, services: Services, retry_seconds: float = FRIGATE_RETRY_SECONDS) -> None:
        self.services = services
        self.subscriber: FrigateSubscriber | None = None
        self._lock = ProcessLock(services.settings.data_dir / "frigate.lock")
        self._retry: Periodic | None = None
        if services.settings.frigate_mqtt_host:
            self._try_to_lead()
            self._retry = Periodic("frigate-leader", retry_seconds, self._try_to_lead)

    def _try_to_lead(self) -> None:
        if self.subscriber is not None or not self._lock.acquire(blocking=False):
            return
        try:
            subscriber = frigate_subscriber(self.services)
            assert subscriber is not None  # a broker is configured
            subscriber.start()
        except (ValueError, OSError, TimeoutError) as error:
            log.error("Frigate MQTT: %s (next try in %s s)", error, FRIGATE_RETRY_SECONDS)
            self._lock.release()  # another worker may do better
            return
        self.subscriber = subscriber
        log.info("Frigate: this worker (pid %d) subscribed to %s", os.getpid(), ", ".join(subscriber.topics))

    def close(self) -> None:
        if self._retry is not None:
            self._retry.close()
        subscriber, self.subscriber = self.subscriber, None
        if subscriber is not None:
            subscriber.stop()
            self._lock.release()

"""The alert latency half of `plateledger bench-alerts`: from a read posted to an alert on a live stream and to an
email accepted by an SMTP server, with and without background ingest load.

Processes on loopback: `plateledger serve` on a fresh data directory (one agency, a fixed camera, an ingest
key, an officer's session, a feed of `entries` plates with an email target), the load generator of
alerts_load.py (reads on no list at `rate` a second), and this one: the SSE client, the SMTP server (aiosmtpd)
and the prober. Each probe posts one read of a listed plate and notes when it sent it; the alert's arrival on
the stream and the email's arrival at the SMTP server are timed on the same clock. The time from sending
includes the ingest request itself (the commit of the read), so it is an upper bound of "read accepted ->
alert received"; the ingest answer time is given beside it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from plateledger.bench.alerts import random_plate
from plateledger.bench.ingest_http import free_port, start_server, stop

AGENCY, CAMERA = "bench", "bench-cam"


def prepare(data: Path, probes: list[str], entries: int, email_url: str | None) -> dict[str, str]:
    """The data directory: agency, camera, ingest key, officer session, and a feed holding the probe plates."""
    from plateledger.api.services import open_services
    from plateledger.config import Settings
    from plateledger.hotlists.model import FeedSettings
    from plateledger.ingest.bindings import Binding
    from plateledger.policy.agencies import create_agency
    from plateledger.store.contract import Agency, Camera

    services = open_services(Settings(data_dir=data, feed_check_seconds=0))
    try:
        create_agency(services.store, services.policies, services.ledger, Agency(AGENCY, "Bench PD", "local", "US-CA"),
                      None, actor="bench")  # fmt: skip
        services.store.add_camera(Camera(CAMERA, AGENCY, "fixed", "bench pole", 37.77, -122.42, 90.0, created_ms=0))
        key, ingest = services.access.api_keys.create(AGENCY, "bench camera", actor="bench")
        services.bindings.put(Binding(key.id, AGENCY, (CAMERA,)), actor="bench")
        officer = services.access.users.create(AGENCY, "bench.officer", "officer", actor="bench")
        session = services.access.sessions.issue(officer.user)
        hotlists = services.alerting.hotlists
        targets = [{"type": "apprise", "url": email_url}] if email_url else []
        feed = hotlists.create_list("bench", AGENCY, "bench-feed", "Bench feed", "feed", feed=FeedSettings("ncic"),
                                    targets=targets)  # fmt: skip
        rng = random.Random(3)
        listed = set(probes)
        while len(listed) < entries:
            listed.add(random_plate(rng))
        lines = "\n".join(f"{plate},CA,24-{index:06d},EV" for index, plate in enumerate(sorted(listed)))
        hotlists.import_feed("bench", feed, f"LIC,LIS,OCA,MKE\n{lines}\n")
    finally:
        services.close()
    return {"ingest": ingest, "officer": session}


class StreamReader:
    """GET /api/v1/alerts/stream over a plain socket (HTTP/1.0): plate of each `alert` event -> arrival time."""

    def __init__(self, port: int, token: str) -> None:
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self._sock = socket.create_connection(("127.0.0.1", port))
        self._sock.sendall(
            f"GET /api/v1/alerts/stream?max_seconds=3600 HTTP/1.0\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the alert stream did not open")

    def _run(self) -> None:
        kind = ""
        try:
            for raw in self._sock.makefile("rb"):
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    kind = line[7:]
                    if kind == "hello":
                        self.ready.set()
                elif line.startswith("data: ") and kind == "alert":
                    self.arrived.setdefault(json.loads(line[6:])["read"]["plate"], time.perf_counter())
        except OSError:
            pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


class SmtpInbox:
    """aiosmtpd on a loopback port: plate in each message's subject -> arrival time."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.arrived: dict[str, float] = {}
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        subject = str(make_header(decode_header(message_from_bytes(envelope.content)["Subject"] or "")))
        self.arrived.setdefault(subject.rsplit(" ", 1)[-1], time.perf_counter())
        return "250 OK"

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@bench.example&to=watch@bench.example&mode=insecure"

    def close(self) -> None:
        self._controller.stop()


def percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"count": len(ordered), "p50_ms": at(0.5), "p90_ms": at(0.9), "p99_ms": at(0.99), "max_ms": at(1.0)}


def probe(port: int, token: str, plates: list[str], interval: float) -> tuple[dict[str, float], list[float]]:
    """Post one read of each plate, `interval` seconds apart; when each was sent, and the ingest answer times."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent: dict[str, float] = {}
    answers = []
    next_at = time.perf_counter()
    for plate in plates:
        if (wait := next_at - time.perf_counter()) > 0:
            time.sleep(wait)
        next_at += interval
        body = json.dumps({"reads": [{"plate": plate, "observed_at": int(time.time() * 1000), "camera_id": CAMERA,
                                      "region": "US-CA"}]})  # fmt: skip
        sent[plate] = time.perf_counter()
        connection.request("POST", "/api/v1/reads", body, headers)
        response = connection.getresponse()
        response.read()
        answers.append(time.perf_counter() - sent[plate])
        if response.status != 200:
            raise RuntimeError(f"a probe read was refused: {response.status}")
    connection.close()
    return sent, answers


def _scenario(port: int, tokens: dict[str, str], plates: list[str], interval: float, inbox: SmtpInbox | None,
              stream: StreamReader) -> dict[str, Any]:  # fmt: skip
    sent, answers = probe(port, tokens["ingest"], plates, interval)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done = all(plate in stream.arrived for plate in plates)
        if done and (inbox is None or all(plate in inbox.arrived for plate in plates)):
            break
        time.sleep(0.05)
    figures: dict[str, Any] = {
        "probes": len(plates),
        "ingest_answer": percentiles(answers),
        "sse_from_send": percentiles([stream.arrived[p] - sent[p] for p in plates if p in stream.arrived]),
        "sse_after_ingest_answer": percentiles(
            [
                stream.arrived[p] - sent[p] - answer
                for p, answer in zip(plates, answers, strict=True)
                if p in stream.arrived
            ]
        ),
        "sse_missing": sum(1 for plate in plates if plate not in stream.arrived),
    }
    if inbox is not None:
        figures["email_from_send"] = percentiles([inbox.arrived[p] - sent[p] for p in plates if p in inbox.arrived])
        figures["email_missing"] = sum(1 for plate in plates if plate not in inbox.arrived)
    return figures


def run_latency(
    *, probes: int = 300, interval: float = 0.1, rate: float = 1000.0, entries: int = 100_000,
    directory: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    try:
        inbox: SmtpInbox | None = SmtpInbox()
    except ImportError:
        inbox = None  # aiosmtpd is a test dependency: no email figure without it
    rng = random.Random(17)
    plates = sorted({random_plate(rng) for _ in range(probes + 60)})[: probes + 50]
    idle, loaded = plates[:50], plates[50:]
    with tempfile.TemporaryDirectory(dir=directory) as temporary:
        data = Path(temporary) / "data"
        tokens = prepare(data, plates, entries, inbox.url if inbox else None)
        port = free_port()
        env = {**os.environ, "PLATELEDGER_FEED_CHECK_SECONDS": "0"}
        command = [sys.executable, "-m", "plateledger.cli", "serve", "--data", str(data), "--port", str(port),
                   "--no-access-log"]  # fmt: skip
        server = start_server(command, port, env, "/healthz")
        stream = StreamReader(port, tokens["officer"])
        try:
            figures: dict[str, Any] = {"entries": entries, "probe_interval_s": interval}
            figures["idle"] = _scenario(port, tokens, idle, interval, inbox, stream)
            seconds = len(loaded) * interval + 5
            load = subprocess.Popen(
                [sys.executable, "-m", "plateledger.bench.alerts_load", "--port", str(port), "--token",
                 tokens["ingest"], "--camera", CAMERA, "--rate", str(rate), "--seconds", str(seconds)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            time.sleep(2)  # let the load settle
            figures["under_load"] = _scenario(port, tokens, loaded, interval, inbox, stream)
            output, _ = load.communicate(timeout=seconds + 60)
            figures["background_load"] = json.loads(output.strip().splitlines()[-1])
        finally:
            stream.close()
            stop(server)
            if inbox is not None:
                inbox.close()
    if inbox is None:
        figures["email"] = "skipped: aiosmtpd is not installed (pip install -e '.[test]')"
    return figures

"""Real parts for the alert tests: a uvicorn server, an SSE client, an SMTP server (aiosmtpd), a webhook receiver
and an MQTT subscriber (the Mosquitto broker on 127.0.0.1:1883). Each records when things arrived."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app on a real uvicorn server on a loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class SseClient:
    """Reads GET /api/v1/alerts/stream on a thread; each event lands in `events` with its arrival time.

    A plain socket speaking HTTP/1.0 (no chunked encoding), so that `close()` can cut a blocked read at once.
    """

    def __init__(self, base_url: str, token: str, max_seconds: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []  # every event, in order
        self.status: int | None = None
        self.connected = threading.Event()
        self._sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10)
        self._sock.settimeout(None)
        request = (
            f"GET /api/v1/alerts/stream?max_seconds={max_seconds} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        )
        self._sock.sendall(request.encode())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "the stream did not open"

    def _run(self) -> None:
        try:
            reader = self._sock.makefile("rb")
            self.status = int(reader.readline().split()[1])
            while reader.readline().strip():
                pass  # the response headers
            event: dict[str, Any] = {}
            for raw in reader:
                line = raw.decode().rstrip("\r\n")
                if not line:
                    if event:
                        event["received"] = time.perf_counter()
                        if event.get("event") == "hello":
                            self.connected.set()
                        self.seen.append(event)
                        self.events.put(event)
                        event = {}
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                event[name] = json.loads(value) if name == "data" else value
        except (OSError, ValueError, IndexError):
            pass
        finally:
            self.connected.set()

    def next(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next event of this kind (events of other kinds before it are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind!r} event within {timeout} s"
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("event") == kind:
                return event

    def close(self) -> None:
        with suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[tuple[float, Message, list[str]]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def url(self, to: str = "duty@agency.example") -> str:
        """An apprise mailto:// URL for this server (plain SMTP on loopback, no login)."""
        return f"mailto://{self.host}:{self.port}?from=alerts@plateledger.example&to={to}&mode=insecure"

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[tuple[float, Message, list[str]]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.messages) >= count, timeout), "no email arrived"
            return list(self.messages)


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content)
        with self.inbox.arrived:
            self.inbox.messages.append((time.perf_counter(), message, list(envelope.rcpt_tos)))
            self.inbox.arrived.notify_all()
        return "250 Message accepted for delivery"


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox("127.0.0.1", free_port())
    controller = Controller(_Handler(inbox), hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def body_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(texts)


@dataclass
class WebhookReceiver:
    """An HTTP server recording POSTs: (headers, body); answers with `status`."""

    status: int = 200
    fail_first: int = 0  # answer 503 to this many requests first
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@contextmanager
def webhook_receiver(status: int = 200, fail_first: int = 0) -> Iterator[WebhookReceiver]:
    """Headers are recorded with lower-case names."""
    receiver = WebhookReceiver(status, fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
            failing = len(receiver.received) <= receiver.fail_first
            self.send_response(503 if failing else receiver.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

"""The load generator of `plateledger bench-ingest`: run in its own process, it posts to a server on loopback.

    python -m plateledger.bench.ingest_load --port 8081 --path '/api/v1/ingest/openalpr?key=plk_...' \
        --kind openalpr --mode closed --concurrency 32 --duration 10

It speaks HTTP/1.1 over keep-alive sockets with asyncio (no HTTP client library: it must leave as much of the
machine's CPU as it can to the server under test). Every request body is distinct: an OpenALPR `alpr_group`
with its own plate, start time and a 20 KB JPEG crop made unique by a JPEG comment segment, or a native batch
of reads with their own source ids. `closed` keeps `concurrency` requests in flight for `duration` seconds;
`rate` sends `rate` requests a second on schedule and times each from its scheduled start (so a stalled server
is charged for the requests queued behind it). Prints one JSON object: counts, rates and latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

CROP_BYTES = 20_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: bodies carry times in the 30 days after this
SPAN_MS = 30 * 86_400_000
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_crop(target: int = CROP_BYTES, seed: int = 7) -> bytes:
    """A JPEG of about `target` bytes: a plate-like crop with noise, so it does not compress to nothing."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 360, 120
    image = Image.new("RGB", (width, height), (236, 236, 220))
    draw = ImageDraw.Draw(image)
    for _ in range(1500):
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randrange(256)
        draw.rectangle((x, y, x + rng.randrange(1, 4), y + rng.randrange(1, 4)), fill=(shade, shade, shade - 10))
    draw.rectangle((10, 10, width - 10, height - 10), outline=(20, 20, 20), width=4)
    best = b""
    for quality in range(30, 96, 5):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        best = buffer.getvalue()
        if len(best) >= target:
            break
    return best


def unique_jpeg(crop: bytes, number: int) -> bytes:
    """The same picture with a COM segment naming `number`: other bytes, another SHA-256, the same decode."""
    comment = f"bench {number:012d}".encode()
    return crop[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + crop[2:]


def plate_for(number: int) -> str:
    text = ""
    for _ in range(6):
        number, digit = divmod(number, len(ALPHABET))
        text += ALPHABET[digit]
    return "B" + text


def openalpr_document(plate: str, start: int, camera: int, crop_base64: str | None) -> dict[str, Any]:
    """One vehicle pass as an OpenALPR agent posts it (data_type alpr_group), with its plate crop (if given)."""
    candidates = [{"plate": plate, "confidence": 91.5, "matches_template": 1}]
    body = {
        "version": 2,
        "data_type": "alpr_group",
        "epoch_start": start,
        "epoch_end": start + 900,
        "frame_start": 10,
        "frame_end": 34,
        "agent_type": "alprd",
        "agent_uid": "bench-agent",
        "agent_version": "2.8.101",
        "camera_id": camera,
        "country": "us",
        "best_plate_number": plate,
        "best_confidence": 91.5,
        "best_region": "us-ca",
        "best_region_confidence": 80.1,
        "best_uuid": f"bench-agent-{camera}-{start}",
        "uuids": [f"bench-agent-{camera}-{start}"],
        "candidates": candidates,
        "is_parked": False,
        "travel_direction": 88.2,
        "vehicle": {
            "color": [{"name": "silver-gray", "confidence": 40.2}],
            "make": [{"name": "toyota", "confidence": 30.1}],
            "body_type": [{"name": "sedan-standard", "confidence": 55.0}],
        },
        "best_plate": {
            "plate": plate,
            "confidence": 91.5,
            "region": "us-ca",
            "plate_index": 0,
            "candidates": candidates,
            "coordinates": [{"x": 10, "y": 10}, {"x": 200, "y": 10}, {"x": 200, "y": 70}, {"x": 10, "y": 70}],
        },
    }
    if crop_base64 is not None:
        body["best_plate"]["plate_crop_jpeg"] = crop_base64
    return body


def openalpr_body(number: int, crop: bytes | None, camera: int = 1) -> bytes:
    """Post number `number`: its own plate, start time and crop (made unique by `unique_jpeg`)."""
    crop_base64 = None if crop is None else base64.b64encode(unique_jpeg(crop, number)).decode()
    return json.dumps(openalpr_document(plate_for(number), _start_of(number), camera, crop_base64)).encode()


def _start_of(number: int) -> int:
    return START_MS + (number * 7) % SPAN_MS


class OpenAlprPosts:
    """`openalpr_body`'s posts, built from a template made once. Dumping the document and encoding the crop for
    every post took 0.15 ms of this process's CPU, half of all it spent on a request, on the machine the server
    under test shares; filling in the template takes 8 µs."""

    # Stand-ins that occur nowhere else in a document; _END is _START + 900, as openalpr_document writes epoch_end.
    _PLATE, _START, _END, _CROP = "QQPLATEQQ", 9_100_000_000_001, 9_100_000_000_901, "QQCROPQQ"

    def __init__(self, crop: bytes | None, camera: int = 1) -> None:
        self.crop = crop
        sentinels = (self._PLATE, str(self._START), str(self._END), self._CROP)
        document = openalpr_document(self._PLATE, self._START, camera, None if crop is None else self._CROP)
        self._parts = re.split(f"({'|'.join(sentinels)})", json.dumps(document))
        # The unique segment goes in after the JPEG's first two bytes; 24 bytes with them, a whole number of
        # base64 groups, so the rest of the crop encodes the same for every post.
        self._tail = None if crop is None else base64.b64encode(crop[2:]).decode()

    def __call__(self, number: int) -> bytes:
        start = _start_of(number)
        values = {self._PLATE: plate_for(number), str(self._START): str(start), str(self._END): str(start + 900)}
        if self.crop is not None and self._tail is not None:
            head = unique_jpeg(self.crop[:2], number)
            whole_groups = len(head) % 3 == 0  # numbers below 10**12 (a 12-digit comment)
            crop = base64.b64encode(head).decode() + self._tail if whole_groups else self._encoded(number)
            values[self._CROP] = crop
        return "".join([values.get(part, part) for part in self._parts]).encode()

    def _encoded(self, number: int) -> str:
        assert self.crop is not None
        return base64.b64encode(unique_jpeg(self.crop, number)).decode()


def native_body(number: int, batch: int, camera: str) -> bytes:
    """A native batch of `batch` reads (no images), each with its own source id."""
    first = number * batch
    reads = [
        {
            "plate": plate_for(first + offset),
            "observed_at": START_MS + ((first + offset) * 3) % SPAN_MS,
            "camera_id": camera,
            "confidence": 88.5,
            "region": "US-CA",
            "source_id": f"bench-{first + offset}",
        }
        for offset in range(batch)
    ]
    return json.dumps({"reads": reads}, separators=(",", ":")).encode()


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    reads: int = 0  # reads the answers say were stored (plateledger) or parsed (the ceiling)
    sample_error: str | None = None


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)
        assert self.reader is not None
        self.writer.write(head + body)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        length = 0
        close = False
        for line in header.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"connection" and value.strip().lower() == b"close":
                close = True
        answer = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def request_head(host: str, port: int, path: str, length: int, token: str | None) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _one(connection: Connection, args: argparse.Namespace, body: bytes, tally: Tally, started: float) -> None:
    head = request_head(args.host, args.port, args.path, len(body), args.token)
    try:
        status, answer = await connection.request(head, body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        connection.close()
        tally.errors[type(error).__name__] += 1
        return
    tally.statuses[status] += 1
    if 200 <= status < 300:
        tally.latencies.append((time.perf_counter() - started) * 1000)
        document = json.loads(answer)
        tally.reads += int(document.get("stored", document.get("parsed", 0)))
    elif tally.sample_error is None:
        tally.sample_error = answer[:300].decode(errors="replace")


async def closed_loop(args: argparse.Namespace, make: Callable[[int], bytes], tally: Tally) -> float:
    counter = iter(range(args.offset, 1 << 62))
    deadline = time.perf_counter() + args.duration

    async def worker() -> None:
        connection = Connection(args.host, args.port)
        while time.perf_counter() < deadline:
            body = make(next(counter))
            await _one(connection, args, body, tally, time.perf_counter())
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    return time.perf_counter() - started


async def open_loop(args: argparse.Namespace, make: Callable[[int], bytes], tally: Tally) -> float:
    """`rate` requests a second on schedule over a pool of connections; latency counts from the schedule."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(args.concurrency):
        pool.put_nowait(Connection(args.host, args.port))
    total = int(args.rate * args.duration)
    interval = 1.0 / args.rate
    tasks = []

    async def send(number: int, scheduled: float) -> None:
        body = make(number)
        connection = await pool.get()
        try:
            await _one(connection, args, body, tally, scheduled)
        finally:
            pool.put_nowait(connection)

    started = time.perf_counter()
    for index in range(total):
        scheduled = started + index * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(args.offset + index, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().close()
    return elapsed


def summary(tally: Tally, elapsed: float, reads_per_request: int) -> dict[str, Any]:
    ok = len(tally.latencies)
    return {
        "requests_ok": ok,
        "statuses": {str(status): count for status, count in sorted(tally.statuses.items())},
        "errors": dict(tally.errors),
        "sample_error": tally.sample_error,
        "elapsed_s": round(elapsed, 3),
        "requests_per_s": round(ok / elapsed, 1) if elapsed else 0.0,
        "reads_per_s": round(tally.reads / elapsed, 1) if elapsed else 0.0,
        "reads_answered": tally.reads,
        "reads_sent": ok * reads_per_request,
        "latency_ms": {
            name: None if value is None else round(value, 2)
            for name, value in (
                ("p50", percentile(tally.latencies, 0.50)),
                ("p90", percentile(tally.latencies, 0.90)),
                ("p99", percentile(tally.latencies, 0.99)),
                ("max", max(tally.latencies) if tally.latencies else None),
            )
        },
    }


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True, help="the request path, with any query string")
    parser.add_argument("--token", default=None, help="a bearer token (leave out when the path carries ?key=)")
    parser.add_argument("--kind", choices=("openalpr", "native"), required=True)
    parser.add_argument("--mode", choices=("closed", "rate"), default="closed")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=500.0, help="requests a second (mode rate)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--batch", type=int, default=5000, help="reads per native batch")
    parser.add_argument("--camera", default="bench-cam", help="our camera id (native batches)")
    parser.add_argument("--offset", type=int, default=0, help="first body number (keeps runs apart)")
    parser.add_argument("--no-image", action="store_true", help="OpenALPR posts without their plate crop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    if args.kind == "openalpr":
        make: Callable[[int], bytes] = OpenAlprPosts(None if args.no_image else make_crop())
        reads_per_request = 1
    else:
        make = partial(native_body, batch=args.batch, camera=args.camera)
        reads_per_request = args.batch

    tally = Tally()
    runner = closed_loop if args.mode == "closed" else open_loop
    elapsed = asyncio.run(runner(args, make, tally))
    print(json.dumps(summary(tally, elapsed, reads_per_request)))


if __name__ == "__main__":
    main()

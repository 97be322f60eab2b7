"""Background load for `plateledger bench-alerts`: native batches of reads on no list, at a fixed rate, over
HTTP, from a process of its own. Prints one JSON line: reads sent, the rate achieved, errors, batch latencies.

    python -m plateledger.bench.alerts_load --port 8080 --token plk_... --camera bench-cam --rate 1000 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import string
import time


def _batch(rng: random.Random, size: int, camera: str) -> bytes:
    now = int(time.time() * 1000)
    reads = [
        {
            # eight characters: never the skeleton of a seven-character listed plate
            "plate": f"{rng.randrange(10)}{''.join(rng.choices(string.ascii_uppercase, k=4))}{rng.randrange(1000):03d}",
            "observed_at": now,
            "camera_id": camera,
            "region": "US-CA",
            "confidence": 90.0,
        }
        for _ in range(size)
    ]
    return json.dumps({"reads": reads}).encode()


def run(port: int, token: str, camera: str, rate: float, seconds: float, batch: int) -> dict[str, object]:
    rng = random.Random(5)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    interval = batch / rate
    started = time.perf_counter()
    sent = errors = 0
    latencies: list[float] = []
    next_at = started
    while (now := time.perf_counter()) - started < seconds:
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        body = _batch(rng, batch, camera)
        began = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/reads", body, headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        latencies.append(time.perf_counter() - began)
        if ok:
            sent += batch
        else:
            errors += 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "reads": sent,
        "seconds": round(elapsed, 2),
        "reads_per_s": round(sent / elapsed, 1),
        "errors": errors,
        "batch": batch,
        "batch_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
        "batch_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--camera", required=True)
    parser.add_argument("--rate", type=float, default=1000.0, help="reads a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=20, help="reads a request")
    arguments = parser.parse_args()
    figures = run(arguments.port, arguments.token, arguments.camera, arguments.rate, arguments.seconds, arguments.batch)
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()

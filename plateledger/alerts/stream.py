"""Live alerts to the browsers of on-duty users: a broker of Server-Sent Events subscribers per agency.

Each open `GET /api/v1/alerts/stream` is a subscriber with an asyncio queue on the server's event loop. The
alert worker (a plain thread) publishes with `call_soon_threadsafe`, so it never waits for a slow browser. A
subscriber whose queue is full loses the oldest events and is told how many it missed (it can list the alerts).

On duty: a user with an open stream, or one who said so with the explicit toggle; a user who toggled off duty
gets no alerts on an open stream.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

QUEUE_LIMIT = 1000


@dataclass(eq=False)
class Subscriber:
    agency_id: str
    username: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    missed: int = 0

    def offer(self, event: dict[str, Any]) -> None:
        """Runs on the subscriber's loop: queue the event, dropping the oldest when full."""
        if self.queue.full():
            self.queue.get_nowait()
            self.missed += 1
        self.queue.put_nowait(event)


def sse(event: dict[str, Any]) -> str:
    """One event in the text/event-stream format."""
    lines = [f"event: {event['event']}"]
    if "id" in event:
        lines.append(f"id: {event['id']}")
    lines.append(f"data: {json.dumps(event['data'], separators=(',', ':'))}")
    return "\n".join(lines) + "\n\n"


class AlertBroker:
    def __init__(self, off_duty: set[str] | None = None) -> None:
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._off_duty = set(off_duty or ())
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def subscribe(self, agency_id: str, username: str) -> Subscriber:
        """Called on the event loop that will read the subscriber's queue."""
        subscriber = Subscriber(agency_id, username, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.setdefault(agency_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            group = self._subscribers.get(subscriber.agency_id)
            if group is not None:
                group.discard(subscriber)
                if not group:
                    del self._subscribers[subscriber.agency_id]

    def set_off_duty(self, username: str, off: bool) -> None:
        with self._lock:
            if off:
                self._off_duty.add(username)
            else:
                self._off_duty.discard(username)

    def replace_off_duty(self, usernames: set[str]) -> None:
        """Who is off duty, as the database says (a toggle made through another server process included)."""
        with self._lock:
            self._off_duty = set(usernames)

    def streaming(self, agency_id: str) -> set[str]:
        """Users of the agency with an open stream (whatever their toggle says)."""
        with self._lock:
            return {subscriber.username for subscriber in self._subscribers.get(agency_id, ())}

    def publish(self, agency_id: str, kind: str, data: dict[str, Any]) -> int:
        """Send an event to the agency's on-duty subscribers; returns how many it was sent to. Thread-safe."""
        event = {"event": kind, "id": str(next(self._ids)), "data": data}
        with self._lock:
            targets = [s for s in self._subscribers.get(agency_id, ()) if s.username not in self._off_duty]
        sent = 0
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.offer, event)
                sent += 1
            except RuntimeError:  # the loop has closed: the stream is gone
                self.unsubscribe(subscriber)
        return sent

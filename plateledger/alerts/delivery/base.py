"""Delivery channels: one registry, one small module per kind of target (apprise, webhook, MQTT).

A channel is a function `(target, message) -> None` that raises DeliveryError (or any exception) when the
target did not take the alert; the worker records the failure and retries with backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plateledger.hotlists.targets import Target


class DeliveryError(Exception):
    """The target did not accept the alert: what it said, in words."""


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One alert as it leaves the system: a title and text for people, a JSON payload for programs."""

    title: str
    body: str
    payload: dict[str, Any]


Channel = Callable[[Any, AlertMessage], None]
_CHANNELS: dict[str, Channel] = {}


def register_channel(kind: str) -> Callable[[Channel], Channel]:
    def register(channel: Channel) -> Channel:
        if kind in _CHANNELS:
            raise ValueError(f"delivery channel {kind!r} is registered twice")
        _CHANNELS[kind] = channel
        return channel

    return register


def channel_for(target: Target) -> Channel:
    try:
        return _CHANNELS[target.type]
    except KeyError:
        raise DeliveryError(f"no delivery channel for targets of type {target.type!r}") from None

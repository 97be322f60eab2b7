"""The Frigate MQTT subscriber of `plateledger serve`, when the settings name a broker (off by default), and of
`plateledger frigate`, which runs one on its own."""

from __future__ import annotations

import logging

from plateledger.api.services import Services
from plateledger.ingest import CameraInfo, camera_info
from plateledger.ingest.frigate_mqtt import FrigateSubscriber
from plateledger.store.contract import NotFound

log = logging.getLogger(__name__)


def frigate_subscriber(services: Services) -> FrigateSubscriber | None:
    """A subscriber for the configured broker; None when not configured."""
    settings = services.settings
    if not settings.frigate_mqtt_host:
        return None
    password = settings.frigate_mqtt_password
    return subscriber_for(
        services,
        settings.frigate_mqtt_host,
        settings.frigate_mqtt_port,
        settings.frigate_topic_prefix,
        settings.frigate_camera_map,
        username=settings.frigate_mqtt_username,
        password=None if password is None else password.get_secret_value(),
    )


def subscriber_for(
    services: Services,
    host: str,
    port: int,
    topic_prefix: str,
    camera_map: dict[str, str],
    *,
    username: str | None = None,
    password: str | None = None,
) -> FrigateSubscriber:
    """A subscriber whose reads go through the services' ingestor (group commit and the hot-list hook like
    HTTP reads, unreadable messages to the dead letters). ValueError names a mapped camera not registered."""
    return FrigateSubscriber(
        host,
        port,
        topic_prefix,
        mapped_cameras(services, camera_map),
        services.ingestor.append_reads,
        deadletters=services.ingestor.deadletters,
        username=username,
        password=password,
    )


def mapped_cameras(services: Services, camera_map: dict[str, str]) -> dict[str, CameraInfo]:
    """Each Frigate camera's registered camera; ValueError names a mapped camera not registered."""
    cameras = {}
    for name, ours in camera_map.items():
        try:
            cameras[name] = camera_info(services.store, ours)
        except NotFound:
            raise ValueError(f"frigate_camera_map: {name} -> {ours!r}, which is not a registered camera") from None
    return cameras

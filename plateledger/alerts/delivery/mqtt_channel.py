"""MQTT: the alert as JSON, published with QoS 1 (the broker acknowledges it) on the target's topic."""

from __future__ import annotations

import json

import paho.mqtt.client as mqtt

from plateledger.alerts.delivery.base import AlertMessage, DeliveryError, register_channel
from plateledger.hotlists.targets import MqttTarget

TIMEOUT_SECONDS = 10.0


@register_channel("mqtt")
def send_mqtt(target: MqttTarget, message: AlertMessage) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if target.username is not None:
        client.username_pw_set(target.username, target.password)
    try:
        client.connect(target.host, target.port, keepalive=30)
    except OSError as error:
        raise DeliveryError(f"could not reach the broker {target.host}:{target.port}: {error}") from None
    client.loop_start()
    try:
        info = client.publish(target.topic, json.dumps(message.payload, sort_keys=True), qos=1)
        info.wait_for_publish(TIMEOUT_SECONDS)
        if not info.is_published():
            raise DeliveryError(f"the broker did not acknowledge the message (rc {info.rc})")
    except (RuntimeError, ValueError) as error:
        raise DeliveryError(f"publish failed: {error}") from None
    finally:
        client.disconnect()
        client.loop_stop()

"""Alert delivery besides the live stream: email and SMS (apprise), signed webhooks, MQTT; retried, recorded."""

from plateledger.alerts.delivery import apprise_channel, mqtt_channel, webhook  # noqa: F401  (channels register)
from plateledger.alerts.delivery.base import AlertMessage, DeliveryError, register_channel
from plateledger.alerts.delivery.worker import Deliverer

__all__ = ["AlertMessage", "Deliverer", "DeliveryError", "register_channel"]

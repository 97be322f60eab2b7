"""Email, SMS and the other services apprise knows, by URL (mailto://, mailtos://, twilio:// ...)."""

from __future__ import annotations

import logging

from plateledger.alerts.delivery.base import AlertMessage, DeliveryError, register_channel
from plateledger.hotlists.targets import AppriseTarget


@register_channel("apprise")
def send_apprise(target: AppriseTarget, message: AlertMessage) -> None:
    import apprise  # imported on first use: it takes a fifth of a second

    notifier = apprise.Apprise()
    if not notifier.add(target.url):
        raise DeliveryError("apprise does not understand this URL")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        delivered = notifier.notify(title=message.title, body=message.body)
    if not delivered:
        said = " ".join(line.split(" - ", 2)[-1].strip() for line in captured.getvalue().splitlines() if line)
        raise DeliveryError(said or "apprise reported a failure")

"""Signed webhooks: the alert as JSON in an HTTP POST, signed with HMAC-SHA256.

Headers: `X-PlateLedger-Timestamp: <unix seconds>` and `X-PlateLedger-Signature: sha256=<hex>`, where the hex is
HMAC-SHA256(secret, "<timestamp>.<body bytes>"). A receiver recomputes it, compares in constant time, and
refuses timestamps more than a few minutes old (replays). Any 2xx answer is a delivery; anything else a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from plateledger import __version__
from plateledger.alerts.delivery.base import AlertMessage, DeliveryError, register_channel
from plateledger.hotlists.targets import WebhookTarget

TIMESTAMP_HEADER = "X-PlateLedger-Timestamp"
SIGNATURE_HEADER = "X-PlateLedger-Signature"
TIMEOUT_SECONDS = 10.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, body: bytes, signed: str, max_age_s: float = 300.0) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= max_age_s and hmac.compare_digest(signature(secret, timestamp, body), signed)


@register_channel("webhook")
def send_webhook(target: WebhookTarget, message: AlertMessage) -> None:
    body = json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        target.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"plateledger/{__version__}",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(target.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"could not reach {target.url}: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")

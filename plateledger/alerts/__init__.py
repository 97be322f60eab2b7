"""Alerts: hot-list hits raised on ingest, delivered live and elsewhere, verified or rejected by a human."""

from plateledger.alerts.model import DISPOSITIONS, REJECTIONS, Alert
from plateledger.alerts.runtime import Alerting
from plateledger.alerts.transparency import disposition_counts
from plateledger.alerts.wording import describe

__all__ = ["DISPOSITIONS", "REJECTIONS", "Alert", "Alerting", "describe", "disposition_counts"]

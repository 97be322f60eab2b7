"""Access logs without credentials: an ingest key sent as `?key=` (OpenALPR agents) is masked."""

from __future__ import annotations

import logging
import re

_KEY = re.compile(r"([?&]key=)[^&\s]*")


class RedactKeys(logging.Filter):
    """Mask `key=` query values in uvicorn's access log lines (the path is one of the record's args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_KEY.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def redact_access_log() -> None:
    logging.getLogger("uvicorn.access").addFilter(RedactKeys())

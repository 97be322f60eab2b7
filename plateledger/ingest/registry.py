"""The one registry of ingest adapters: `@register_adapter("key")` on a class.

Built-in adapters register exactly like third-party ones: their modules are listed in DEFAULT_ADAPTERS and
imported on first use, and packages may add adapters through the `plateledger.ingest_adapters` entry point
group (the entry point names a module that registers on import). Nothing scans for subclasses.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar

from plateledger.ingest.model import IngestContext, ParsedPayload

log = logging.getLogger(__name__)

DEFAULT_ADAPTERS = (
    "plateledger.ingest.adapters.native",
    "plateledger.ingest.adapters.openalpr",
    "plateledger.ingest.adapters.platerecognizer",
    "plateledger.ingest.adapters.frigate",
)
ENTRY_POINT_GROUP = "plateledger.ingest_adapters"


class Adapter(Protocol):
    """An ingest adapter: one source format in, ParsedPayload out. Raises PayloadError or UnknownFormat."""

    key: str

    def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload: ...


AdapterClass = TypeVar("AdapterClass", bound=type)

_ADAPTERS: dict[str, type] = {}
_loaded = False
_loading = threading.RLock()  # re-entrant: a plug-in module may look adapters up on import


class UnknownAdapter(KeyError):
    pass


def register_adapter(key: str) -> Callable[[AdapterClass], AdapterClass]:
    """Class decorator: make an adapter known under `key` (its `key` attribute is set to match)."""

    def register(cls: AdapterClass) -> AdapterClass:
        if key in _ADAPTERS and _ADAPTERS[key] is not cls:
            raise ValueError(f"ingest adapter {key!r} is registered twice")
        cls.key = key  # type: ignore[attr-defined]
        _ADAPTERS[key] = cls
        return cls

    return register


def ensure_adapters_loaded() -> None:
    """Import the built-in adapter modules and the entry-point plug-ins, once (thread-safe: a server's first
    requests arrive together, and none may see a half-filled registry)."""
    global _loaded
    if _loaded:
        return
    with _loading:
        if _loaded:
            return
        for module in DEFAULT_ADAPTERS:
            importlib.import_module(module)
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                entry.load()
            except Exception:
                log.exception("ingest adapter plug-in %s failed to load", entry.name)
        _loaded = True


def adapter_keys() -> list[str]:
    ensure_adapters_loaded()
    return sorted(_ADAPTERS)


def get_adapter(key: str, **options: Any) -> Adapter:
    """A new adapter instance for `key` (options go to its constructor)."""
    ensure_adapters_loaded()
    try:
        cls = _ADAPTERS[key]
    except KeyError:
        raise UnknownAdapter(f"no ingest adapter {key!r}; known: {', '.join(sorted(_ADAPTERS))}") from None
    return cls(**options)  # type: ignore[no-any-return]

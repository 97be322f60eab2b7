"""Who may post reads for which camera: the ingest context of a credential, and refusals in the ledger.

An ingest credential is an API key with scope `ingest`, bound to its agency and, optionally, to cameras and
an agent's source-camera map (plateledger.ingest.bindings). `IngestSenders.context` turns a key into the
`IngestContext` the adapters work with (cached per key for a few seconds: it is built on every request).
Every refusal, whether 401 (no or bad credential) or 403 (wrong scope, agency or camera), is recorded in the
ledger as `ingest_refused` with the reason and the credential's id, never its secret.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder, record
from plateledger.access.tokens import split_api_key
from plateledger.ingest import IngestContext, context_for_camera
from plateledger.ingest.bindings import Binding, IngestBindings
from plateledger.policy.decision import Decision, Refused
from plateledger.reads import now_ms
from plateledger.store.contract import NotFound, ReadStore

CONTEXT_SECONDS = 5.0  # a cached context is rebuilt after this (cameras registered by another process)


def credential_id(token: str | None) -> str | None:
    """The id part of an API key token (not secret: it names the key); None for anything else."""
    if token is None:
        return None
    parts = split_api_key(token)
    return None if parts is None else parts[0]


def key_id_of(principal: Principal) -> str:
    return principal.name.removeprefix("api_key:")


def record_refusal(
    ledger: Recorder,
    reason: str,
    *,
    route: str,
    credential: str | None,
    agency: str | None = None,
    status: int = 403,
    **parameters: Any,
) -> None:
    record(
        ledger,
        "ingest_refused",
        user=f"api_key:{credential}" if credential else None,
        agency=agency,
        outcome="refused",
        reason=reason,
        parameters={"route": route, "credential_id": credential, "status": status, **parameters},
    )


class IngestSenders:
    def __init__(self, store: ReadStore, bindings: IngestBindings, ledger: Recorder) -> None:
        self.store = store
        self.bindings = bindings
        self.ledger = ledger
        self._cache: dict[str, tuple[float, int, IngestContext, Binding]] = {}
        self._lock = threading.Lock()

    def binding(self, principal: Principal) -> Binding:
        return self.bindings.get(key_id_of(principal), principal.agency_id)

    def _build(self, binding: Binding) -> IngestContext:
        if binding.camera_key:  # the payload's own camera numbering does not matter
            return context_for_camera(self.store, binding.cameras[0], credential_id=binding.key_id)
        allowed = binding.allowed()
        if allowed is None:
            ids: Iterable[str] = [camera.id for camera in self.store.list_cameras(binding.agency_id)]
        else:
            ids = sorted(allowed)
        sources = {camera_id: camera_id for camera_id in ids}
        sources.update(binding.sources)
        return context_for_camera(self.store, binding.default, sources=sources, credential_id=binding.key_id)

    def context(self, principal: Principal, *, fresh: bool = False) -> tuple[IngestContext, Binding]:
        """The context of an ingest key (received now), and its binding."""
        key_id = key_id_of(principal)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if fresh or cached is None or cached[1] != self.bindings.version or now - cached[0] > CONTEXT_SECONDS:
            binding = self.binding(principal)
            cached = (now, self.bindings.version, self._build(binding), binding)
            with self._lock:
                self._cache[key_id] = cached
        return replace(cached[2], received_ms=now_ms()), cached[3]

    def forget(self) -> None:
        """Drop every cached context (a camera or a binding changed)."""
        with self._lock:
            self._cache.clear()

    def check_cameras(
        self, principal: Principal, context: IngestContext, binding: Binding, camera_ids: set[str], route: str
    ) -> IngestContext:
        """Refuse (403, recorded) a payload naming a registered camera this key may not post for: another
        agency's, or one outside the key's cameras. Unknown cameras are left to the per-item refusal."""
        missing = camera_ids - set(context.cameras())
        if not missing:
            return context
        refresh = False
        for camera_id in sorted(missing):
            try:
                camera = self.store.get_camera(camera_id)
            except (NotFound, ValueError):
                continue
            allowed = binding.allowed()
            if camera.agency_id == principal.agency_id and (allowed is None or camera_id in allowed):
                refresh = True  # registered since the context was cached
                continue
            reason = (
                f"camera {camera_id!r} belongs to agency {camera.agency_id}, not {principal.agency_id}"
                if camera.agency_id != principal.agency_id
                else f"this credential may not post for camera {camera_id!r}"
            )
            record_refusal(
                self.ledger, reason, route=route, credential=key_id_of(principal), agency=principal.agency_id
            )
            raise Refused(Decision.deny(reason, "forbidden", 403, "camera_id"))
        return self.context(principal, fresh=True)[0] if refresh else context

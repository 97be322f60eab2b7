"""One small synthetic stream shared by the synth tests (module-independent, made once per session)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from plateledger.reads import NewRead
from plateledger.synth import Network, build_network, generate_reads


@dataclass(frozen=True)
class Stream:
    start_ms: int = 1_767_571_200_000  # 2026-01-05T00:00:00Z, a Monday
    days: float = 3.0
    n_reads: int = 60_000
    seed: int = 11
    batch_size: int = 7_000


@pytest.fixture(scope="session")
def stream() -> Stream:
    return Stream()


@pytest.fixture(scope="session")
def network(stream: Stream) -> Network:
    return build_network(stream.seed)


@pytest.fixture(scope="session")
def batches(network: Network, stream: Stream) -> list[list[NewRead]]:
    s = stream
    return list(
        generate_reads(network, s.n_reads, seed=s.seed, start_ms=s.start_ms, days=s.days, batch_size=s.batch_size)
    )


@pytest.fixture(scope="session")
def reads(batches: list[list[NewRead]]) -> list[NewRead]:
    return [read for batch in batches for read in batch]

"""The benchmark commands run end to end on tiny sizes and write the figures their docs promise.

These check shapes and bookkeeping, never speed: figures are reported (docs/benchmarks.md), not asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plateledger.bench.ingest_http import run_ingest_bench
from plateledger.cli import app

STORE_KEYS = {
    "reads",
    "ingest_reads_per_s",
    "lookup_p50_ms",
    "lookup_p99_ms",
    "near_p99_ms",
    "wildcard_p99_ms",
    "area_p99_ms",
    "bytes_per_read",
}


def test_bench_writes_the_store_figures_beside_the_baseline(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    result = CliRunner().invoke(
        app, ["bench", "--reads", "3000", "--queries", "5", "--out", str(out), "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert figures.keys() >= STORE_KEYS
    assert figures["baseline"].keys() >= STORE_KEYS
    assert figures["reads"] == figures["baseline"]["reads"] == 3000
    for key in STORE_KEYS - {"reads"}:
        assert figures[key] > 0, key
    assert figures["baseline"]["near_p99_ms"] is None  # the single-table baseline has no near search


@pytest.mark.timeout(300)
def test_bench_ingest_runs_every_scenario_and_loses_no_read(tmp_path: Path) -> None:
    figures = run_ingest_bench(duration=0.5, rate=40.0, batch=200, group_commit=[True], workers=2, directory=tmp_path)
    scenarios = ("single", "batches", "latency", "single_no_image", "latency_no_image")
    for label in ("plateledger", "plateledger_2_workers"):  # one server process, then `serve --workers 2`
        ours = figures[label]
        for name in scenarios:
            assert ours[name]["requests_ok"] > 0, (label, name)
            assert ours[name]["errors"] == {}, (label, name)
            assert set(ours[name]["statuses"]) == {"200"}, (label, name)
            cpu = ours[name]["server_cpu_ms_per_request"]
            assert cpu is None or cpu > 0  # None only where /proc is missing
        # Every read answered as stored is in the store (each scenario sends reads of its own).
        assert ours["reads_in_store"] == sum(ours[name]["reads_answered"] for name in scenarios), label
    for name in scenarios:
        assert figures["ceiling"][name]["requests_ok"] > 0, name

"""Dead letters: kept whole, listed, shown, reprocessed once the adapter or mapping is fixed, discarded, never
deleted. Through the Ingestor and through `plateledger deadletters`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plateledger.cli import app
from plateledger.ingest import IngestContext, Ingestor, ParsedPayload, Rejected
from plateledger.ingest import registry as adapter_registry
from plateledger.ingest.adapters.openalpr import OpenAlprAdapter
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.reads import NewRead
from plateledger.store.sqlite import SqliteReadStore

GROUP = "openalpr/alpr_group_v2.json"


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Any]:
    runner = CliRunner()
    paths = ["--data", str(tmp_path)]  # the fixtures' files are a data directory's (tests/ingest/conftest.py)

    def run(*args: str) -> Any:
        return runner.invoke(app, ["deadletters", *args, *paths])

    return run


def test_an_unmapped_camera_is_dead_lettered_then_reprocessed_with_a_mapping(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    deadletters: DeadLetterStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
    cli: Callable[..., Any],
) -> None:
    body = shared_payload(GROUP)
    agent = IngestContext(credential_id="key-17", sources={})  # an agent credential with no camera mapped yet
    with pytest.raises(Rejected) as caught:
        ingestor.receive("openalpr", body, agent)
    assert (caught.value.status, caught.value.field) == (422, "camera_id")
    assert caught.value.reason == "source camera '1234' is not mapped to a registered camera"

    listed = cli("list")
    assert listed.exit_code == 0
    assert "\tpending\topenalpr\thttp\tcamera=-\t" in listed.output
    assert "camera_id: source camera '1234' is not mapped" in listed.output
    shown = cli("show", "1")
    assert '"credential_id": "key-17"' in shown.output and '"best_plate_number": "D2651BF"' in shown.output

    again = cli("reprocess", "1")  # nothing fixed yet: still failing, still pending
    assert again.exit_code == 1 and "still failing" in again.output
    assert (deadletters.get(1).status, deadletters.get(1).attempts) == ("pending", 1)

    fixed = cli("reprocess", "1", "--source-camera", "1234=patrol-7")
    assert fixed.exit_code == 0, fixed.output
    assert "1: reprocessed (reads): 1 stored, 0 duplicates, 0 refused" in fixed.output
    letter = deadletters.get(1)
    assert letter.status == "reprocessed" and letter.body == body  # kept whole, marked
    assert letter.resolution is not None and letter.resolution["stored"] == 1
    reopened = SqliteReadStore(read_store.path)
    assert reopened.get_read(letter.resolution["read_ids"][0]).plate == "D2651BF"
    reopened.close()
    assert "pending" not in cli("list").output.split("counts:")[0]
    assert "\treprocessed\t" in cli("list", "--all").output


def test_a_fixed_adapter_reprocesses_what_it_could_not_read(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    deadletters: DeadLetterStore,
    context_for: Callable[..., IngestContext],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = json.dumps({"data_type": "alpr_new_kind", "plate": "NEW123", "epoch_time": 1700000000000}).encode()
    for _ in range(2):
        with pytest.raises(Rejected):
            ingestor.receive("openalpr", body, context_for("gate-1"))

    class FixedOpenAlpr(OpenAlprAdapter):
        def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
            data = json.loads(payload) if isinstance(payload, bytes) else payload
            if data.get("data_type") != "alpr_new_kind":
                return super().parse(payload, context)
            parsed = ParsedPayload(adapter="openalpr", context=context)
            parsed.add(NewRead(data["plate"], data["epoch_time"], context.resolve(None).id, source_id="new:1"))
            return parsed

    monkeypatch.setitem(adapter_registry._ADAPTERS, "openalpr", FixedOpenAlpr)
    first, second = (ingestor.reprocess(letter.id) for letter in deadletters.list())
    assert (first.stored, second.duplicates) == (1, 1)  # the same payload twice is still one read
    assert deadletters.counts() == {"reprocessed": 2}
    with pytest.raises(ValueError, match="not pending"):
        ingestor.reprocess(1)


def test_discard_keeps_the_letter(
    ingestor: Ingestor, deadletters: DeadLetterStore, context_for: Callable[..., IngestContext], cli: Callable[..., Any]
) -> None:
    with pytest.raises(Rejected):
        ingestor.receive("native", b"not json at all", context_for("gate-1"))
    result = cli("discard", "1", "--reason", "test traffic from the installer", "--by", "ops")
    assert result.exit_code == 0 and "1: discarded" in result.output
    letter = deadletters.get(1)
    assert letter.status == "discarded" and letter.body == b"not json at all"
    assert letter.resolution == {"discarded": "test traffic from the installer", "by": "ops"}
    assert cli("discard", "1", "--reason", "again").exit_code == 1
    assert cli("reprocess", "--all").exit_code == 2  # nothing pending
    assert cli("show", "99").exit_code == 1
    assert deadletters.counts() == {"discarded": 1}

"""Editing the ledger file directly, with the append-only triggers dropped first, is caught by verify()."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from plateledger.audit import AuditEntry, AuditLedger
from plateledger.audit.chain import entry_hash
from plateledger.audit.queries import COLUMNS, INSERT_ENTRY, insert_values, to_stored

from .conftest import search, tamper, verify_file

SHIFT_UP = (
    "UPDATE entries SET seq = seq + 1000000 WHERE seq >= 5",
    "UPDATE entries SET seq = seq - 1000000 + 1 WHERE seq > 1000000",
)


def stored(path: Path, seq: int) -> AuditEntry:
    """An entry read straight from the file."""
    connection = sqlite3.connect(path)
    try:
        return to_stored(connection.execute(f"SELECT {COLUMNS} FROM entries WHERE seq = ?", (seq,)).fetchone()).entry
    finally:
        connection.close()


def test_intact_file_verifies(filled: Path) -> None:
    result = verify_file(filled)
    assert (result.ok, result.entries, result.first_bad, result.warnings) == (True, 10, None, ())


def test_editing_a_field_of_entry_5_is_named(filled: Path) -> None:
    tamper(filled, "UPDATE entries SET result_count = 0 WHERE seq = 5")
    result = verify_file(filled)
    assert not result.ok
    assert result.first_bad == 5
    assert "hash mismatch" in result.reason
    assert result.entries == 4


@pytest.mark.parametrize("seq", range(1, 11))
@pytest.mark.parametrize(
    ("column", "value"),
    [("user", "someone-else"), ("justification", "ADMINISTRATIVE"), ("ts_ms", 0), ("parameters", '{"plate":"X"}')],
)
def test_any_field_edit_of_any_entry_is_named(filled: Path, seq: int, column: str, value: object) -> None:
    tamper(filled, (f"UPDATE entries SET {column} = ? WHERE seq = ?", (value, seq)))
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, seq)


def test_edit_with_recomputed_hash_breaks_the_link_to_the_next_entry(filled: Path) -> None:
    forged = replace(stored(filled, 5), case_number="ALTERED")
    forged = replace(forged, entry_hash=entry_hash(forged))
    tamper(filled, "DELETE FROM entries WHERE seq = 5", (INSERT_ENTRY, insert_values(forged)))
    result = verify_file(filled)
    assert not result.ok
    assert result.first_bad == 5
    assert "chain broken" in result.reason


def test_deleting_entry_7_is_named_as_a_gap(filled: Path) -> None:
    tamper(filled, "DELETE FROM entries WHERE seq = 7")
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 7)
    assert "sequence gap" in result.reason
    assert "entry 7 is missing" in result.reason


def test_forged_entry_inserted_in_the_middle_is_named(filled: Path) -> None:
    """The forger renumbers 5..10 to 6..11 and inserts a well-formed entry 5 that chains from 4."""
    before = stored(filled, 4)
    forged = replace(stored(filled, 5), user="ghost", prev_hash=before.entry_hash)
    forged = replace(forged, entry_hash=entry_hash(forged))
    tamper(filled, *SHIFT_UP, (INSERT_ENTRY, insert_values(forged)))
    result = verify_file(filled)
    assert not result.ok
    assert result.first_bad == 5
    assert "chain broken" in result.reason


def test_swapping_two_sequence_numbers_is_named(filled: Path) -> None:
    tamper(
        filled,
        "UPDATE entries SET seq = -3 WHERE seq = 3",
        "UPDATE entries SET seq = 3 WHERE seq = 4",
        "UPDATE entries SET seq = 4 WHERE seq = -3",
    )
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 3)
    assert "out of order" in result.reason


def test_deleting_the_last_two_entries_is_caught_by_the_head(filled: Path) -> None:
    tamper(filled, "DELETE FROM entries WHERE seq > 8")
    result = verify_file(filled)
    assert (result.ok, result.first_bad, result.entries) == (False, 9, 8)
    assert "truncated" in result.reason


def test_deleting_every_entry_is_caught_by_the_head(filled: Path) -> None:
    tamper(filled, "DELETE FROM entries")
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 1)


def test_deleting_the_head_record_is_reported(filled: Path) -> None:
    tamper(filled, "DELETE FROM head")
    result = verify_file(filled)
    assert not result.ok
    assert "head record missing" in result.reason


def test_appending_without_the_head_is_caught(filled: Path) -> None:
    last = stored(filled, 10)
    forged = replace(last, seq=11, prev_hash=last.entry_hash, user="ghost")
    forged = replace(forged, entry_hash=entry_hash(forged))
    tamper(filled, (INSERT_ENTRY, insert_values(forged)))
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 11)


def test_undecodable_parameters_are_damage(filled: Path) -> None:
    tamper(filled, "UPDATE entries SET parameters = 'not json' WHERE seq = 2")
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 2)


def test_editing_the_plate_index_column_is_caught(filled: Path) -> None:
    tamper(filled, "UPDATE entries SET plate = 'OTHER1' WHERE seq = 6")
    result = verify_file(filled)
    assert (result.ok, result.first_bad) == (False, 6)
    assert "index column" in result.reason


def test_dropped_triggers_are_a_warning_on_an_intact_chain(filled: Path) -> None:
    tamper(filled)
    result = verify_file(filled)
    assert result.ok
    assert result.warnings and "triggers missing" in result.warnings[0]


def test_a_full_rewrite_needs_a_published_anchor(filled: Path) -> None:
    """Rewriting every hash after an edit, and the head, passes the chain alone; an anchor kept elsewhere fails it."""
    with AuditLedger(filled, read_only=True) as opened:
        anchor = opened.head()
    entries = [stored(filled, seq) for seq in range(1, 11)]
    rewritten, prev = [], entries[0].prev_hash
    for entry in entries:
        changed = replace(entry, prev_hash=prev, user="ghost" if entry.seq == 3 else entry.user)
        changed = replace(changed, entry_hash=entry_hash(changed))
        rewritten.append(changed)
        prev = changed.entry_hash
    steps = ["DELETE FROM entries"] + [(INSERT_ENTRY, insert_values(entry)) for entry in rewritten]
    tamper(filled, *steps, ("UPDATE head SET last_hash = ?", (prev,)))
    assert verify_file(filled).ok
    with AuditLedger(filled, read_only=True) as opened:
        result = opened.verify(anchor=anchor)
    assert (result.ok, result.first_bad) == (False, 10)
    assert "anchor" in result.reason


def test_a_live_ledger_sees_tampering_done_while_it_is_open(ledger: AuditLedger, ledger_path: Path) -> None:
    for _ in range(6):
        ledger.record(search())
    tamper(ledger_path, "UPDATE entries SET agency = 'elsewhere' WHERE seq = 5")
    result = ledger.verify()
    assert (result.ok, result.first_bad) == (False, 5)

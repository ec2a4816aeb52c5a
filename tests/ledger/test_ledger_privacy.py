"""Nothing in the ledger's files holds a full number or a credential; the files are private; big sends are fast."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest
from ledger_support import NO_BUDGETS, NOW, number, other_write, sms

from iletimerkezi_mcp.ledger import Reserved, SqliteLedger

API_KEY = "apikey-7Qz9XkLm2Pw4"
API_HASH = "f3c1a9e07b5d4c2e8a6f0b1d9c7e5a3b"  # looks like the account's hex hash
PASSWORD = "s3cr3t-Pa55word"


def _windows(blob: bytes) -> set[bytes]:
    """Every 10-digit window of every run of 10+ digits in `blob`."""
    found: set[bytes] = set()
    for run in re.findall(rb"\d{10,}", blob):
        found.update(run[i:i + 10] for i in range(len(run) - 9))
    return found


def test_no_full_number_or_credential_in_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILETIMERKEZI_API_KEY", API_KEY)
    monkeypatch.setenv("ILETIMERKEZI_API_HASH", API_HASH)
    path = tmp_path / "data" / "ledger.sqlite3"
    ledger = SqliteLedger(path, clock=lambda: NOW)
    numbers = [number(i * 7919 % 10_000_000) for i in range(3000)]
    digest = "9a" * 32
    for i in range(200):
        record = sms(numbers[i:i + 3], text=f"Kargonuz yolda #{i}", binding=f"https://user:{PASSWORD}@api.example")
        result = ledger.reserve(record, NO_BUDGETS, confirmation="token", token=(f"{i:032x}", NOW + 300), now=NOW + i)
        assert isinstance(result, Reserved)
        ledger.settle(result.row_id, "sent", order_id=str(50_000_000 + i), now=NOW + i)
    ledger.reserve(sms(numbers, text="Kampanya", credits=3000), NO_BUDGETS, confirmation="elicitation", now=NOW)
    ledger.reserve(sms(numbers[:50], text="Deneme", dry_run=True), NO_BUDGETS, confirmation="not-needed", now=NOW)
    ledger.reserve(other_write("add_blacklist", [numbers[-1]]), NO_BUDGETS, confirmation="not-needed", now=NOW)
    assert ledger.secret("confirmation")
    assert {row.binding for row in ledger.history(limit=500)[0]} == {"https://api.example", "https://api.iletimerkezi.com"}

    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    assert all(f.exists() for f in files), "WAL mode keeps -wal and -shm while open"
    blobs = {f.name: f.read_bytes() for f in files}
    ledger.close()
    blobs["closed"] = path.read_bytes()

    nationals = {n[2:].encode() for n in numbers}
    for name, blob in blobs.items():
        assert not (_windows(blob) & nationals), f"a full number is in {name}"
        for secret in (API_KEY, API_HASH, PASSWORD, digest):
            assert secret.encode() not in blob, f"{secret} is in {name}"
    everything = b"".join(blobs.values())  # the scan does see the rows: their masked numbers and texts are there
    assert b"+90 53* *** ** " in everything and b"Kargonuz yolda #199" in everything


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "ledger.sqlite3"
    ledger = SqliteLedger(path, clock=lambda: NOW)
    ledger.reserve(sms([number(1)]), NO_BUDGETS, confirmation="not-needed", now=NOW)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
    ledger.close()


def test_a_loose_existing_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    SqliteLedger(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_50000_recipient_send_is_reserved_quickly(tmp_path: Path) -> None:
    ledger = SqliteLedger(tmp_path / "ledger.sqlite3", clock=lambda: NOW)
    ledger.secret("numbers")
    numbers = [f"905{i:09d}" for i in range(50_000)]
    record = sms(numbers, text="Büyük kampanya", credits=50_000)
    started = time.perf_counter()
    result = ledger.reserve(record, NO_BUDGETS, confirmation="elicitation", now=NOW)
    took = time.perf_counter() - started
    assert isinstance(result, Reserved)
    assert ledger.history()[0][0].recipient_count == 50_000
    # The target is 0.3 s on a developer machine (about 0.17 s measured); the bound leaves room for slow CI.
    assert took < 2.0, f"reserving 50,000 recipients took {took:.2f} s"
    started = time.perf_counter()
    again = ledger.reserve(record, NO_BUDGETS, confirmation="not-needed", now=NOW + 1)
    assert again.__class__.__name__ == "NeedsConfirmation"  # the duplicate guard, over 50,000 numbers
    assert time.perf_counter() - started < 2.0
    ledger.close()

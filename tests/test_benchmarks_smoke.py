"""The benchmark runs end to end with tiny counts (`--quick`), so it cannot rot unnoticed.

It asserts structure and sanity (every row, finite positive numbers, consistent spreads,
the machine facts, the import profile), never speed: a slow machine must not fail this.
Everything binds 127.0.0.1; the manifest URL points at a closed local port.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "benchmarks" / "run.py"
ROWS = {
    "startup_cold", "startup_warm", "startup_snapshot", "per_call", "per_call_minimal", "per_call_sdk",
    "concurrency", "concurrency_minimal", "concurrency_raw", "memory", "manifest_load",
    "large_send", "large_iys", "large_send_memory", "tool_list_model", "tool_list_whole",
}
TARGETED = {"startup_cold", "startup_warm", "startup_snapshot", "per_call", "concurrency", "memory", "large_send",
            "large_iys", "large_send_memory", "tool_list_model", "tool_list_whole"}
FACTS = ("Date (UTC)", "CPU", "Cores (logical)", "RAM", "OS", "Python", "mcp", "httpx", "pydantic")


def _expected_rows() -> set[str]:
    # Peak RSS comes from /proc; without it (not Linux) the memory rows are left out.
    return ROWS if Path("/proc/self/status").exists() else ROWS - {"memory", "large_send_memory"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    markdown, raw = out / "RESULTS.md", out / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--output", str(markdown), "--json", str(raw)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode == 0, f"benchmark failed:\n{proc.stderr[-4000:]}"
    return json.loads(raw.read_text(encoding="utf-8")), markdown.read_text(encoding="utf-8")


def _check_series(series: dict, where: str) -> None:
    values = series["values"]
    assert series["n"] == len(values) >= 1, where
    assert all(math.isfinite(v) and v > 0 for v in values), f"{where}: {values}"
    assert series["min"] <= series["median"] <= series["max"], where


@pytest.mark.timeout(300)
def test_every_row_has_sane_numbers(quick_run: tuple[dict, str]) -> None:
    document, _ = quick_run
    assert document["mode"] == "quick"
    rows = {row["key"]: row for row in document["rows"]}
    assert set(rows) == _expected_rows()
    for key, row in rows.items():
        _check_series(row["ours"], f"{key}.ours")
        _check_series(row["baseline"], f"{key}.baseline")
        assert math.isfinite(row["value"]), key
        if row["compare"] == "ratio":
            assert row["value"] > 0, key
            assert row["value"] == pytest.approx(row["ours"]["median"] / row["baseline"]["median"])
        elif row["compare"] == "absolute":
            assert row["value"] == pytest.approx(row["ours"]["median"])
        else:
            assert row["value"] == pytest.approx(row["ours"]["median"] - row["baseline"]["median"])
        if key in TARGETED:
            assert row["target"] is not None and row["met"] in (True, False), key
            assert row["met"] == (row["value"] <= row["target"]), key
        else:
            assert row["target"] is None and row["met"] is None, key
    if "memory" in rows:
        # Peak RSS after the calls can never be below the RSS right after start-up.
        assert rows["memory"]["value"] >= 0
    startup = document["startup"]
    assert startup["tool_count"] >= 12
    assert startup["modules_server"] > startup["modules_floor"] > 0


@pytest.mark.timeout(300)
def test_markdown_has_table_facts_and_imports(quick_run: tuple[dict, str]) -> None:
    document, text = quick_run
    header = "| Figure | Ours: median (min–max) | Baseline: median (min–max) | Ratio / delta | Target | Met? |"
    assert header in text
    table = [line for line in text.splitlines() if line.startswith("| ") and " | " in line]
    for row in document["rows"]:
        matches = [line for line in table if line.startswith(f"| {row['figure']} |")]
        assert len(matches) == 1, row["figure"]
        cells = [c.strip() for c in matches[0].strip("|").split(" | ")]
        assert len(cells) == 6, matches[0]
        assert cells[5] == {True: "yes", False: "no", None: "—"}[row["met"]]
    assert "## Machine" in text
    for fact in FACTS:
        assert any(line.startswith(f"| {fact} | ") for line in table), fact
    assert "Targets met:" in text
    imports = text.split("## Start-up imports", 1)[1]
    assert "| `iletimerkezi_mcp" in imports
    assert document["startup"]["ours_top_cumulative_ms"], "no iletimerkezi_mcp module in -X importtime output"

"""Run every benchmark against the local sandbox API on 127.0.0.1 and write RESULTS.md.

    uv run python benchmarks/run.py            # full run, a few minutes
    uv run python benchmarks/run.py --quick    # tiny counts, seconds (what the smoke test runs)

A missed target never makes this fail; only a broken benchmark does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # helpers live next to this file
    sys.path.insert(0, str(HERE))

from calls import WARMUP_CALLS, DirectApi, memory_rows, per_call_and_raw_burst, sdk_session_rows  # noqa: E402
from common import FakeApi, Row, python_env, server_env  # noqa: E402
from large_batch import large_batch_rows  # noqa: E402
from machine import machine_facts  # noqa: E402
from manifest_load import manifest_rows, tool_list_rows  # noqa: E402
from report import render  # noqa: E402
from startup import run_startup, startup_extras  # noqa: E402

FULL = {"warmup": True, "startup_rounds": 7, "call_reps": 7, "calls": 200, "burst": 100, "memory_reps": 5,
        "memory_calls": 1000, "manifest_reps": 7, "manifest_loops": 20, "large_reps": 7, "large_loops": 3,
        "large_memory_reps": 3, "large_recipients": 50_000, "large_records": 5000}
# Quick: one of everything, so every row still comes from the same code as in a full run. Its
# figures mean nothing (the smoke test, tests/test_benchmarks_smoke.py, checks structure, never
# speed, on every test run), so it also skips the private bytecode cache and runs start-up, calls
# and memory at once instead of one after the other.
QUICK = {"warmup": False, "startup_rounds": 1, "call_reps": 1, "calls": 2, "burst": 2, "memory_reps": 1,
         "memory_calls": 3, "manifest_reps": 1, "manifest_loops": 1, "warmup_calls": 1, "large_reps": 1,
         "large_loops": 1, "large_memory_reps": 1, "large_recipients": 2000, "large_records": 500,
         "private_pycache": False, "concurrent": True}

log = logging.getLogger("benchmarks")


async def run_all(counts: dict[str, Any], work: Path) -> tuple[list[Row], Any]:
    base_env = python_env(work / "pycache" if counts.get("private_pycache", True) else None)
    fake = await FakeApi(base_env).start()
    rows: list[Row] = []
    try:
        log.info("fake API on %s", fake.url)
        env = server_env(base_env, fake.url, work / "cache-calls")

        async def startup_phase() -> Any:
            t = time.perf_counter()
            startup = await run_startup(base_env, fake.url, work, counts["startup_rounds"], counts["warmup"])
            log.info("start-up done (%.0f s)", time.perf_counter() - t)
            return startup

        async def calls_phase() -> list[Row]:
            direct = DirectApi(fake.url)
            try:
                t = time.perf_counter()
                warmup_calls = counts.get("warmup_calls", WARMUP_CALLS)
                out = await per_call_and_raw_burst(env, direct, counts["call_reps"], counts["calls"],
                                                   counts["burst"], warmup_calls)
                out += await sdk_session_rows(env, direct, counts["call_reps"], counts["calls"], counts["burst"],
                                              warmup_calls)
                log.info("calls and concurrency done (%.0f s)", time.perf_counter() - t)
                return out
            finally:
                await direct.aclose()

        async def memory_phase() -> list[Row]:
            t = time.perf_counter()
            out = await memory_rows(env, counts["memory_reps"], counts["memory_calls"])
            log.info("memory done (%.0f s)", time.perf_counter() - t)
            return out

        if counts.get("concurrent", False):
            tasks = [asyncio.ensure_future(phase) for phase in (startup_phase(), calls_phase(), memory_phase())]
            try:
                startup, call_rows, memory = await asyncio.gather(*tasks)
            except BaseException:  # one phase failed: stop the others (and their servers) before the fake
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        else:  # a measurement: one phase at a time, so none disturbs another
            startup = await startup_phase()
            call_rows = await calls_phase()
            memory = await memory_phase()
        rows += startup.rows + call_rows + memory
    finally:
        await fake.stop()
    t = time.perf_counter()
    rows += manifest_rows(counts["manifest_reps"], counts["manifest_loops"])
    rows += tool_list_rows()
    log.info("manifest load done (%.0f s)", time.perf_counter() - t)
    t = time.perf_counter()
    rows += large_batch_rows(counts["large_reps"], counts["large_loops"], counts["large_memory_reps"],
                             counts["large_recipients"], counts["large_records"])
    log.info("large batches done (%.0f s)", time.perf_counter() - t)
    return rows, startup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark iletimerkezi-mcp against the local sandbox API.")
    parser.add_argument("--quick", action="store_true", help="tiny counts: checks the benchmark works, in seconds")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md", help="where to write the Markdown")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="bench: %(message)s")
    log.setLevel(logging.INFO)  # our progress only; httpx logs every request at INFO

    counts = QUICK if args.quick else FULL
    facts = machine_facts()  # before the run: the load average should describe the idle machine
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iletimerkezi-bench-") as tmp:
        rows, startup = asyncio.run(run_all(counts, Path(tmp)))
    facts["Benchmark wall time"] = f"{time.perf_counter() - started:.0f} s"
    command = "uv run python benchmarks/run.py" + (" --quick" if args.quick else "")
    mode = "quick" if args.quick else "full"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rows, facts, startup, mode, command, counts), encoding="utf-8")
    if args.json is not None:
        document = {"mode": mode, "counts": counts, "facts": facts, "rows": [r.as_dict() for r in rows],
                    "startup": startup_extras(startup)}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    for row in rows:
        verdict = "info" if row.met is None else ("met" if row.met else "MISSED")
        shown = {"ratio": f"{row.value:.2f}x", "absolute": f"{row.value:.2f} {row.unit}"}.get(
            row.compare, f"{row.value:+.2f} {row.unit}")
        log.info("%-62s %10s  %s", row.figure, shown, verdict)
    log.info("wrote %s", args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

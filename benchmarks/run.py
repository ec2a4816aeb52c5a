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

from calls import DirectApi, memory_rows, per_call_and_raw_burst, sdk_session_rows  # noqa: E402
from common import FakeApi, Row, python_env, server_env  # noqa: E402
from machine import machine_facts  # noqa: E402
from manifest_load import manifest_rows  # noqa: E402
from report import render  # noqa: E402
from startup import run_startup, startup_extras  # noqa: E402

FULL = {"warmup": True, "startup_rounds": 7, "call_reps": 7, "calls": 200, "burst": 100, "memory_reps": 5,
        "memory_calls": 1000, "manifest_reps": 7, "manifest_loops": 20}
QUICK = {"warmup": False, "startup_rounds": 2, "call_reps": 2, "calls": 10, "burst": 10, "memory_reps": 1,
         "memory_calls": 60, "manifest_reps": 2, "manifest_loops": 2}

log = logging.getLogger("benchmarks")


async def run_all(counts: dict[str, Any], work: Path) -> tuple[list[Row], Any]:
    base_env = python_env(work / "pycache")
    fake = await FakeApi(base_env).start()
    rows: list[Row] = []
    try:
        log.info("fake API on %s", fake.url)
        t = time.perf_counter()
        startup = await run_startup(base_env, fake.url, work, counts["startup_rounds"], counts["warmup"])
        rows += startup.rows
        log.info("start-up done (%.0f s)", time.perf_counter() - t)

        env = server_env(base_env, fake.url, work / "cache-calls")
        direct = DirectApi(fake.url)
        try:
            t = time.perf_counter()
            rows += await per_call_and_raw_burst(env, direct, counts["call_reps"], counts["calls"], counts["burst"])
            rows += await sdk_session_rows(env, direct, counts["call_reps"], counts["calls"], counts["burst"])
            log.info("calls and concurrency done (%.0f s)", time.perf_counter() - t)
        finally:
            await direct.aclose()
        t = time.perf_counter()
        rows += await memory_rows(env, counts["memory_reps"], counts["memory_calls"])
        log.info("memory done (%.0f s)", time.perf_counter() - t)
    finally:
        await fake.stop()
    t = time.perf_counter()
    rows += manifest_rows(counts["manifest_reps"], counts["manifest_loops"])
    log.info("manifest load done (%.0f s)", time.perf_counter() - t)
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
        shown = f"{row.value:.2f}x" if row.compare == "ratio" else f"{row.value:+.2f} {row.unit}"
        log.info("%-62s %10s  %s", row.figure, shown, verdict)
    log.info("wrote %s", args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

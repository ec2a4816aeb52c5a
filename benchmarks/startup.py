"""Start-up: process start → tools/list answered (cold and warm manifest cache), against the
floor of a Python that only imports the MCP SDK, httpx and pydantic; plus -X importtime.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    IO_TIMEOUT,
    PYTHON,
    REPO,
    UNREACHABLE_MANIFEST_URL,
    RawSession,
    Row,
    Summary,
    server_env,
)

FLOOR_IMPORTS = "import mcp.server.lowlevel, mcp.server.stdio, httpx, pydantic"
STARTUP_TARGET = 1.3
FLOOR_LABEL = "floor: `python -c` importing the SDK, httpx, pydantic"
SNAPSHOT_TARGET_MS = 100.0  # the provider's own Node server: 187 ms on this kind of machine
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


@dataclass
class ImportLine:
    name: str
    self_us: int
    cumulative_us: int
    depth: int


@dataclass
class StartupResult:
    rows: list[Row]
    tool_count: int
    bare_python: Summary
    floor_to_exit: Summary
    phases: dict[str, Summary]  # in-process ms per start-up phase (startup_phases.py)
    our_imports: list[ImportLine]  # top cumulative under iletimerkezi_mcp
    beyond_floor: list[tuple[str, float, int]]  # (root package, self ms, modules) not loaded by the floor
    modules_server: int
    modules_floor: int


async def time_python(env: dict[str, str], code: str) -> tuple[float, float]:
    """One short Python process: seconds until `code` has run (it prints a line when done),
    and seconds until the process has exited."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(PYTHON, "-c", f"{code}\nprint('ready', flush=True)", env=env,
                                                cwd=str(REPO), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), IO_TIMEOUT)
    ready = time.perf_counter() - started
    await asyncio.wait_for(proc.communicate(), IO_TIMEOUT)
    exited = time.perf_counter() - started
    if proc.returncode != 0 or line.strip() != b"ready":
        raise RuntimeError(f"python -c {code!r} failed (exit {proc.returncode})")
    return ready, exited


async def time_server_start(env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawning the server to the tools/list answer, and the number of tools."""
    session = RawSession(env)
    try:
        started = time.perf_counter()
        await session.spawn()
        listed = await session.handshake()
        return time.perf_counter() - started, len(listed.get("tools", []))
    finally:
        await session.close()
        session.dispose()


def warm_cache(cache_dir: Path) -> None:
    """A cache younger than the TTL for the URL the server will use: no fetch happens at all."""
    from iletimerkezi_mcp.manifest.cache import write_cache
    from iletimerkezi_mcp.manifest.loader import bundled_path

    manifest = json.loads(bundled_path().read_text(encoding="utf-8"))
    if write_cache(cache_dir, UNREACHABLE_MANIFEST_URL, manifest) is None:
        raise RuntimeError(f"could not write the warm manifest cache in {cache_dir}")


async def run_startup(base_env: dict[str, str], api_url: str, work: Path, rounds: int,
                      warmup: bool = True) -> StartupResult:
    from iletimerkezi_mcp.front.snapshot import FILE_PREFIX

    warm_dir = work / "cache-warm"
    warm_cache(warm_dir)
    warm_env = server_env(base_env, api_url, warm_dir)
    snapshot_dir = work / "cache-snapshot"  # warm, plus the start snapshot an earlier start wrote
    warm_cache(snapshot_dir)
    snapshot_env = server_env(base_env, api_url, snapshot_dir)

    def cold_env() -> dict[str, str]:
        return server_env(base_env, api_url, Path(tempfile.mkdtemp(prefix="cache-cold-", dir=work)))

    if warmup:
        # Discarded: fills the bytecode cache and the OS page cache for both sides.
        # One cold start compiles every module the warm start uses too.
        await time_python(base_env, FLOOR_IMPORTS)
        await time_server_start(cold_env())
    await time_server_start(snapshot_env)  # writes the snapshot (not timed)
    if not any(snapshot_dir.glob(f"{FILE_PREFIX}*")):
        raise RuntimeError("the first start in the snapshot folder wrote no start snapshot")
    tool_counts: set[int] = set()

    floor: list[float] = []
    floor_exit: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    snapshot: list[float] = []
    bare: list[float] = []
    for i in range(rounds):
        # Interleaved, order rotated each round: drift on a noisy machine hits every series alike.
        for offset in range(4):
            k = (i + offset) % 4
            if k == 0:
                ready, exited = await time_python(base_env, FLOOR_IMPORTS)
                floor.append(ready)
                floor_exit.append(exited)
            elif k == 1:
                elapsed, count = await time_server_start(cold_env())
                cold.append(elapsed)
                tool_counts.add(count)
            elif k == 2:
                for stale in warm_dir.glob(f"{FILE_PREFIX}*"):  # warm cache, no snapshot: a full start
                    stale.unlink()
                elapsed, count = await time_server_start(warm_env)
                warm.append(elapsed)
                tool_counts.add(count)
            else:
                elapsed, count = await time_server_start(snapshot_env)
                snapshot.append(elapsed)
                tool_counts.add(count)
        bare.append((await time_python(base_env, "pass"))[0])

    floor_s = Summary(ms(floor))
    rows = [
        Row(key="startup_cold", figure="Start-up to tools/list, cold cache", unit="ms", ours=Summary(ms(cold)),
            baseline=floor_s, baseline_label=FLOOR_LABEL, compare="ratio",
            target=STARTUP_TARGET, target_text=f"≤ {STARTUP_TARGET}x", digits=0),
        Row(key="startup_warm", figure="Start-up to tools/list, warm cache", unit="ms", ours=Summary(ms(warm)),
            baseline=floor_s, baseline_label=FLOOR_LABEL, compare="ratio",
            target=STARTUP_TARGET, target_text=f"≤ {STARTUP_TARGET}x", digits=0),
        Row(key="startup_snapshot", figure="Start-up to tools/list, from the start snapshot", unit="ms",
            ours=Summary(ms(snapshot)), baseline=floor_s, baseline_label=FLOOR_LABEL, compare="absolute",
            target=SNAPSHOT_TARGET_MS, target_text=f"< {SNAPSHOT_TARGET_MS:.0f} ms", digits=0),
    ]
    phases = [await time_phases(cold_env()) for _ in range(rounds)]
    ours_imports, server_modules = await importtime_server(cold_env())
    floor_modules = await importtime_floor(base_env)
    floor_names = {line.name for line in floor_modules}
    beyond: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in server_modules:
        if line.name not in floor_names:
            root = line.name.split(".")[0]
            beyond[root][0] += line.self_us
            beyond[root][1] += 1
    beyond_rows = sorted(((root, us / 1000, n) for root, (us, n) in beyond.items()), key=lambda r: -r[1])
    top = sorted(ours_imports, key=lambda line: -line.cumulative_us)[:10]
    if len(tool_counts) != 1 or min(tool_counts) < 12:
        raise RuntimeError(f"tools/list returned {sorted(tool_counts)} tools; expected one count of at least 12")
    return StartupResult(rows=rows, tool_count=tool_counts.pop(), bare_python=Summary(ms(bare)),
                         floor_to_exit=Summary(ms(floor_exit)),
                         phases={name: Summary([p[name] for p in phases]) for name in phases[0]}, our_imports=top,
                         beyond_floor=beyond_rows[:10], modules_server=len(server_modules),
                         modules_floor=len(floor_modules))


async def time_phases(env: dict[str, str]) -> dict[str, float]:
    script = Path(__file__).with_name("startup_phases.py")
    proc = await asyncio.create_subprocess_exec(PYTHON, str(script), env=env, cwd=str(REPO),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), IO_TIMEOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"startup_phases.py failed: {err.decode('utf-8', 'replace')[-1000:]}")
    return {str(k): float(v) for k, v in json.loads(out.decode().strip().splitlines()[-1]).items()}


def ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def parse_importtime(text: str) -> list[ImportLine]:
    lines = []
    for raw in text.splitlines():
        match = _IMPORTTIME.match(raw)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            lines.append(ImportLine(name, int(self_us), int(cumulative_us), max(0, (len(indent) - 1) // 2)))
    return lines


async def importtime_server(env: dict[str, str]) -> tuple[list[ImportLine], list[ImportLine]]:
    """The real start (to tools/list) under -X importtime: our modules, and every module."""
    session = RawSession(env, python_flags=("-X", "importtime"))
    try:
        await session.spawn()
        await session.handshake()
        await session.close()
        every = parse_importtime(session.stderr_text())
    finally:
        session.dispose()
    ours = [line for line in every if line.name == "iletimerkezi_mcp" or line.name.startswith("iletimerkezi_mcp.")]
    return ours, every


async def importtime_floor(env: dict[str, str]) -> list[ImportLine]:
    proc = await asyncio.create_subprocess_exec(PYTHON, "-X", "importtime", "-c", FLOOR_IMPORTS, env=env,
                                                cwd=str(REPO), stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), IO_TIMEOUT)
    return parse_importtime(err.decode("utf-8", "replace"))


def startup_extras(result: StartupResult) -> dict[str, Any]:
    return {
        "tool_count": result.tool_count,
        "bare_python_ms": result.bare_python.as_dict(),
        "floor_to_exit_ms": result.floor_to_exit.as_dict(),
        "phases_ms": {name: summary.as_dict() for name, summary in result.phases.items()},
        "ours_top_cumulative_ms": [(i.name, i.cumulative_us / 1000, i.self_us / 1000) for i in result.our_imports],
        "beyond_floor_self_ms": result.beyond_floor,
        "modules_server": result.modules_server,
        "modules_floor": result.modules_floor,
    }

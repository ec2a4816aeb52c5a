"""Shared pieces of the benchmark: statistics, the result row, the server's environment,
the fake API in its own process, and a minimal raw JSON-RPC client over the server's stdio.

Everything binds or connects to 127.0.0.1 only; nothing here touches the internet.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# A closed port on loopback: a manifest fetch is refused at once, never reaches the internet.
UNREACHABLE_MANIFEST_URL = "http://127.0.0.1:9/manifest.json"
PROTOCOL_VERSION = "2025-11-25"  # the last handshake-era version: what hosts and ClientSession send
IO_TIMEOUT = 60.0  # seconds: a wedged server fails the run instead of hanging it


# --- statistics -------------------------------------------------------------------------------


@dataclass
class Summary:
    """Median and spread of one series of repetitions (each value already one figure)."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def as_dict(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.low, "max": self.high, "n": len(self.values),
                "values": self.values}


@dataclass
class Row:
    """One line of the results table. `compare` is "ratio" (ours / baseline), "delta" (ours − baseline) or
    "absolute" (ours itself, against an absolute target; the baseline is shown beside it for scale)."""

    key: str
    figure: str
    unit: str  # "ms" or "MB"
    ours: Summary
    baseline: Summary
    baseline_label: str
    compare: str
    target: float | None  # None: informational, no target
    target_text: str
    digits: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def value(self) -> float:
        if self.compare == "ratio":
            return self.ours.median / self.baseline.median
        if self.compare == "absolute":
            return self.ours.median
        return self.ours.median - self.baseline.median

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "figure": self.figure, "unit": self.unit, "ours": self.ours.as_dict(),
                "baseline": self.baseline.as_dict(), "baseline_label": self.baseline_label,
                "compare": self.compare, "value": self.value, "target": self.target, "met": self.met,
                "notes": self.notes}


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- environments -----------------------------------------------------------------------------


def python_env(pycache: Path | None) -> dict[str, str]:
    """The environment every child Python gets, floor and server alike.

    Bytecode is cached in a benchmark-owned prefix (never in src/): this sandbox sets
    PYTHONDONTWRITEBYTECODE, which would make every start recompile every module, while a
    real user's second start reuses the bytecode written by the first. `pycache=None` (the
    quick run) keeps the caller's own bytecode settings: a fresh prefix costs a full compile
    on the first start, which only pays off over the full run's many starts.
    """
    if pycache is None:
        return {k: v for k, v in os.environ.items()
                if not k.startswith("ILETIMERKEZI_") and k != "PYTHONPROFILEIMPORTTIME"}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ILETIMERKEZI_") and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME")}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def server_env(base: dict[str, str], api_url: str, cache_dir: Path) -> dict[str, str]:
    """A real user's configuration pointed at the local fake: credentials set, no network."""
    from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

    env = dict(base)
    env.update({
        "ILETIMERKEZI_BASE_URL": api_url,
        "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH,
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE_MANIFEST_URL,
        "ILETIMERKEZI_MCP_CACHE_DIR": str(cache_dir),
        "ILETIMERKEZI_LOG_LEVEL": "ERROR",  # the cold start's failed background fetch is expected
    })
    return env


def server_command(*python_flags: str) -> list[str]:
    return [PYTHON, *python_flags, "-m", "iletimerkezi_mcp"]


# --- the fake API in its own process ----------------------------------------------------------


class FakeApi:
    """The sandbox's HTTP server in a separate process, so it shares no GIL with either client."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> FakeApi:
        script = Path(__file__).with_name("fake_api.py")
        self._proc = await asyncio.create_subprocess_exec(
            PYTHON, str(script), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env=self._env, cwd=str(REPO))
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), IO_TIMEOUT)
        self.url = line.decode().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"fake API did not start (got {line!r})")
        return self

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()  # EOF tells fake_api.py to stop
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


# --- a raw JSON-RPC client over the server's stdio --------------------------------------------


class RpcError(RuntimeError):
    pass


class RawSession:
    """The server as a subprocess, spoken to in JSON-RPC lines with almost no client overhead.

    A reader task matches responses to requests by id, so calls may be sequential or
    concurrent. stderr goes to a temporary file, shown if the server fails.
    """

    def __init__(self, env: dict[str, str], python_flags: tuple[str, ...] = (),
                 command: list[str] | None = None) -> None:
        self._env = env
        self._command = command or server_command(*python_flags)
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._stderr = tempfile.TemporaryFile()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def spawn(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self._command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=self._stderr, env=self._env, cwd=str(REPO), limit=64 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read_loop())

    async def handshake(self) -> dict[str, Any]:
        """initialize → notifications/initialized → tools/list; returns the tools/list result."""
        await self.request("initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                                          "clientInfo": {"name": "iletimerkezi-bench", "version": "1"}})
        await self.notify("notifications/initialized")
        return await self.request("tools/list", {})

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.request("tools/call", {"name": name, "arguments": arguments or {}})
        if result.get("isError"):
            text = " ".join(c.get("text", "") for c in result.get("content", []))
            raise RpcError(f"{name} returned an error result: {text[:300]}")
        return result

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        await self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        message = await asyncio.wait_for(future, IO_TIMEOUT)
        if "error" in message:
            raise RpcError(f"{method}: {message['error']}")
        return message["result"]

    async def notify(self, method: str) -> None:
        await self._send({"jsonrpc": "2.0", "method": method})

    async def _send(self, message: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        await self.proc.stdin.drain()

    async def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    break
                message = json.loads(line)
                future = self._pending.pop(message.get("id"), None) if "id" in message else None
                if future is not None and not future.done():
                    future.set_result(message)
                # Anything else (notifications, server-to-client requests) is ignored.
        finally:
            error = RpcError(f"server closed stdout; stderr tail: {self.stderr_tail()}")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(error)
            self._pending.clear()

    def stderr_tail(self, limit: int = 2000) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-limit:]

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    async def close(self) -> None:
        """stdin EOF is the clean shutdown; escalate only if the server does not exit."""
        proc = self.proc
        if proc is not None and proc.returncode is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass

    def dispose(self) -> None:
        self._stderr.close()


# --- memory -----------------------------------------------------------------------------------


def proc_status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in KiB, from /proc (Linux)."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc/<pid>/stat (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def has_proc() -> bool:
    return Path("/proc/self/status").exists()

"""Calls through the server over stdio against the same request made directly with httpx:
per-call overhead (sequential), concurrency (N at once), and memory after many calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from common import (
    PYTHON,
    REPO,
    RawSession,
    Row,
    Summary,
    has_proc,
    median,
    proc_cpu_seconds,
    proc_status_kib,
    self_cpu_seconds,
)

TOOL = "get_balance"
PATH = "/v1/get-balance/json"
PER_CALL_TARGET_MS = 1.0  # "Lean and fast": at most 1.0 ms over a direct POST (was 2.0)
CONCURRENCY_TARGET = 1.5  # the first benchmark issue's; "Lean and fast" asks for at most 2x
MEMORY_TARGET_MB = 5.0
WARMUP_CALLS = 20
MINIMAL_SERVER = Path(__file__).with_name("minimal_server.py")


class DirectApi:
    """The baseline: the same HTTP request our executor sends, made with one reused AsyncClient."""

    def __init__(self, api_url: str) -> None:
        from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

        self.url = api_url + PATH
        envelope = {"request": {"authentication": {"key": SANDBOX_API_KEY, "hash": SANDBOX_API_HASH}}}
        self.body = json.dumps(envelope).encode()
        self.client = httpx.AsyncClient(timeout=30, follow_redirects=False,
                                        headers={"Content-Type": "application/json", "Accept": "application/json"})

    async def call(self) -> None:
        response = await self.client.post(self.url, content=self.body)
        code = response.json()["response"]["status"]["code"]  # parsed, as the server parses it
        if response.status_code != 200 or int(code) != 200:
            raise RuntimeError(f"direct call failed: HTTP {response.status_code}, code {code}")

    async def aclose(self) -> None:
        await self.client.aclose()


async def _latencies(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def _burst(call: Callable[[], Awaitable[object]], count: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(call() for _ in range(count)))
    return (time.perf_counter() - started) * 1000


async def _rotate(series: list[Callable[[], Awaitable[float]]], reps: int) -> list[list[float]]:
    """Run every series once per rep, rotating which goes first, so slow drift on a noisy
    machine hits every series alike."""
    out: list[list[float]] = [[] for _ in series]
    for i in range(reps):
        for offset in range(len(series)):
            k = (i + offset) % len(series)
            out[k].append(await series[k]())
    return out


def _median_latency(call: Callable[[], Awaitable[object]], count: int) -> Callable[[], Awaitable[float]]:
    async def run() -> float:
        return median(await _latencies(call, count))
    return run


def _burst_of(call: Callable[[], Awaitable[object]], count: int) -> Callable[[], Awaitable[float]]:
    return lambda: _burst(call, count)


async def per_call_and_raw_burst(env: dict[str, str], direct: DirectApi, reps: int, calls: int,
                                 burst: int, warmup_calls: int = WARMUP_CALLS) -> list[Row]:
    """Long-lived raw JSON-RPC sessions to our server and to the minimal SDK server: sequential
    get_balance, then bursts of `burst` at once, each against direct httpx."""
    ours = RawSession(env)
    minimal = RawSession(env, command=[PYTHON, str(MINIMAL_SERVER)])
    try:
        for session in (ours, minimal):
            await session.spawn()
            await session.handshake()

        async def ours_call() -> object:
            return await ours.call_tool(TOOL)

        async def minimal_call() -> object:
            return await minimal.call_tool(TOOL)

        for _ in range(warmup_calls):
            await ours_call()
            await minimal_call()
            await direct.call()
        seq_ours, seq_min, seq_base = await _rotate(
            [_median_latency(ours_call, calls), _median_latency(minimal_call, calls),
             _median_latency(direct.call, calls)], reps)
        for call in (ours_call, minimal_call, direct.call):  # warm the pools at this width once
            await _burst(call, burst)
        # CPU spent during the bursts: is the server process saturated while the client waits?
        cpu = {"ours": 0.0, "minimal": 0.0, "direct": 0.0}
        clocks = {"ours": lambda: proc_cpu_seconds(ours.pid), "minimal": lambda: proc_cpu_seconds(minimal.pid),
                  "direct": self_cpu_seconds}
        if not has_proc():
            clocks = {}

        def metered(name: str, call: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[float]]:
            async def run() -> float:
                before = clocks[name]() if clocks else 0.0
                elapsed = await _burst(call, burst)
                cpu[name] += (clocks[name]() - before) if clocks else 0.0
                return elapsed
            return run

        burst_ours, burst_min, burst_base = await _rotate(
            [metered("ours", ours_call), metered("minimal", minimal_call), metered("direct", direct.call)], reps)
    finally:
        for session in (ours, minimal):
            await session.close()
            session.dispose()
    direct_label = "same request, direct httpx (one AsyncClient)"
    return [
        Row(key="per_call", figure="Per call (get_balance, sequential, raw JSON-RPC client)", unit="ms",
            ours=Summary(seq_ours), baseline=Summary(seq_base), baseline_label=direct_label, compare="delta",
            target=PER_CALL_TARGET_MS, target_text=f"≤ {PER_CALL_TARGET_MS:g} ms added", digits=2,
            notes=[f"{reps} reps × {calls} sequential calls on one session; each rep is the median call."]),
        Row(key="per_call_minimal", figure="Per call, minimal SDK server (reference, not ours)", unit="ms",
            ours=Summary(seq_min), baseline=Summary(seq_base), baseline_label=direct_label, compare="delta",
            target=None, target_text="info", digits=2,
            notes=["`benchmarks/minimal_server.py`: one low-level SDK tool making the same POST. Its delta is "
                   "what the SDK's stdio path costs anyway; ours minus it is what our code adds."]),
        Row(key="concurrency_raw", figure=f"{burst} calls at once (raw JSON-RPC client)", unit="ms",
            ours=Summary(burst_ours), baseline=Summary(burst_base), baseline_label=f"{burst} direct httpx at once",
            compare="ratio", target=None, target_text="info", digits=0,
            notes=["Same burst without the SDK client, to separate client cost from server cost. The minimal "
                   f"SDK server took a median {median(burst_min):.0f} ms "
                   f"({min(burst_min):.0f}–{max(burst_min):.0f}) for the same burst.",
                   *_cpu_note(cpu, sum(burst_ours), reps * burst, bool(clocks))]),
    ]


def _cpu_note(cpu: dict[str, float], ours_wall_ms: float, calls: int, measured: bool) -> list[str]:
    if not measured:
        return []
    per = {k: v * 1000 / calls for k, v in cpu.items()}
    busy = cpu["ours"] * 1000 / ours_wall_ms if ours_wall_ms else 0.0
    return [f"CPU per call during these bursts: our server process {per['ours']:.2f} ms, the minimal SDK server "
            f"{per['minimal']:.2f} ms, the direct httpx client {per['direct']:.2f} ms. Our server was busy "
            f"{busy:.0%} of the bursts' wall time, so a burst is bound by one server process's CPU per call "
            "(one event loop, one core)."]


async def sdk_session_rows(env: dict[str, str], direct: DirectApi, reps: int, calls: int,
                           burst: int, warmup_calls: int = WARMUP_CALLS) -> list[Row]:
    """The SDK's own stdio client and ClientSession, to our server and to the minimal one:
    a burst via asyncio.gather, and sequential calls, each against direct httpx."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    servers = {"ours": ["-m", "iletimerkezi_mcp"], "minimal": [str(MINIMAL_SERVER)]}
    async with AsyncExitStack() as stack:
        errlog = stack.enter_context(open(os.devnull, "w"))
        sessions = {}
        for name, args in servers.items():
            params = StdioServerParameters(command=PYTHON, args=args, env=env, cwd=str(REPO))
            read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
            session = await stack.enter_async_context(ClientSession(read, write))
            await session.initialize()
            await session.list_tools()  # lets the client check structuredContent, as hosts do
            sessions[name] = session

        def caller(session: ClientSession) -> Callable[[], Awaitable[object]]:
            async def call() -> object:
                result = await session.call_tool(TOOL, {})
                if result.is_error:
                    raise RuntimeError(f"{TOOL} failed through ClientSession: {result.content}")
                return result
            return call

        ours_call, minimal_call = caller(sessions["ours"]), caller(sessions["minimal"])
        for _ in range(warmup_calls):
            for call in (ours_call, minimal_call):
                await call()
        for call in (ours_call, minimal_call, direct.call):
            await _burst(call, burst)
        burst_ours, burst_min, burst_base = await _rotate(
            [_burst_of(ours_call, burst), _burst_of(minimal_call, burst), _burst_of(direct.call, burst)], reps)
        seq_ours, seq_min, seq_base = await _rotate(
            [_median_latency(ours_call, calls), _median_latency(minimal_call, calls),
             _median_latency(direct.call, calls)], reps)
    return [
        Row(key="concurrency", figure=f"{burst} calls at once (SDK ClientSession, asyncio.gather)", unit="ms",
            ours=Summary(burst_ours), baseline=Summary(burst_base), baseline_label=f"{burst} direct httpx at once",
            compare="ratio", target=CONCURRENCY_TARGET, target_text=f"≤ {CONCURRENCY_TARGET:g}x", digits=0,
            notes=[f"{reps} reps; each is the wall time of the whole burst. The first benchmark issue set "
                   f"{CONCURRENCY_TARGET:g}x; \"Lean and fast\" asks for at most 2x (met when the ratio is ≤ 2)."]),
        Row(key="concurrency_minimal", figure=f"{burst} calls at once, minimal SDK server via ClientSession "
            "(reference, not ours)", unit="ms", ours=Summary(burst_min), baseline=Summary(burst_base),
            baseline_label=f"{burst} direct httpx at once", compare="ratio", target=None, target_text="info",
            digits=0, notes=["The SDK's floor for this figure: same client, a server that does nothing but "
                             "the POST."]),
        Row(key="per_call_sdk", figure="Per call (get_balance, sequential, SDK ClientSession)", unit="ms",
            ours=Summary(seq_ours), baseline=Summary(seq_base), baseline_label="same request, direct httpx",
            compare="delta", target=None, target_text="info", digits=2,
            notes=["What a Python host sees: includes the SDK client's own parsing and output-schema check. "
                   f"The minimal SDK server through the same client: median {median(seq_min):.2f} ms "
                   f"({min(seq_min):.2f}–{max(seq_min):.2f}) per call."]),
    ]


@dataclass
class MemorySample:
    startup_kib: int
    after_warmup_kib: int
    end_rss_kib: int
    end_peak_kib: int


async def memory_rows(env: dict[str, str], reps: int, calls: int) -> list[Row]:
    """Peak RSS (VmHWM) of the server after `calls` calls against its RSS right after tools/list."""
    if not has_proc():
        return []
    samples: list[MemorySample] = []
    warm = min(50, calls)
    for _ in range(reps):
        session = RawSession(env)
        try:
            await session.spawn()
            await session.handshake()
            # The start front may have answered the handshake before the SDK was even imported: a ping
            # is answered by the full server, so the baseline is taken once everything has loaded.
            await session.request("ping", {})
            startup = proc_status_kib(session.pid)["VmRSS"]
            for _ in range(warm):
                await session.call_tool(TOOL)
            after_warmup = proc_status_kib(session.pid)["VmRSS"]
            for _ in range(calls - warm):
                await session.call_tool(TOOL)
            end = proc_status_kib(session.pid)
            samples.append(MemorySample(startup, after_warmup, end["VmRSS"], end["VmHWM"]))
        finally:
            await session.close()
            session.dispose()
    mb = 1024.0
    steady = [(s.end_rss_kib - s.after_warmup_kib) / mb for s in samples]
    return [
        Row(key="memory", figure=f"Peak RSS after {calls} calls", unit="MB",
            ours=Summary([s.end_peak_kib / mb for s in samples]),
            baseline=Summary([s.startup_kib / mb for s in samples]),
            baseline_label="RSS right after start-up (first ping answered)",
            compare="delta", target=MEMORY_TARGET_MB, target_text=f"≤ {MEMORY_TARGET_MB:g} MB growth", digits=1,
            notes=[f"{reps} server processes × {calls} sequential calls; /proc/<pid>/status VmHWM vs VmRSS.",
                   f"RSS growth from call {warm} to call {calls}: median {median(steady):.2f} MB "
                   f"(min {min(steady):.2f}, max {max(steady):.2f}); "
                   "a leak would show here."]),
    ]

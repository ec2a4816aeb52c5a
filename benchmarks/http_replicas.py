"""serve-http throughput: tools/call (get_balance) per second on ONE replica and on TWO, ledger on PostgreSQL.

    uv run python benchmarks/http_replicas.py [--seconds 5] [--clients 32]

A standalone script (not in run.py, not run by the tests). It starts a throwaway PostgreSQL the way
tests/ledger/pg_server.py does (or uses ILETIMERKEZI_TEST_DATABASE_URL), the fake API in its own
process (benchmarks/fake_api.py), and each replica as its own `iletimerkezi-mcp serve-http` process
with a static sender token. The clients are plain httpx in this process, each a loop of JSON-RPC
tools/call POSTs to /mcp (stateless streamable HTTP needs no session), split evenly across the
replicas; every answer is checked to be a successful tool result. Everything shares this machine's
cores, so the ratio says as much about the core count as about the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ledger"))
from common import (  # noqa: E402
    IO_TIMEOUT,
    PROTOCOL_VERSION,
    PYTHON,
    REPO,
    FakeApi,
    has_proc,
    proc_cpu_seconds,
    python_env,
    self_cpu_seconds,
    server_env,
)
from pg_server import postgres_url  # noqa: E402

from iletimerkezi_mcp.http.auth import new_token  # noqa: E402

CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_balance", "arguments": {}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_replica(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "iletimerkezi_mcp", "serve-http", "--host", "127.0.0.1", "--port", str(port),
        env=env, cwd=str(REPO), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + IO_TIMEOUT
    async with httpx.AsyncClient(trust_env=False) as probe:
        while True:
            if proc.returncode is not None:
                raise RuntimeError(f"replica on port {port} exited with {proc.returncode}")
            try:
                if (await probe.get(url + "/healthz", timeout=1)).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"replica on port {port} did not answer /healthz")
            await asyncio.sleep(0.05)


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


def ok(response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    text = response.text
    if "text/event-stream" in response.headers.get("content-type", ""):
        text = "\n".join(line[5:] for line in text.splitlines() if line.startswith("data:"))
    result = json.loads(text).get("result")
    return isinstance(result, dict) and result.get("isError") is False


async def measure(urls: list[str], token: str, clients: int, seconds: float) -> tuple[float, int, float]:
    """(calls per second, failed calls, median latency in ms) over `seconds` after a short warm-up."""
    headers = {"Authorization": f"Bearer {token}", "accept": "application/json, text/event-stream",
               "content-type": "application/json", "mcp-protocol-version": PROTOCOL_VERSION}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    done = failed = 0
    latencies: list[float] = []
    counting = False
    stop_at = 0.0
    async with httpx.AsyncClient(trust_env=False, limits=limits, timeout=IO_TIMEOUT, headers=headers) as http:

        async def client(i: int) -> None:
            nonlocal done, failed
            url = urls[i % len(urls)] + "/mcp"
            body = json.dumps(CALL)
            while time.monotonic() < stop_at:
                started = time.monotonic()
                response = await http.post(url, content=body)
                good = ok(response)
                if counting:
                    done += good
                    failed += not good
                    latencies.append(time.monotonic() - started)

        warm = 1.0
        stop_at = time.monotonic() + warm + seconds
        tasks = [asyncio.create_task(client(i)) for i in range(clients)]
        await asyncio.sleep(warm)
        counting, began = True, time.monotonic()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    latencies.sort()
    return done / elapsed, failed, (latencies[len(latencies) // 2] * 1000 if latencies else 0.0)


def cpu_now(procs: list[asyncio.subprocess.Process]) -> list[float]:
    """CPU seconds so far of this process (the clients) and of each process given; [] without /proc."""
    if not has_proc():
        return []
    return [self_cpu_seconds(), *(proc_cpu_seconds(p.pid) for p in procs)]


async def run(seconds: float, clients: int) -> None:
    with postgres_url() as database_url, tempfile.TemporaryDirectory(prefix="http-replicas-") as tmp:
        top = Path(tmp)
        token, line = new_token("bench", "sender")
        (top / "tokens").write_text(line + "\n", encoding="utf-8")
        base = python_env(None)
        fake = await FakeApi(base).start()
        procs: list[asyncio.subprocess.Process] = []
        try:
            urls = []
            for replica in ("a", "b"):
                env = server_env(base, fake.url, top / replica / "cache")
                env.update({"ILETIMERKEZI_DATA_DIR": str(top / replica / "data"), "ILETIMERKEZI_MANIFEST": "bundled",
                            "ILETIMERKEZI_DATABASE_URL": database_url,
                            "ILETIMERKEZI_HTTP_TOKENS": str(top / "tokens")})
                proc, url = await start_replica(env)
                procs.append(proc)
                urls.append(url)
            rows = []
            for label, targets in (("one replica", urls[:1]), ("two replicas", urls)):
                watched = [*procs, *([fake._proc] if fake._proc is not None else [])]  # the fake API too
                cpu = cpu_now(watched)
                began = time.monotonic()
                rate, failed, p50 = await measure(targets, token, clients, seconds)
                wall = time.monotonic() - began
                used = [(after - before) / wall * 100 for before, after in zip(cpu, cpu_now(watched), strict=True)]
                rows.append((label, rate, failed, p50, used))
        finally:
            for proc in procs:
                await stop(proc)
            await fake.stop()
    print(f"serve-http tools/call get_balance, {clients} concurrent clients, {seconds:g} s each, "
          f"ledger on PostgreSQL, {os.cpu_count()} CPU core(s)")
    print(f"{'setup':<14} {'calls/s':>9} {'p50 ms':>8} {'failed':>7}   CPU % (clients, replica A, replica B, fake API)")
    for label, rate, failed, p50, used in rows:
        cpu = ", ".join(f"{u:.0f}" for u in used) if used else "n/a (no /proc)"
        print(f"{label:<14} {rate:>9.1f} {p50:>8.1f} {failed:>7}   {cpu}")
    print(f"two / one: {rows[1][1] / rows[0][1]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.clients))


if __name__ == "__main__":
    main()

"""The facts that make a benchmark result comparable: hardware, OS, Python, package versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from common import REPO

PACKAGES = ("mcp", "mcp-types", "httpx", "httpx2", "pydantic", "pydantic-core", "anyio", "jsonschema",
            "iletimerkezi-mcp")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        return "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_facts() -> dict[str, str]:
    try:
        load1, load5, load15 = os.getloadavg()
        load = f"{load1:.2f}, {load5:.2f}, {load15:.2f}"
    except (OSError, AttributeError):
        load = "unknown"
    facts = {
        "Date (UTC)": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "CPU": _cpu_model(),
        "Cores (logical)": str(os.cpu_count() or "unknown"),
        "RAM": _ram_gib(),
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "Load average at start (1, 5, 15 min)": load,
        "Commit": _git_commit(),
    }
    for name in PACKAGES:
        facts[name] = _version(name)
    return facts

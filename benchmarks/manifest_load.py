"""Manifest load, in-process: parse + validate the bundled manifest and build the tool catalog,
against plain `json.loads` of the same file. Imports are already paid (start-up counts them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from common import Row, Summary, median


def _mean_ms(action: Callable[[], object], loops: int) -> float:
    started = time.perf_counter()
    for _ in range(loops):
        action()
    return (time.perf_counter() - started) * 1000 / loops


def manifest_rows(reps: int, loops: int) -> list[Row]:
    from iletimerkezi_mcp.manifest.loader import bundled_path, load_bundled
    from iletimerkezi_mcp.settings import Settings
    from iletimerkezi_mcp.tools import build_catalog

    settings = Settings(manifest_mode="bundled")
    path = bundled_path()
    count = 0

    def ours() -> None:
        nonlocal count
        count = len(build_catalog(load_bundled(settings), settings).specs)

    def load_only() -> None:
        load_bundled(settings)

    def baseline() -> None:
        json.loads(path.read_text(encoding="utf-8"))

    for action in (ours, load_only, baseline):  # first-use costs (lazy imports, caches) excluded
        action()
    ours_ms: list[float] = []
    load_ms: list[float] = []
    base_ms: list[float] = []
    for _ in range(reps):
        ours_ms.append(_mean_ms(ours, loops))
        load_ms.append(_mean_ms(load_only, loops))
        base_ms.append(_mean_ms(baseline, loops))
    if count < 12:
        raise RuntimeError(f"the bundled manifest built only {count} tools")
    return [
        Row(key="manifest_load", figure=f"Manifest load: parse, validate, build {count} tools", unit="ms",
            ours=Summary(ours_ms), baseline=Summary(base_ms), baseline_label="`json.loads` of the same file",
            compare="ratio", target=None, target_text="info (none set)", digits=2,
            notes=[f"{reps} reps × {loops} loops, mean per load. Of ours, `load_bundled` alone (read, parse, "
                   f"validate) takes a median {median(load_ms):.2f} ms; the rest is `build_catalog` "
                   "(schema rewriting, validators, output schemas)."]),
    ]

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


MODEL_VIEW_TARGET_KB = 11.0  # "Lean and fast": 2x the provider's own server (5.5 KB), with far more safety text
WHOLE_LIST_TARGET_KB = 30.0


def _wire_kb(value: object) -> float:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) / 1024


def tool_list_rows() -> list[Row]:
    """What tools/list costs: sizes, so one measurement each (they do not vary run to run)."""
    from iletimerkezi_mcp.manifest.loader import bundled_path, load_bundled
    from iletimerkezi_mcp.settings import Settings
    from iletimerkezi_mcp.tools import build_catalog

    settings = Settings(manifest_mode="bundled")
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True)
             for tool in build_catalog(load_bundled(settings), settings).listed()]
    seen = [{"name": t["name"], "description": t["description"], "inputSchema": t["inputSchema"]} for t in tools]
    endpoints = json.loads(bundled_path().read_text(encoding="utf-8"))["endpoints"]
    published = [{"name": e["mcp_tool"]["name"] if isinstance(e.get("mcp_tool"), dict) else e.get("mcp_tool"),
                  "description": e.get("description"), "inputSchema": e.get("input_schema")} for e in endpoints]
    label = f"the manifest's own {len(published)} entries (name, description in both languages, input schema)"
    return [
        Row(key="tool_list_model", figure=f"tools/list as a model reads it ({len(tools)} tools: name, description, "
            "inputSchema)", unit="KB", ours=Summary([_wire_kb(seen)]), baseline=Summary([_wire_kb(published)]),
            baseline_label=label, compare="absolute", target=MODEL_VIEW_TARGET_KB,
            target_text=f"≤ {MODEL_VIEW_TARGET_KB:g} KB", digits=1,
            notes=["Compact JSON, UTF-8. The provider's own server lists about 5.5 KB (measured for the issue, "
                   "not here: it is not installed). About 4.6 KB of ours is the provider's argument documentation, "
                   "published as written; our own text was cut to the safety facts, once each."]),
        Row(key="tool_list_whole", figure="tools/list, whole (output schemas and annotations included)", unit="KB",
            ours=Summary([_wire_kb(tools)]), baseline=Summary([_wire_kb(published)]), baseline_label=label,
            compare="absolute", target=WHOLE_LIST_TARGET_KB, target_text=f"≤ {WHOLE_LIST_TARGET_KB:g} KB", digits=1),
    ]

"""The CLI sub-commands beside the server: tools, call, manifest show|diff|refresh, doctor.

They reuse the server's own pieces (loader, catalog, dispatch), so what they show is what
the MCP server would do. Reports go to stdout; logs to stderr.

Manifest text reaches the terminal in these reports (names, titles, skip reasons, field names), so
each report line goes out through `_say`: a control character, zero-width or bidi character is shown
as an escape, never acted on (no screen clear or window title from a hostile manifest). Values
inside a line are passed through `visible` too, so one cannot start a line of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from iletimerkezi_mcp.manifest.cache import read_cache
from iletimerkezi_mcp.manifest.loader import LoadedManifest, fetch_live, load_bundled, load_local
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.text import visible

if TYPE_CHECKING:
    from iletimerkezi_mcp.tools import Catalog


def run(command: str, namespace: argparse.Namespace, settings: Settings) -> int:
    if command == "tools":
        return tools_table(settings, lint=namespace.lint)
    if command == "call":
        return anyio.run(call_once, settings, namespace.tool, namespace.args_json)
    if command == "manifest":
        return anyio.run(manifest_action, settings, namespace.action)
    if command == "history":
        return history_command(settings, namespace.since, namespace.tool, namespace.outcome, namespace.limit,
                               namespace.as_json)
    if command == "token":
        # --budget-hour/--budget-day given on this command line become the caller's own budgets.
        given = vars(namespace)
        return token_new(namespace.name, namespace.role, settings.budget_hour if "budget_hour" in given else None,
                         settings.budget_day if "budget_day" in given else None, settings)
    if command == "doctor":
        from iletimerkezi_mcp.doctor import run_doctor

        return anyio.run(run_doctor, settings)
    raise ValueError(command)


def tools_table(settings: Settings, lint: bool = False) -> int:
    from iletimerkezi_mcp.app import build_state

    state = build_state(settings)
    rows = [("TOOL", "KIND", "TITLE")]
    for spec in state.catalog.specs.values():
        contract = spec.contract
        kind = contract.kind + (", destructive" if contract.destructive and not contract.read_only else "")
        kind += ", experimental" if contract.experimental else ""
        rows.append((visible(spec.name), kind, visible(spec.tool.title or "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        _say("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    _say(f"\n{len(rows) - 1} tools from the {visible(state.catalog.manifest.describe())}")
    for name, why in state.catalog.skipped:
        _say(f"skipped: {visible(name)}: {visible(why)}")
    return lint_catalog(state.catalog) if lint else 0


def lint_catalog(catalog: Catalog) -> int:
    """`tools --lint`: check what clients receive against what the major MCP clients accept."""
    from iletimerkezi_mcp.schema_lint import lint_tools

    tools = [spec.tool.model_dump(mode="json", by_alias=True, exclude_none=True) for spec in catalog.specs.values()]
    local = [name for name, spec in catalog.specs.items() if spec.path is None]
    findings = lint_tools(tools, "sms", local_tools=local)
    for finding in findings:
        _say(visible(f"{finding.severity}: {finding.tool} {finding.path}: [{finding.rule}] {finding.message}"))
    errors = sum(f.severity == "error" for f in findings)
    print(f"lint: {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


def history_command(settings: Settings, since: str, tool: str | None, outcome: str | None, limit: int,
                    as_json: bool) -> int:
    import time

    from iletimerkezi_mcp import history
    from iletimerkezi_mcp.ledger import open_configured

    now = time.time()
    try:
        start = history.parse_since(since, now)
    except history.SinceError as exc:
        print(f"--{exc}", file=sys.stderr)
        return 2
    ledger = open_configured(settings)  # the team's PostgreSQL ledger when a database URL is set
    try:
        if ledger.problem:
            print(f"the send ledger is unavailable: {ledger.problem}", file=sys.stderr)
            return 1
        rows, total = ledger.history(since=start, tool=tool, outcome=outcome, limit=max(1, limit))
    finally:
        ledger.close()
    if as_json:
        for row in rows:
            print(json.dumps(history.row_json(row), ensure_ascii=False))
        return 0
    print(f"Writes {history.span_text(start, now)}, from {ledger.location}:")
    print(history.render_table(rows, total))
    return 0


def token_new(name: str, role: str, budget_hour: int | None, budget_day: int | None, settings: Settings) -> int:
    """The token once on stdout (for a pipe or a secret store), the file line on stderr: only its hash."""
    from iletimerkezi_mcp.http.auth import NAME, new_token

    if not NAME.fullmatch(name):
        print("token new: NAME must be letters, digits, _ . @ - (at most 64, starting with a letter or digit)",
              file=sys.stderr)
        return 2
    token, line = new_token(name, role, budget_hour, budget_day)
    where = settings.http_tokens or "the file ILETIMERKEZI_HTTP_TOKENS names"
    print(token)
    print(f"\nThe token above is shown only now; give it to {name} as their bearer token.\n"
          f"Append this line to {where} and restart serve-http:\n{line}", file=sys.stderr)
    return 0


async def call_once(settings: Settings, tool: str, args_json: str) -> int:
    from iletimerkezi_mcp.app import build_state
    from iletimerkezi_mcp.dispatch import call_tool

    try:
        arguments = json.loads(args_json)
    except ValueError as exc:
        print(f"--json is not valid JSON: {exc}", file=sys.stderr)
        return 2
    async with build_state(settings) as state:
        result = await call_tool(state, tool, arguments)
    for item in result.content:
        print(getattr(item, "text", ""))
    return 1 if result.is_error else 0


async def manifest_action(settings: Settings, action: str) -> int:
    if action == "show":
        return _show(settings)
    if action == "refresh":
        entry = read_cache(settings.resolved_cache_dir(), settings.manifest_url)
        outcome = await fetch_live(settings, entry)
        if outcome.loaded is None:
            _say(f"refresh failed: {visible(outcome.reason)}; the served manifest is unchanged")
            return 1
        _say(f"{outcome.status}: {visible(outcome.loaded.describe())}")
        return 0
    return await _diff(settings)


def _show(settings: Settings) -> int:
    served, entry = load_local(settings)
    _say(f"served:   {visible(served.describe())}")
    _say(f"from:     {visible(served.origin)}")
    _say(f"mode:     {settings.manifest_mode} (TTL {settings.manifest_ttl:g} s)")
    if settings.manifest_mode == "bundled":
        _say("why:      ILETIMERKEZI_MANIFEST=bundled pins the shipped copy; nothing is fetched")
    elif settings.manifest_mode == "cache":
        _say("why:      ILETIMERKEZI_MANIFEST=cache serves the cached copy (else the bundled one) and never "
              "fetches while serving; `iletimerkezi-mcp manifest refresh` updates it")
    elif entry is None:
        _say(f"why:      no usable cache for {visible(settings.manifest_url)}; the bundled copy is served and the "
              "live manifest is fetched in the background")
    elif served.source == "cache":
        _say("why:      the cache is fresh; no fetch needed")
    else:
        _say("why:      the cache is older than the TTL; it is served while the live manifest is fetched "
              "in the background")
    for slug, reason in served.parsed.skipped:
        _say(f"skipped:  {visible(slug)}: {visible(reason)}")
    return 0


async def _diff(settings: Settings) -> int:
    sources: dict[str, LoadedManifest | None] = {"bundled": load_bundled(settings)}
    entry = read_cache(settings.resolved_cache_dir(), settings.manifest_url)
    sources["cached"] = load_local(settings)[0] if entry is not None else None
    with tempfile.TemporaryDirectory(prefix="iletimerkezi-mcp-diff-") as scratch:
        # The diff must not replace the served cache; the live copy goes to a throwaway dir.
        outcome = await fetch_live(settings.model_copy(update={"cache_dir": Path(scratch)}), None)
    sources["live"] = outcome.loaded
    if outcome.loaded is None:
        _say(f"live: unavailable ({visible(outcome.reason)})")
    names = [n for n, m in sources.items() if m is not None]
    for i, left in enumerate(names):
        for right in names[i + 1:]:
            _say(f"{left} → {right}:")
            for line in diff_tools(sources[left], sources[right]) or ["  no differences in tools or schemas"]:
                _say(line)
    return 0


def diff_tools(old: LoadedManifest | None, new: LoadedManifest | None) -> list[str]:
    a = old.parsed.tools() if old else {}
    b = new.parsed.tools() if new else {}
    lines = [f"  + tool {visible(n)}" for n in sorted(set(b) - set(a))]
    lines += [f"  - tool {visible(n)}" for n in sorted(set(a) - set(b))]
    for name in sorted(set(a) & set(b)):
        before = _fields(a[name].input_schema or {})
        after = _fields(b[name].input_schema or {})
        shown = visible(name)
        lines += [f"  {shown}: + field {visible(f)}" for f in sorted(set(after) - set(before))]
        lines += [f"  {shown}: - field {visible(f)}" for f in sorted(set(before) - set(after))]
        lines += [f"  {shown}: ~ field {visible(f)} changed" for f in sorted(set(before) & set(after))
                  if before[f] != after[f]]
    return lines


def _say(text: str) -> None:
    """One report line (or lines) to stdout, with every hidden character but a newline escaped."""
    print(visible(text, keep_newlines=True))


def _fields(schema: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a schema's properties into dotted paths → a stable text of their own keywords."""
    out: dict[str, str] = {}
    required = set(schema.get("required", []))
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict):
            continue
        path = f"{prefix}{name}"
        own = {k: v for k, v in sub.items() if k not in ("properties", "items", "description")}
        own["required"] = name in required
        out[path] = json.dumps(own, sort_keys=True)
        out.update(_fields(sub, f"{path}."))
        if isinstance(sub.get("items"), dict):
            out.update(_fields(sub["items"], f"{path}[]."))
    return out

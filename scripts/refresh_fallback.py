"""Refresh the bundled fallback manifest from the provider's live manifest (release-time tool).

Usage:
    python scripts/refresh_fallback.py [--url URL] [--output PATH] [--timeout S] [--allow-fewer]

The live document is validated with the project's own parser before anything is written.
A refresh is refused when the document is unusable, when any endpoint is broken, when it
offers no tools, or when it offers fewer tools than the current fallback (unless
--allow-fewer). The new file is written atomically in the provider's serialisation, so a
failed run always leaves the old fallback untouched. Messages go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

DEFAULT_URL = "https://www.iletimerkezi.com/api/manifest.json"
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"
)
API_ORIGIN = "https://api.iletimerkezi.com"
# Plain http is only acceptable against a local test server.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_BYTES = 5_000_000  # the live file is tens of kilobytes; anything huge is not a manifest
PROG = "refresh_fallback"


class RefreshError(Exception):
    """A refusal with a message meant for the person running the release."""


def serialise(manifest: object) -> str:
    """The provider's layout: 2-space indent, raw UTF-8, trailing newline."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise RefreshError(f"refusing URL {url!r}: use https (plain http only for 127.0.0.1/localhost)")


def fetch(url: str, timeout: float) -> object:
    """GET the manifest and decode it as JSON. Raises RefreshError on any failure."""
    _check_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise RefreshError(f"could not fetch {url}: {type(exc).__name__}: {exc}") from None
    _check_url(str(response.url))  # a redirect must not downgrade to plain http
    if not response.is_success:
        raise RefreshError(f"{url} answered HTTP {response.status_code}")
    if len(response.content) > MAX_BYTES:
        raise RefreshError(f"{url} returned {len(response.content)} bytes, more than {MAX_BYTES}")
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefreshError(f"{url} did not return valid UTF-8 JSON: {exc}") from None


def validated_tools(data: object) -> set[str]:
    """Validate with the project's parser; return the tool names. Any skipped endpoint is fatal."""
    from iletimerkezi_mcp.manifest.models import ManifestError, parse_manifest

    try:
        parsed = parse_manifest(data)
    except ManifestError as exc:
        raise RefreshError(f"manifest rejected: {exc}") from None
    if parsed.skipped:
        detail = "; ".join(f"{label}: {reason}" for label, reason in parsed.skipped)
        raise RefreshError(f"manifest has {len(parsed.skipped)} broken endpoint(s): {detail}")
    if not isinstance(data, dict):  # parse_manifest refuses these too; keeps the types honest
        raise RefreshError("manifest is not a JSON object")
    # The executor pins this origin and refuses calls elsewhere; a fallback naming another
    # host would ship a server whose every call fails, so catch it at release time.
    origins = {data.get("base_url")} | {
        ep.get("base_url") for ep in data["endpoints"] if isinstance(ep, dict) and "base_url" in ep
    }
    if origins != {API_ORIGIN}:
        raise RefreshError(f"manifest names API origin(s) {sorted(map(str, origins))}, expected only {API_ORIGIN}")
    tools = {ep.mcp_tool for ep in parsed.endpoints if ep.mcp_tool and ep.input_schema is not None}
    if not tools:
        raise RefreshError("manifest offers no tools")
    return tools


def current_tools(path: Path) -> set[str]:
    """Tool names in the existing fallback; empty if there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            ep["mcp_tool"]
            for ep in data["endpoints"]
            if isinstance(ep, dict) and isinstance(ep.get("mcp_tool"), str) and isinstance(ep.get("input_schema"), dict)
        }
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"{PROG}: warning: current fallback {path} is unreadable ({exc}); not comparing tool sets",
              file=sys.stderr)
        return set()


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same directory, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def refresh(url: str, output: Path, timeout: float, allow_fewer: bool) -> str:
    """Do one refresh; return the summary line. Raises RefreshError when refusing."""
    data = fetch(url, timeout)
    new_tools = validated_tools(data)
    old_tools = current_tools(output)
    if len(new_tools) < len(old_tools) and not allow_fewer:
        missing = ", ".join(sorted(old_tools - new_tools)) or "none"
        raise RefreshError(
            f"live manifest has {len(new_tools)} tools, the current fallback {len(old_tools)} "
            f"(missing: {missing}); pass --allow-fewer if this is intended"
        )
    write_atomic(output, serialise(data))
    added = sorted(new_tools - old_tools)
    removed = sorted(old_tools - new_tools)
    generated_at = data.get("generated_at") if isinstance(data, dict) else None
    return (
        f"{PROG}: wrote {output} ({len(new_tools)} tools, generated_at {generated_at}); "
        f"added {len(added)}: {', '.join(added) or '-'}; removed {len(removed)}: {', '.join(removed) or '-'}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Refresh the bundled fallback manifest from the live one.")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"manifest URL (default {DEFAULT_URL})")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="fallback file to replace")
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout in seconds (default 10)")
    parser.add_argument("--allow-fewer", action="store_true", help="accept fewer tools than the current fallback")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.timeout <= 0:
        print(f"{PROG}: error: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        summary = refresh(args.url, args.output, args.timeout, args.allow_fewer)
    except RefreshError as exc:
        print(f"{PROG}: error: {exc}; {args.output} left unchanged", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{PROG}: error: could not write {args.output}: {exc}; old file left in place", file=sys.stderr)
        return 1
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

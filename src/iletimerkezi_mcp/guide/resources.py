"""Resources: the rules and error codes (Markdown), the manifest being served (JSON), and, read live
through the same path as a tool call, the account at a glance and an order's report (JSON).

Which tools feed the live ones is each tool's contract's word (`Feed`), looked up in the catalog
being served: a tool the settings do not offer feeds nothing, and its resource is not listed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import mcp.types as types
from mcp.shared.exceptions import MCPError

from iletimerkezi_mcp.app import AppState
from iletimerkezi_mcp.contracts.base import Feed
from iletimerkezi_mcp.dispatch import call_tool
from iletimerkezi_mcp.text import is_clean, is_hidden
from iletimerkezi_mcp.tools import ToolSpec

from . import docs
from .uris import ACCOUNT, ERROR_CODES, IYS_RULES, MANIFEST, ORDER, SCHEME, SENDING_RULES

MARKDOWN = "text/markdown"
JSON = "application/json"
RESOURCE_NOT_FOUND = -32002  # the MCP specification's code for an unknown resource
API_CALL_FAILED = -32603  # the API call behind a live resource failed; the message says why
MAX_VARIABLE = 64  # characters of a template variable taken from a URI


@dataclass(frozen=True)
class Doc:
    uri: str
    name: str
    title: str
    description: str
    mime: str
    read: Callable[[AppState], Awaitable[str]]
    live: bool = False  # read from the API: listed only while a tool feeds it


def _static(text: Callable[[], str]) -> Callable[[AppState], Awaitable[str]]:
    async def read(state: AppState) -> str:
        return text()

    return read


def readable_json(value: Any, *, compact: bool = False) -> str:
    """JSON for a reader: Turkish letters as they are, every hidden character as a JSON escape."""
    if compact:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(value, ensure_ascii=False, indent=1)
    if is_clean(text.replace("\n", "")):
        return text
    return "".join(_escape(ch) if ch != "\n" and is_hidden(ch) else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


async def _manifest(state: AppState) -> str:
    catalog = state.catalog
    manifest = catalog.manifest
    return readable_json({
        "source": manifest.source,
        "from": _shown_origin(manifest.origin),
        "fetched_at": manifest.fetched_at.isoformat(timespec="seconds") if manifest.fetched_at else None,
        "generated_at": manifest.parsed.generated_at,
        "served": {name: spec.path for name, spec in catalog.specs.items()},
        "skipped": [{"tool": name, "why": why} for name, why in [*manifest.parsed.skipped, *catalog.skipped]],
        "document": manifest.parsed.raw,
    }, compact=True)


def _shown_origin(origin: str) -> str:
    """A URL without user:password, query or fragment (any of them may carry a token); of a local file
    only its name (a team server's clients need not learn its paths)."""
    if "://" not in origin:
        return Path(origin).name
    parts = urlsplit(origin)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def feeders(state: AppState, resource: str | None = None, *, completes: str | None = None
            ) -> list[tuple[ToolSpec, Feed]]:
    """The served tools whose contract feeds resource (or template) `resource`, or lists values of kind
    `completes`, each with that feed, in catalog order."""
    found = []
    for spec in state.catalog.specs.values():
        feed = spec.contract.feed
        if feed is not None and ((resource is not None and feed.resource == resource)
                                 or (completes is not None and feed.completes == completes)):
            found.append((spec, feed))
    return found


async def _live(state: AppState, uri: str, variables: dict[str, str]) -> str:
    """Call every tool feeding `uri`; one part per tool, or the whole result of a lone feeder."""
    parts: dict[str, Any] = {}
    notes: list[str] = []
    for spec, feed in feeders(state, uri):
        result = await call_tool(state, spec.name, feed.arguments(variables))
        text = "\n".join(getattr(item, "text", "") for item in result.content)
        if result.is_error or result.structured_content is None:
            if feed.part is None:  # the whole resource is this answer: it failed, say why
                raise MCPError(API_CALL_FAILED, text[:2000])
            parts[feed.part] = None
            note = text.split("\n\n")[0][:2000]  # whole: a cut sentence helps no one (error texts are bounded)
            if note not in notes:  # e.g. missing credentials: said once, not once per tool
                notes.append(note)
            continue
        structured = result.structured_content
        if feed.part is None:
            return readable_json(structured)
        parts[feed.part] = structured.get(feed.part)
        if structured.get("sandbox"):
            parts["sandbox"] = True
    if notes:
        parts["problems"] = notes
    return readable_json(parts)


def _account(state: AppState) -> Awaitable[str]:
    return _live(state, ACCOUNT, {})


DOCS: tuple[Doc, ...] = (
    Doc(SENDING_RULES, "sending-rules", "Sending rules",
        "How a text becomes parts and credits (encodings, the B186 operator code, 7 parts), sender IDs, "
        "the iys flag, scheduling, recipients and duplicates.", MARKDOWN, _static(docs.sending_rules)),
    Doc(IYS_RULES, "iys-rules", "İYS consent rules",
        "Who needs consent, ONAY and RET, record fields, consentDate limits, atomic batches, and how to read "
        "an İYS lookup.", MARKDOWN, _static(docs.iys_rules)),
    Doc(ERROR_CODES, "error-codes", "Error codes",
        "Every API status code with its meaning and what to do, in English and Turkish; report statuses.",
        MARKDOWN, _static(docs.error_codes)),
    Doc(MANIFEST, "manifest", "Manifest being served",
        "The provider's manifest this server built its tools from: where it came from, when, which tools "
        "are served and which were skipped and why.", JSON, _manifest),
    Doc(ACCOUNT, "account", "Account at a glance",
        "Read live from the API: the balance and the approved sender names.", JSON, _account, live=True),
)


def listed(state: AppState) -> list[types.Resource]:
    return [types.Resource(uri=doc.uri, name=doc.name, title=doc.title, description=doc.description,
                           mime_type=doc.mime)
            for doc in DOCS if not doc.live or feeders(state, doc.uri)]


def templates(state: AppState) -> list[types.ResourceTemplate]:
    if not feeders(state, ORDER):
        return []
    return [types.ResourceTemplate(
        uri_template=ORDER, name="order-report", title="An order's delivery report",
        description="Read live from the API: an order's status, delivery counters and each recipient's status "
                    "(first page). {id} is the order id a send returned.",
        mime_type=JSON)]


def order_id_of(uri: str) -> str | None:
    prefix = ORDER.split("{", 1)[0]
    if not uri.startswith(prefix):
        return None
    value = uri[len(prefix):]
    if not value or len(value) > MAX_VARIABLE or not value.isascii() \
            or not value.replace("-", "").replace("_", "").isalnum():
        return None
    return value


async def read(state: AppState, uri: str) -> types.ReadResourceResult:
    doc = next((d for d in DOCS if d.uri == uri and (not d.live or feeders(state, d.uri))), None)
    if doc is not None:
        text, mime = await doc.read(state), doc.mime
    else:
        order = order_id_of(uri) if feeders(state, ORDER) else None
        if order is None:
            known = ", ".join([r.uri for r in listed(state)] + [t.uri_template for t in templates(state)])
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri[:200]!r}. Known: {known}.")
        text, mime = await _live(state, ORDER, {"id": order}), JSON
    # Credentials never leave the server, whatever a manifest or its address holds (tool results are
    # masked the same way).
    text = state.redactor.text(text)
    return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)])


__all__ = ["DOCS", "SCHEME", "feeders", "listed", "read", "readable_json", "templates"]

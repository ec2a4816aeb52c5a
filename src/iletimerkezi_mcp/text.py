"""Cleaning untrusted text from the manifest before it reaches a model.

The manifest is data from the network: its text could hide instructions in invisible
characters or reorder what a reader sees with bidi overrides. We drop those, strip the
Markdown the provider uses, collapse whitespace and bound the length.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidirectional formatting characters: invisible, and able to disguise text.
_INVISIBLE = {
    *range(0x200B, 0x2010),  # zero-width space/joiners, LRM, RLM
    *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
    0x00AD,  # soft hyphen
    0x061C,  # Arabic letter mark
    0xFEFF,  # BOM / zero-width no-break space
}

_LINK = re.compile(r"\[([^\]\n]{0,500})\]\((?:[^)\s]{0,2000})\)")
_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\((?:[^)\s]{0,2000})\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# Italics only when the marker stands at a word boundary, so snake_case names survive
# ("send_sms or get_report" must not lose its underscores).
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`\n]*)`")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*+]\s+", re.MULTILINE)
_SPACES = re.compile(r"[ \t]+")
# CSI (colours, cursor) and OSC (titles, links) sequences; a lone ESC goes with the controls.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\))")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_invisible(text: str) -> str:
    """Drop control, zero-width and bidi-override characters; keep newlines and tabs as spaces."""
    text = _ANSI.sub("", text)  # terminal escapes: drop the whole sequence, not just ESC
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append(ch)
        elif ch in "\t\r\v\f":
            out.append(" ")
        elif code in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def strip_markdown(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC.sub(r"\2", text)
    text = _HEADING.sub("", text)
    text = _BULLET.sub("- ", text)
    return text


def bound(text: str, limit: int) -> str:
    """Cut to at most `limit` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def clean_text(text: object, limit: int = 1000, markdown: bool = True, single_line: bool = False) -> str:
    """Untrusted manifest text → safe, plain, bounded text. Non-strings become ''."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text)
    text = strip_invisible(text)
    if markdown:
        text = strip_markdown(text)
    if single_line:
        text = " ".join(text.split())
    else:
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n\n", text).strip()
    return bound(text, limit)

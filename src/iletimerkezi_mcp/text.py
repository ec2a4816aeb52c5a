"""Cleaning untrusted text from the manifest before it reaches a model or a terminal.

The manifest is data from the network: its text could hide instructions in invisible
characters, reorder what a reader sees with bidi overrides, or drive a terminal with escape
sequences. Three uses, one definition of a hidden character (`is_hidden`):

- `plain`: prose published to a client (tool and schema descriptions): hidden characters dropped.
  `clean_text` adds Markdown stripping, whitespace folding and a length bound on top.
- `is_clean`: for text that is sent back to the API as written (property names, enum values):
  it cannot be cleaned without changing the wire, so a caller refuses it instead.
- `visible`: for a terminal: hidden characters shown as escapes (ESC as ``\\x1b``), never acted on.
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
    0x034F,  # combining grapheme joiner
    0x115F, 0x1160, 0x3164, 0xFFA0,  # Hangul fillers: letters that render as nothing
}
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_LINE_BREAKS = "\u2028\u2029"  # line/paragraph separators: a break a reader cannot see coming
# str.isprintable() is False exactly for Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs (but space): a C-speed
# first look. These few hidden ones it calls printable.
_PRINTABLE_HIDDEN = re.compile("[" + "".join(chr(c) for c in sorted(_INVISIBLE) if chr(c).isprintable()) + "]")

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
# CSI (colours, cursor) and OSC (titles, links) sequences, 7-bit (ESC [, ESC ]) and 8-bit (C1 CSI, OSC);
# a lone ESC goes with the controls.
_ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)")
_BLANK_LINES = re.compile(r"\n{3,}")


def is_hidden(ch: str) -> bool:
    """A control (C0, C1, DEL), format (zero-width, bidi, tags), surrogate, private-use or unassigned
    character, or one that renders as nothing: every character a reader or a terminal cannot be trusted with."""
    return ord(ch) in _INVISIBLE or ch in _LINE_BREAKS or unicodedata.category(ch) in _HIDDEN_CATEGORIES


def is_clean(text: str) -> bool:
    """True when `text` has no hidden character at all (newlines and tabs count as hidden)."""
    if text.isprintable():  # the common case, without a Python-level loop
        return _PRINTABLE_HIDDEN.search(text) is None
    return not any(is_hidden(ch) for ch in text)


def strip_invisible(text: str) -> str:
    """Drop control, zero-width and bidi-override characters; keep newlines and tabs as spaces."""
    if is_clean(text):
        return text
    text = _ANSI.sub("", text)  # terminal escapes: drop the whole sequence, not just ESC
    out = []
    for ch in text:
        if ch == "\n" or ch in _LINE_BREAKS:
            out.append("\n")
        elif ch in "\t\r\v\f":
            out.append(" ")
        elif not is_hidden(ch):
            out.append(ch)
    return "".join(out)


def plain(text: str) -> str:
    """Manifest prose as a client may read it: hidden characters dropped, then NFC.

    Stripping comes first, so a zero-width character between a letter and its accent cannot leave
    a decomposed pair behind: the result is a fixed point (plain(plain(x)) == plain(x)).
    """
    return unicodedata.normalize("NFC", strip_invisible(text))


def visible(text: str, keep_newlines: bool = False) -> str:
    """`text` safe to print: each hidden character becomes its Python escape (ESC → ``\\x1b``, RLO →
    ``\\u202e``), so a terminal shows it instead of acting on it. A newline is escaped too unless
    `keep_newlines`: one value must not be able to start a line that looks like ours."""
    if is_clean(text.replace("\n", "") if keep_newlines else text):
        return text
    return "".join(
        ch if (ch == "\n" and keep_newlines) or not is_hidden(ch) else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


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
    text = plain(text)
    if markdown:
        text = strip_markdown(text)
    if single_line:
        text = " ".join(text.split())
    else:
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n\n", text).strip()
    return bound(text, limit)

"""``preview_sms``: what a send would cost, before anything is sent.

Where the provider's behaviour is unknown we take the side that can cost the user less money:
``parts`` and ``credits`` use the larger (single-shift) Turkish count, and every such
choice is written into ``notes`` so the caller can see it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, Field

from .encoding import (
    API_MAX_PARTS,
    CAPACITIES,
    SUFFIX,
    Encoding,
    Model,
    SegmentCount,
    count_segments,
    detect_encoding,
    normalise_text,
)
from .phones import RecipientCheck, check_recipients

__all__ = ["EXAMPLES", "AsciiSuggestion", "SmsPreview", "ascii_fold", "preview_sms", "MAX_RECIPIENTS_PER_REQUEST",
           "recipients_summary"]

# The provider's per-request recipient limit: https://www.iletimerkezi.com/en/docs/api/send-sms
MAX_RECIPIENTS_PER_REQUEST = 50_000

# ASCII folding of the Turkish letters (ş→s, ğ→g, ı→i, İ→I, ç→c, ö→o, ü→u), plus the
# circumflex vowels (â î û), which are common in Turkish ("kâr", "hâlâ") and force UCS-2 on their own.
_FOLD = str.maketrans(
    {
        "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G", "ı": "i", "İ": "I",
        "ç": "c", "Ç": "C", "ö": "o", "Ö": "O", "ü": "u", "Ü": "U",
        "â": "a", "Â": "A", "î": "i", "Î": "I", "û": "u", "Û": "U",
    }
)  # fmt: skip


class AsciiSuggestion(BaseModel):
    """A folded version of the text that needs fewer parts. Never applied automatically."""

    text: str
    encoding: Encoding
    parts: int
    parts_saved: int
    replaced_characters: list[str]


EXAMPLES = 10  # dropped numbers shown in a result; the rest are counted
_RAW_SHOWN = 40


def _shown(raw: str) -> str:
    return raw if len(raw) <= _RAW_SHOWN else raw[: _RAW_SHOWN - 1] + "…"


def recipients_summary(check: RecipientCheck) -> dict[str, Any]:
    """Counts, and at most ten examples of what was dropped and why: a result never echoes a list."""
    out: dict[str, Any] = {"valid": len(check.valid), "duplicates": len(check.duplicates),
                           "invalid": len(check.invalid)}
    if check.duplicates:
        out["duplicate_examples"] = [_shown(raw) for raw in check.duplicates[:EXAMPLES]]
    if check.invalid:
        out["invalid_examples"] = [{"raw": _shown(bad.raw), "reason": bad.reason} for bad in check.invalid[:EXAMPLES]]
    return out


class SmsPreview(BaseModel):
    encoding: Encoding
    characters: int = Field(description="Length of the (NFC, LF-normalised) text in code points, suffix excluded.")
    units: int = Field(description="Septets (GSM-7) or UTF-16 units (UCS-2), suffix included, conservative model.")
    units_optimistic: int
    parts: int = Field(description="Conservative part count; credits use it.")
    parts_optimistic: int = Field(description="Part count under the least conservative model.")
    parts_if_ucs2: int | None = Field(
        default=None, description="Turkish mode only: the count if the provider sent it as Unicode."
    )
    chars_left_in_last_part: int
    max_parts: int
    over_cap: bool = Field(description="True means block: even the optimistic count exceeds max_parts.")
    warnings: list[str]
    forcing_characters: list[str]
    suffix: str = SUFFIX
    recipients: RecipientCheck
    recipient_count: int
    credits_per_recipient: int
    credits: int
    notes: list[str]
    ascii_suggestion: AsciiSuggestion | None = None

    def for_result(self) -> dict[str, Any]:
        """The preview as a tool result shows it: bounded whatever the number of recipients."""
        data = self.model_dump(mode="json", exclude={"recipients"})
        data["recipients"] = recipients_summary(self.recipients)
        return data


def ascii_fold(text: str) -> str:
    """Replace Turkish letters (and â î û) with plain ASCII ones. Case is kept."""
    return text.translate(_FOLD)


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    label = repr(ch) if ch.isprintable() and not ch.isspace() else "an invisible character"
    return f"{label} (U+{ord(ch):04X}{' ' + name if name else ''})"


def _counts(text: str, encoding: Encoding) -> tuple[SegmentCount, SegmentCount]:
    """(conservative, optimistic) counts for normalised, non-empty text."""
    if encoding != "GSM-7 Turkish":
        only = _must(count_segments(text, "gsm7" if encoding == "GSM-7" else "ucs2"))
        return only, only
    single = _must(count_segments(text, "turkish_single"))
    # The locking table lacks è ì Ø ø Æ æ ¡ ¿; then only the single-shift count is possible.
    locking = count_segments(text, "turkish_locking")
    return single, (locking or single)


def _must(count: SegmentCount | None) -> SegmentCount:
    # detect_encoding chose a model that can carry every character, so None is a bug here.
    if count is None:
        raise RuntimeError("encoding detection and counting disagree")
    return count


def _capacity_units(model: Model, parts: int) -> int:
    single, multi = CAPACITIES[model]
    return single if parts == 1 else parts * multi


def preview_sms(text: str, recipients: list[str] | RecipientCheck | None = None,
                max_parts: int = API_MAX_PARTS) -> SmsPreview:
    """Count encoding, parts and credits for ``text`` sent to ``recipients``; never sends.

    ``recipients`` is a list of numbers as typed, or a :class:`RecipientCheck` the caller already
    made with ``check_recipients`` (used as it is, so a large list is not normalised twice).
    """
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    warnings: list[str] = []
    notes: list[str] = []
    cap = min(max_parts, API_MAX_PARTS)
    if max_parts > API_MAX_PARTS:
        notes.append(f"max_parts {max_parts} lowered to {API_MAX_PARTS}: the API rejects longer texts (453).")

    norm = normalise_text(text)
    if "\r\n" in text:
        notes.append("Windows line breaks (CR LF) were counted as a single LF; send the normalised text.")
    if unicodedata.normalize("NFC", text) != text:
        notes.append("The text was normalised to NFC (composed letters) before counting; send the normalised text.")

    check = recipients if isinstance(recipients, RecipientCheck) else check_recipients(recipients or [])
    count = len(check.valid)
    _recipient_warnings(check, warnings, notes)

    encoding, forcing = detect_encoding(norm)
    if not norm:
        warnings.append("The message text is empty; the API rejects it with code 454.")
        single, _ = CAPACITIES["gsm7"]
        return SmsPreview(
            encoding=encoding, characters=0, units=0, units_optimistic=0, parts=0, parts_optimistic=0,
            chars_left_in_last_part=single - len(SUFFIX), max_parts=cap, over_cap=False, warnings=warnings,
            forcing_characters=[], recipients=check, recipient_count=count, credits_per_recipient=0,
            credits=0, notes=notes,
        )  # fmt: skip
    if not norm.strip():
        warnings.append("The message text is only whitespace; the API may treat it as empty (454).")

    cons, opt = _counts(norm, encoding)
    notes.append(
        f"The operator code '{SUFFIX.strip()}' is appended to every SMS; its 5 characters ('{SUFFIX}') are counted."
    )
    notes.append("Part sizes assume the common 8-bit concatenation reference (153 / 149 / 67 per part).")

    parts_if_ucs2: int | None = None
    if encoding == "UCS-2":
        shown = ", ".join(_describe(ch) for ch in forcing)
        warnings.append(
            f"Sent as UCS-2 (Unicode) because of {shown}: a part holds 70 characters alone, 67 when split."
        )
    elif encoding == "GSM-7 Turkish":
        ucs2 = _must(count_segments(norm, "ucs2"))
        parts_if_ucs2 = ucs2.parts
        notes.append(
            f"Turkish-character mode because of {' '.join(forcing)}. The provider does not say whether these "
            f"letters cost 2 septets (single-shift table) or 1 (locking-shift table). At 2 septets this is "
            f"{cons.parts} part(s) ('parts', used for credits); at 1 septet {opt.parts} ('parts_optimistic'). "
            f"Sent as Unicode it would be {ucs2.parts} part(s)."
        )
        if opt is cons:
            notes.append(
                "The locking-shift table cannot carry è ì Ø ø Æ æ ¡ ¿, so only the single-shift count applies here."
            )

    over_cap = opt.parts > cap
    if over_cap:
        excess = opt.units - _capacity_units(opt.model, cap)
        warnings.append(
            f"Too long: {opt.parts} parts even under the most favourable count, above the limit of {cap}. "
            f"Remove at least {excess} character(s) (counting ' B186'); the API rejects over-long texts with 453."
        )
    elif cons.parts > cap:
        warnings.append(
            f"Possibly too long: {cons.parts} parts if Turkish letters cost 2 septets, {opt.parts} if they cost 1; "
            f"the limit is {cap}. The API may reject it with 453. Shorten the text or use the ASCII suggestion."
        )

    if cons.near_boundary or opt.near_boundary:
        notes.append(
            "The text is within 1 character of a part boundary; the provider's count can differ from ours by "
            "one character, so the real number of parts may be one more or one less."
        )

    notes.append(
        "credits = parts × unique valid recipients (one credit per part per recipient); "
        "get_balance's 'sms' figure assumes single-part messages."
    )
    return SmsPreview(
        encoding=encoding,
        characters=len(norm),
        units=cons.units,
        units_optimistic=opt.units,
        parts=cons.parts,
        parts_optimistic=opt.parts,
        parts_if_ucs2=parts_if_ucs2,
        chars_left_in_last_part=cons.chars_left_in_last_part,
        max_parts=cap,
        over_cap=over_cap,
        warnings=warnings,
        forcing_characters=forcing,
        recipients=check,
        recipient_count=count,
        credits_per_recipient=cons.parts,
        credits=cons.parts * count,
        notes=notes,
        ascii_suggestion=_suggest(norm, cons.parts),
    )


def _recipient_warnings(check: RecipientCheck, warnings: list[str], notes: list[str]) -> None:
    if check.invalid:
        shown = "; ".join(f"{bad.raw!r}: {bad.reason}" for bad in check.invalid[:10])
        more = f" (and {len(check.invalid) - 10} more)" if len(check.invalid) > 10 else ""
        warnings.append(f"{len(check.invalid)} recipient(s) are not valid Turkish mobile numbers: {shown}{more}.")
    if check.duplicates:
        notes.append(f"{len(check.duplicates)} duplicate recipient(s) dropped; each number is counted once.")
    if len(check.valid) > MAX_RECIPIENTS_PER_REQUEST:
        warnings.append(
            f"{len(check.valid)} recipients is above the {MAX_RECIPIENTS_PER_REQUEST:,} per-request limit; "
            "the send must be split into several requests."
        )


def _suggest(norm: str, parts: int) -> AsciiSuggestion | None:
    folded = ascii_fold(norm)
    if folded == norm:
        return None
    encoding, _ = detect_encoding(folded)
    folded_count, _ = _counts(folded, encoding)
    if folded_count.parts >= parts:
        return None
    replaced = sorted({ch for ch in norm if ch.translate(_FOLD) != ch}, key=norm.index)
    return AsciiSuggestion(
        text=folded,
        encoding=encoding,
        parts=folded_count.parts,
        parts_saved=parts - folded_count.parts,
        replaced_characters=replaced,
    )

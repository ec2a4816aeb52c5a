"""Pure SMS rules: encoding and parts, Turkish mobile numbers, sender IDs, ``sendDateTime``.

No HTTP and no MCP here, so every rule can be tested and reused on its own.
"""

from __future__ import annotations

from .encoding import (
    API_MAX_PARTS,
    SUFFIX,
    Encoding,
    SegmentCount,
    count_segments,
    detect_encoding,
    normalise_text,
)
from .phones import (
    MOBILE_PREFIXES,
    InvalidNumber,
    InvalidRecipient,
    RecipientCheck,
    check_recipients,
    normalise_number,
)
from .preview import EXAMPLES, MAX_RECIPIENTS_PER_REQUEST, AsciiSuggestion, SmsPreview, ascii_fold, preview_sms
from .schedule import ISTANBUL, Schedule, ScheduleError, parse_send_datetime
from .sender import MAX_SENDER_LENGTH, TURKISH_LETTERS, check_sender

__all__ = [
    "API_MAX_PARTS",
    "EXAMPLES",
    "ISTANBUL",
    "MAX_RECIPIENTS_PER_REQUEST",
    "MAX_SENDER_LENGTH",
    "MOBILE_PREFIXES",
    "SUFFIX",
    "TURKISH_LETTERS",
    "AsciiSuggestion",
    "Encoding",
    "InvalidNumber",
    "InvalidRecipient",
    "RecipientCheck",
    "Schedule",
    "ScheduleError",
    "SegmentCount",
    "SmsPreview",
    "ascii_fold",
    "check_recipients",
    "check_sender",
    "count_segments",
    "detect_encoding",
    "normalise_number",
    "normalise_text",
    "parse_send_datetime",
    "preview_sms",
]

"""Pure domain rules checked before a request is sent: İYS consent records, report windows.

No HTTP and no MCP here. Each check returns plain-English problems that name the field, the
error code the API would have answered, and how to fix it.
"""

from __future__ import annotations

from .consent import (
    CHANNELS,
    CLOCK_SKEW,
    IYS_START,
    MAX_PROBLEMS,
    RECIPIENT_TYPES,
    check_consent_query,
    check_consent_records,
    count_revocations,
    normalise_email,
)
from .reports import MAX_REPORT_SPAN_DAYS, check_report_window

__all__ = [
    "CHANNELS",
    "CLOCK_SKEW",
    "IYS_START",
    "MAX_PROBLEMS",
    "MAX_REPORT_SPAN_DAYS",
    "RECIPIENT_TYPES",
    "check_consent_query",
    "check_consent_records",
    "check_report_window",
    "count_revocations",
    "normalise_email",
]

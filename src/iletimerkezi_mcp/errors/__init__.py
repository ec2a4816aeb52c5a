"""Every provider outcome explained in English and Turkish: the code table (`codes.py`) and the
text builders for `isError` results (`explain.py`)."""

from .codes import (
    AUTH_DOCS,
    AUTH_DOCS_TR,
    CODES,
    ERROR_CODES_DOCS,
    ERROR_CODES_DOCS_TR,
    EXCERPT_LIMIT,
    MAX_TEXT,
    CodeInfo,
)
from .explain import (
    GENERIC_WRITE,
    Meaning,
    WriteRisk,
    explain_api_error,
    explain_http_error,
    explain_missing_credentials,
    explain_protocol_error,
    explain_transport_error,
    table_meaning,
)

__all__ = [
    "AUTH_DOCS",
    "AUTH_DOCS_TR",
    "CODES",
    "ERROR_CODES_DOCS",
    "ERROR_CODES_DOCS_TR",
    "EXCERPT_LIMIT",
    "GENERIC_WRITE",
    "MAX_TEXT",
    "CodeInfo",
    "Meaning",
    "WriteRisk",
    "explain_api_error",
    "explain_http_error",
    "explain_missing_credentials",
    "explain_protocol_error",
    "explain_transport_error",
    "table_meaning",
]

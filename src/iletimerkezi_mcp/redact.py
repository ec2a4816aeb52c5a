"""Credentials replaced by value wherever text leaves the server: tool results, errors and logs.

Not by guessing what looks like a key: the configured key and hash (and the sandbox's, which are
public but still credentials) are searched for literally, so an API error that echoes them, or an
exception that quotes a request body, shows `***` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.text import visible

if TYPE_CHECKING:
    import mcp.types as types

MASK = "***"
MIN_SECRET = 6  # a shorter "secret" would mask ordinary words; real keys are tens of characters


def secrets_of(settings: Settings) -> list[str]:
    found: list[str] = []
    if settings.sandbox:  # only then: importing the sandbox costs every other start its HTTP server modules
        from iletimerkezi_mcp.sandbox.state import SANDBOX_API_HASH, SANDBOX_API_KEY

        found += [SANDBOX_API_KEY, SANDBOX_API_HASH]
    for secret in (settings.api_key, settings.api_hash, settings.database_url):
        if secret is not None:
            found.append(secret.get_secret_value())
    if settings.database_url is not None:  # its password alone, too, wherever a driver quotes it
        password = urlsplit(settings.database_url.get_secret_value()).password
        if password:
            found.append(password)
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first: a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def appears_in(self, text: str) -> bool:
        """True when a credential is written anywhere in `text` (e.g. the JSON of a call's arguments)."""
        return any(secret in text for secret in self._secrets)

    def deep(self, value: Any) -> Any:
        """`value` with every string (keys included) masked; the same object when nothing changed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            changed = {self.deep(k): self.deep(v) for k, v in value.items()}
            return value if _same(value, changed) else changed
        if isinstance(value, list):
            items = [self.deep(item) for item in value]
            return value if all(a is b for a, b in zip(value, items, strict=True)) else items
        return value

    def result(self, result: types.CallToolResult) -> types.CallToolResult:
        import mcp.types as types  # here: the CLI's log setup imports this module without the SDK

        content = [item.model_copy(update={"text": self.text(item.text)})
                   if isinstance(item, types.TextContent) and self.text(item.text) != item.text else item
                   for item in result.content]
        structured = self.deep(result.structured_content) if result.structured_content is not None else None
        if structured is result.structured_content and all(a is b for a, b in zip(content, result.content,
                                                                                     strict=True)):
            return result
        return result.model_copy(update={"content": content, "structured_content": structured})


def _same(before: dict[Any, Any], after: dict[Any, Any]) -> bool:
    """No key renamed and no value replaced (identity: `deep` returns what it did not change)."""
    return len(before) == len(after) and all(k in after and after[k] is v for k, v in before.items())


class RedactingFormatter(logging.Formatter):
    """Masks the credentials in every formatted record (message, arguments and traceback alike) and
    shows hidden characters (ESC, bidi overrides) as escapes."""

    def __init__(self, fmt: str, redactor: Redactor) -> None:
        super().__init__(fmt)
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        # A warning may quote manifest or API text: escape sequences are shown, never acted on.
        return visible(self._redactor.text(super().format(record)), keep_newlines=True)


def redact_logs(redactor: Redactor, fmt: str) -> None:
    """Give every handler of the root logger the redacting formatter."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter(fmt, redactor))


__all__ = ["MASK", "RedactingFormatter", "Redactor", "redact_logs", "secrets_of"]

"""A user's local overlay: adjust a tool's description or tighten its schema without
waiting for the provider. Applied after loading; it can only narrow what is accepted,
because arguments must pass the manifest's schema as well as the overlay's.

`load_overlay` raises OverlayError with a precise message (the doctor shows it);
`load_overlay_or_warn` turns that into one warning and no overlay, so a bad file never
stops the server.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from iletimerkezi_mcp.localfiles import SMALL_FILE_LIMIT, LocalFileError, load_json
from iletimerkezi_mcp.manifest.models import check_object_schema

log = logging.getLogger(__name__)


class OverlayError(ValueError):
    """The overlay file is unusable; the message names the file and the problem."""


class ToolAdjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=2000)
    input_schema: dict[str, Any] | None = None

    @field_validator("input_schema")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else check_object_schema(value)


class Overlay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: dict[str, ToolAdjustment] = Field(default_factory=dict)
    path: str = ""

    def describe(self) -> str:
        names = ", ".join(sorted(self.tools)) or "no tools"
        return f"overlay {self.path} adjusts {names}"


def load_overlay(path: Path) -> Overlay:
    """The overlay in `path`; OverlayError naming the file and the problem otherwise."""
    try:
        document = load_json(path, limit=SMALL_FILE_LIMIT)
    except LocalFileError as exc:
        raise OverlayError(f"overlay {path}: it {exc}") from None
    if document is None:
        raise OverlayError(f"overlay {path}: cannot read (the file does not exist)")
    if not isinstance(document, dict):
        raise OverlayError(f"overlay {path}: must be a JSON object like {{\"tools\": {{...}}}}")
    unknown = sorted(set(document) - {"tools"})
    if unknown:
        raise OverlayError(f"overlay {path}: unknown top-level key(s) {', '.join(unknown)}; only \"tools\" is allowed")
    try:
        return Overlay(tools=document.get("tools", {}), path=str(path))
    except (ValidationError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            raise OverlayError(f"overlay {path}: a schema is nested too deeply") from None
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise OverlayError(f"overlay {path}: {problems}") from None


def load_overlay_or_warn(path: Path) -> Overlay | None:
    """The overlay, or None with one warning on stderr when the file is unusable."""
    try:
        return load_overlay(path)
    except OverlayError as exc:
        log.warning("%s; ignored, the server runs without the overlay", exc)
        return None

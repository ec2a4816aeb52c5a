"""The start snapshot: what a full start answered to initialize and tools/list, and when it still holds.

Stdlib only (it runs before pydantic and the MCP SDK are imported). A snapshot is keyed on
everything that can change those answers: the package (every file's size and time, so an edited
checkout counts), the interpreter and the installed distributions (their versions included), the
command line, every ILETIMERKEZI_* variable and the ones that move our folders, the files those
name, and the manifest copies in the cache folder. The key is one SHA-256 over all of it, so the
credentials among the variables never reach the file. Answers are kept per requested protocol
version, exactly as the SDK wrote them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iletimerkezi_mcp.localfiles import LocalFileError, load_json, replace_file

FILE_PREFIX = "start-snapshot-"
KEPT = 4  # snapshots kept per cache folder: one per configuration (Claude Desktop and Cursor differ)
FORMAT = 1
SNAPSHOT_LIMIT = 4 * 1024 * 1024  # a real one is about 40 KB per protocol version
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Variables besides ILETIMERKEZI_* that change where we look for files (platformdirs) or what we read.
_FOLDER_VARIABLES = ("HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "XDG_CACHE_HOME", "XDG_DATA_HOME")
_CACHE_FLAG = "--cache-dir"
_CACHE_VARIABLE = "ILETIMERKEZI_MCP_CACHE_DIR"


def snapshot_dir(argv: Sequence[str], env: Mapping[str, str]) -> Path:
    """The cache folder as the settings will resolve it (the last --cache-dir wins, then the variable)."""
    chosen: str | None = None
    for index, token in enumerate(argv):
        if token == _CACHE_FLAG and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif token.startswith(_CACHE_FLAG + "="):
            chosen = token.split("=", 1)[1]
    if not chosen:
        variable = env.get(_CACHE_VARIABLE, "")
        chosen = variable if variable.strip() else None
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("iletimerkezi-mcp", appauthor=False))


def _stat_line(path: Path) -> str:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return f"{path}:-"
    return f"{path}:{info.st_mode:o}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def _package_files() -> list[str]:
    lines = []
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        lines.extend(_stat_line(Path(folder, name)) for name in sorted(files) if not name.endswith(".pyc"))
    return lines


def _distributions() -> list[str]:
    """The dist-info folder names on sys.path: they carry every installed version (mcp, pydantic…)."""
    names = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names.extend(f"{entry}/{item.name}" for item in listing if item.name.endswith(".dist-info"))
        except OSError:
            continue
    return sorted(names)


def compute_key(argv: Sequence[str], env: Mapping[str, str], cache_dir: Path) -> str:
    variables = sorted((name, value) for name, value in env.items()
                       if name.startswith("ILETIMERKEZI") or name in _FOLDER_VARIABLES)
    named_files = []  # files a flag or a variable names (overlay, fallback manifest): their contents count
    for value in [*argv, *(value for _, value in variables)]:
        candidate = value.split("=", 1)[1] if value.startswith("--") and "=" in value else value
        if candidate and len(candidate) < 4096 and os.path.isfile(candidate):
            named_files.append(_stat_line(Path(candidate).resolve()))
    try:
        manifests = sorted(item.name for item in os.scandir(cache_dir) if item.name.startswith("manifest-"))
    except OSError:
        manifests = []
    material = {
        "format": FORMAT,
        "python": [sys.executable, sys.version, sys.platform],
        "package": _package_files(),
        "distributions": _distributions(),
        "argv": list(argv),
        "variables": variables,
        "files": named_files,
        "cache": [_stat_line(cache_dir / name) for name in manifests],
    }
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def render(response: Mapping[str, Any]) -> str:
    """A JSON-RPC message as one line, the way the SDK writes it (checked when a snapshot is taken)."""
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Snapshot:
    path: Path
    key: str
    valid_until: float | None = None  # the answers name the manifest's freshness, which ends then
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # version -> {"initialize", "tools"}

    def usable(self, now: float | None = None) -> bool:
        return self.valid_until is None or (now or time.time()) < self.valid_until

    def answer(self, version: str, method: str, request_id: object) -> str | None:
        """The stored response to `method` for `version`, re-addressed to `request_id`; None if unknown."""
        stored = self.answers.get(version, {}).get(method)
        if not isinstance(stored, dict):
            return None
        return render({**stored, "id": request_id})

    def save(self) -> None:
        """Write it (atomically, 0600) and keep only the newest few others in its folder."""
        document = {"format": FORMAT, "key": self.key, "valid_until": self.valid_until, "answers": self.answers}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.path, render(document).encode("utf-8"))
        others = []
        for item in os.scandir(self.path.parent):
            if item.name.startswith(FILE_PREFIX) and item.name.endswith(".json") and item.path != str(self.path):
                with contextlib.suppress(OSError):
                    others.append((item.stat(follow_symlinks=False).st_mtime_ns, item.path))
        for _, stale in sorted(others, reverse=True)[KEPT - 1:]:
            with contextlib.suppress(OSError):
                os.unlink(stale)


def path_for(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{FILE_PREFIX}{key[:16]}.json"


def load(cache_dir: Path, key: str) -> Snapshot:
    """The snapshot for `key` in `cache_dir` if there is a usable one; else an empty one to fill."""
    path = path_for(cache_dir, key)
    try:
        document = load_json(path, limit=SNAPSHOT_LIMIT)
    except (LocalFileError, RecursionError):
        document = None
    fresh = Snapshot(path=path, key=key)
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return fresh
    answers = document.get("answers")
    valid_until = document.get("valid_until")
    if not isinstance(answers, dict) or not (valid_until is None or isinstance(valid_until, (int, float))):
        return fresh
    kept = {version: methods for version, methods in answers.items()
            if isinstance(methods, dict) and all(isinstance(m, dict) for m in methods.values())}
    return Snapshot(path=path, key=key, valid_until=valid_until, answers=kept)


__all__ = ["FILE_PREFIX", "Snapshot", "compute_key", "load", "path_for", "render", "snapshot_dir"]

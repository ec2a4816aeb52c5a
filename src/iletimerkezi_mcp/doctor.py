"""`iletimerkezi-mcp doctor`: each part of the setup checked, with the fix in plain words.

Lines read `OK`, `WARN` or `PROBLEM`; the exit code is non-zero when any line is a problem.
Credentials are never printed, only whether they are set and how long they are. Every local
file the server reads is checked without changing it, and a broken one is a line with its
fix, never a traceback. Lines carry manifest text (skip reasons, generated_at) and file names, so
each is printed with its hidden characters escaped (`text.visible`): a terminal never acts on them.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import anyio
import httpx
from pydantic import BaseModel, SecretStr

from iletimerkezi_mcp.executor import ApiClient, Credentials, execute
from iletimerkezi_mcp.ledger.schema import APPLICATION_ID, SCHEMA_VERSION
from iletimerkezi_mcp.manifest.cache import cache_path, inspect_cache
from iletimerkezi_mcp.manifest.loader import load_local, parse_manifest_file
from iletimerkezi_mcp.manifest.models import ManifestError
from iletimerkezi_mcp.settings import PROVIDER_API_ORIGIN, Settings
from iletimerkezi_mcp.text import visible

Status = Literal["OK", "WARN", "PROBLEM"]


class Check(BaseModel):
    status: Status
    name: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        # Each part escaped on its own, newlines included: only our own line break may start a line.
        line = f"[{self.status:^7}] {visible(self.name)}: {visible(self.detail)}"
        return f"{line}\n          fix: {visible(self.fix)}" if self.fix else line


def check_credentials_set(settings: Settings) -> Check:
    if settings.uses_builtin_sandbox:
        return Check(status="OK", name="credentials", detail="sandbox mode: the built-in test credentials are used")
    missing = settings.missing_credentials()
    if missing:
        return Check(status="PROBLEM", name="credentials", detail=f"{' and '.join(missing)} not set",
                     fix="copy the API key and hash from panel.iletimerkezi.com → Settings → Security → API Access "
                         "into the env block of your MCP client config; or try everything with --sandbox")
    key, hash_ = settings.api_key.get_secret_value(), settings.api_hash.get_secret_value()  # type: ignore[union-attr]
    return Check(status="OK", name="credentials",
                 detail=f"key set ({len(key)} characters), hash set ({len(hash_)} characters); values not shown")


def check_cache_dir(settings: Settings) -> Check:
    directory = settings.resolved_cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=".doctor-")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return Check(status="PROBLEM", name="cache dir",
                     detail=f"{directory} is not writable ({exc.strerror or exc}); the manifest cannot be cached, "
                            "so every start serves the bundled copy",
                     fix="make the directory writable, or point ILETIMERKEZI_MCP_CACHE_DIR at a writable one")
    return Check(status="OK", name="cache dir", detail=f"{directory} is writable")


def check_manifest(settings: Settings) -> Check:
    loaded, entry = load_local(settings)
    age = ""
    if entry is not None:
        hours = entry.age_seconds(datetime.now(timezone.utc)) / 3600
        age = f", cached {hours:.1f} h ago"
    detail = f"{loaded.describe()}{age}"
    from iletimerkezi_mcp.tools import build_catalog

    # Entries the catalog refuses (a name on another path, hidden characters in what the API
    # receives) are left out of the served tools just like entries that fail to parse.
    refused = build_catalog(loaded, settings).skipped
    if loaded.parsed.skipped or refused:
        skipped = "; ".join(f"{slug}: {why}" for slug, why in [*loaded.parsed.skipped, *refused])
        return Check(status="WARN", name="manifest", detail=f"{detail}; skipped {skipped}",
                     fix="the provider's manifest has a broken entry; those tools are left out until it is fixed")
    return Check(status="OK", name="manifest", detail=detail)


async def check_manifest_url(settings: Settings) -> Check:
    if settings.manifest_mode == "bundled":
        return Check(status="OK", name="manifest URL", detail="not used (ILETIMERKEZI_MANIFEST=bundled)")
    status: int | None = None
    problem = f"no answer within {settings.manifest_timeout:g} s"
    try:
        # Only the status line matters here; one deadline, so a server that drips bytes cannot stall doctor.
        with anyio.move_on_after(settings.manifest_timeout):
            async with httpx.AsyncClient(timeout=settings.manifest_timeout) as client, \
                    client.stream("GET", settings.manifest_url, headers={"Accept": "application/json"}) as response:
                status = response.status_code
    except httpx.TimeoutException:
        pass
    except httpx.HTTPError as exc:
        problem = f"cannot connect ({type(exc).__name__})"
    if status == 200:
        return Check(status="OK", name="manifest URL", detail=f"{settings.manifest_url} answers")
    if status is not None:
        problem = f"answers HTTP {status}" + (" (a redirect: the server follows one only within the same "
                                              "scheme, host and port)" if 300 <= status < 400 else "")
    return Check(status="WARN", name="manifest URL", detail=f"{settings.manifest_url} unreachable: {problem}",
                 fix="the server still works from its cached or bundled copy; check the network or proxy, or set "
                     "ILETIMERKEZI_MANIFEST=bundled to stop trying")


async def check_api(settings: Settings, origin: str, credentials: Credentials | None) -> Check:
    if credentials is None:
        return Check(status="PROBLEM", name="API", detail="not checked: no credentials",
                     fix="set ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH (see above)")
    client = ApiClient(origin, min(settings.timeout, 15.0))
    try:
        outcome = await execute(client, "/v1/get-balance/json", {}, credentials, retry=False)
    finally:
        await client.aclose()
    if outcome.kind == "ok":
        balance = (outcome.response or {}).get("balance", {})
        return Check(status="OK", name="API", detail=f"{origin} accepted the credentials (get_balance: "
                                                      f"{balance.get('sms', '?')} SMS credits)")
    if outcome.code == 401:
        return Check(status="PROBLEM", name="API", detail=f"{origin} refused the credentials (401)",
                     fix="1) panel.iletimerkezi.com → Settings → Security → Access Permissions: turn on "
                         "'API kullanımına izin ver' (Allow API access); 2) copy the key and hash again exactly, "
                         "no spaces; 3) if the account allows only fixed IPs, add this machine's IP")
    if outcome.kind == "transport_error":
        return Check(status="PROBLEM", name="API",
                     detail=f"cannot reach {origin} ({outcome.detail or outcome.transport})",
                     fix="check the network, firewall or proxy; the API needs outbound HTTPS to "
                         f"{PROVIDER_API_ORIGIN}")
    return Check(status="PROBLEM", name="API", detail=f"{origin} answered {outcome.detail or outcome.kind}",
                 fix="run again later; if it persists, check the provider's status")


def check_overlay(settings: Settings) -> Check | None:
    if settings.overlay is None:
        return None
    from iletimerkezi_mcp.overlay import OverlayError, load_overlay

    try:
        overlay = load_overlay(settings.overlay)
    except OverlayError as exc:
        # A problem, not a warning: the tighter rules the user asked for are not applied.
        return Check(status="PROBLEM", name="overlay", detail=str(exc),
                     fix="fix the file (see the README's overlay example) or unset ILETIMERKEZI_OVERLAY; "
                         "until then the server ignores it and runs without the overlay")
    return Check(status="OK", name="overlay", detail=overlay.describe())


def check_fallback_manifest(settings: Settings) -> Check | None:
    if settings.fallback_manifest is None:
        return None
    try:
        parsed = parse_manifest_file(settings.fallback_manifest)
    except ManifestError as exc:
        return Check(status="WARN", name="fallback manifest",
                     detail=f"ILETIMERKEZI_FALLBACK_MANIFEST {exc}; the packaged copy is used instead",
                     fix="replace the file with a valid manifest, or unset ILETIMERKEZI_FALLBACK_MANIFEST")
    return Check(status="OK", name="fallback manifest",
                 detail=f"{settings.fallback_manifest} ({len(parsed.tools())} tools)")


def check_local_files(settings: Settings) -> list[Check]:
    """Files the server keeps in its cache dir; only unusable ones get a line of their own."""
    from iletimerkezi_mcp.sandbox.state import check_state_file

    directory = settings.resolved_cache_dir()
    checks: list[Check] = []
    looked_at: list[str] = []
    if settings.manifest_mode != "bundled":
        looked_at.insert(0, "manifest cache")
        _, problem = inspect_cache(directory, settings.manifest_url)
        if problem is not None:
            checks.append(Check(status="WARN", name="manifest cache",
                                detail=f"{cache_path(directory, settings.manifest_url)} {problem}; the server "
                                       "ignores it and serves the bundled copy until the next refresh",
                                fix="delete the file; it is rebuilt from the live manifest"))
    state_path = settings.sandbox_state_path()
    if state_path is not None and (settings.uses_builtin_sandbox or os.path.lexists(state_path)):
        looked_at.append("sandbox account")
        problem = check_state_file(state_path)
        if problem is not None and _is_file_or_link(state_path):
            checks.append(Check(status="WARN", name="sandbox account",
                                detail=f"{state_path} {problem}; in --sandbox mode the server keeps it as "
                                       f"{state_path.name}.corrupt-<time> and starts a fresh sandbox account",
                                fix="nothing to do; or delete the file to start a fresh sandbox account now"))
        elif problem is not None:
            checks.append(Check(status="WARN", name="sandbox account",
                                detail=f"{state_path} {problem}; in --sandbox mode the server leaves it alone "
                                       "and keeps the sandbox account in memory only",
                                fix="move it out of the way, or point ILETIMERKEZI_SANDBOX_STATE at another "
                                    "file, so the sandbox account can be kept again"))
    if not checks and looked_at:
        checks.append(Check(status="OK", name="local files", detail=f"{', '.join(looked_at)}: usable or not "
                                                                      f"created yet, in {directory}"))
    return checks


def check_ledger(settings: Settings) -> Check:
    """The send ledger: where it is, how big, whether the server can write it. Opened read-only here.

    With a database URL the ledger is PostgreSQL: opened as the server opens it (`open_configured`, which
    brings the schema up to date), so the line says whether it is reachable and usable and at which schema
    version. Only the redacted location is ever printed, never the URL's password.
    """
    if settings.database_url is not None:
        return _check_database_ledger(settings)
    path = settings.ledger_path()
    fix = ("make the folder writable, or point ILETIMERKEZI_DATA_DIR at a writable one; until then every "
           "write asks for confirmation and nothing is recorded")
    folder = path.parent
    if os.path.lexists(path) and not os.path.isfile(path):  # a folder, FIFO or dangling link: never moved
        return Check(status="PROBLEM", name="send ledger", detail=f"{path} is not a regular file", fix=fix)
    if not os.path.exists(path):
        writable = os.access(_existing_parent(folder), os.W_OK)
        detail = f"{path} not created yet (it is made by the first write)"
        return (Check(status="OK", name="send ledger", detail=detail) if writable
                else Check(status="PROBLEM", name="send ledger", detail=f"{detail}; its folder is not writable",
                           fix=fix))
    size = path.stat().st_size
    if size == 0:  # the server makes an empty file into a fresh ledger
        return Check(status="OK", name="send ledger",
                     detail=f"{path} is empty; it becomes the ledger on the first write")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            healthy = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            ours = db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            version = db.execute("PRAGMA user_version").fetchone()[0]
            recent = db.execute("SELECT count(*) FROM writes WHERE at > ?",
                                (datetime.now(timezone.utc).timestamp() - 86400,)).fetchone()[0] if ours else 0
        finally:
            db.close()
    except sqlite3.Error as exc:
        return Check(status="WARN", name="send ledger", detail=f"{path} cannot be read ({exc})",
                     fix="nothing to do: the server moves a damaged ledger aside (with a timestamp) and starts a "
                         "fresh one; the old file is kept")
    if not healthy:
        return Check(status="WARN", name="send ledger", detail=f"{path} fails its integrity check",
                     fix="nothing to do: the server moves it aside (with a timestamp) and starts a fresh one")
    if not ours or version > SCHEMA_VERSION:
        what = "another program's database" if not ours else f"from a newer version (schema {version})"
        return Check(status="PROBLEM", name="send ledger", detail=f"{path} is {what}; the server leaves it alone",
                     fix="move it away, or point ILETIMERKEZI_DATA_DIR elsewhere (or upgrade iletimerkezi-mcp); "
                         "until then every write asks for confirmation and nothing is recorded")
    writable = os.access(path, os.W_OK) and os.access(folder, os.W_OK)
    detail = f"{path} ({size / 1024:,.0f} KB, {recent} write(s) in the last 24 h)"
    if not writable:
        return Check(status="PROBLEM", name="send ledger", detail=f"{detail}; not writable", fix=fix)
    return Check(status="OK", name="send ledger", detail=f"{detail}; writable")


def _check_database_ledger(settings: Settings) -> Check:
    from iletimerkezi_mcp.ledger import open_configured
    from iletimerkezi_mcp.ledger.postgres import passwords_in

    secrets = passwords_in(settings.database_url.get_secret_value()) if settings.database_url else []

    def scrub(text: str) -> str:  # belt and braces: the ledger's messages are already scrubbed
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    ledger = open_configured(settings)
    try:
        where = scrub(ledger.location)
        if ledger.problem is not None:
            return Check(status="PROBLEM", name="send ledger", detail=f"PostgreSQL: {scrub(ledger.problem)}",
                         fix="check that the database in ILETIMERKEZI_DATABASE_URL is running and reachable "
                             "from here, and that its user may create tables; until then every write asks "
                             "for confirmation and nothing is recorded")
        from iletimerkezi_mcp.ledger.pg_schema import PG_SCHEMA_VERSION

        _, recent = ledger.history(since=datetime.now(timezone.utc).timestamp() - 86400, limit=1)
    finally:
        ledger.close()
    return Check(status="OK", name="send ledger",
                 detail=f"PostgreSQL at {where} reachable; schema version {PG_SCHEMA_VERSION}; "
                        f"{recent} write(s) in the last 24 h; writable")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _is_file_or_link(path: Path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


async def check_api_connection(settings: Settings) -> Check:
    """The API check against the origin the server would use; in sandbox mode, a sandbox of our own."""
    if not settings.uses_builtin_sandbox:
        credentials = None
        if settings.api_key is not None and settings.api_hash is not None:
            credentials = Credentials(key=settings.api_key, hash=settings.api_hash)
        return await check_api(settings, settings.base_url or PROVIDER_API_ORIGIN, credentials)
    from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer, SandboxState
    from iletimerkezi_mcp.sandbox.state import check_state_file

    path = settings.sandbox_state_path()
    if path is not None and check_state_file(path) is not None:
        path = None  # reported above; the doctor leaves the user's file alone and checks on a scratch account
    try:
        server = SandboxServer(SandboxState(state_file=path)).start()
    except OSError as exc:
        return Check(status="PROBLEM", name="API", detail=f"the built-in sandbox cannot start ({exc.strerror or exc})",
                     fix="check that 127.0.0.1 accepts local connections (a firewall or sandboxing tool may block it)")
    try:
        credentials = Credentials(key=SecretStr(SANDBOX_API_KEY), hash=SecretStr(SANDBOX_API_HASH))
        return await check_api(settings, server.url, credentials)
    finally:
        server.stop()


def _guarded(name: str, check: Callable[[], list[Check]]) -> list[Check]:
    try:
        return check()
    except Exception as exc:  # the doctor reports; it never ends in a traceback
        return [_crashed(name, exc)]


async def _guarded_async(name: str, check: Callable[[], Awaitable[Check]]) -> Check:
    try:
        return await check()
    except Exception as exc:
        return _crashed(name, exc)


def _crashed(name: str, exc: Exception) -> Check:
    return Check(status="PROBLEM", name=name, detail=f"the check itself failed ({type(exc).__name__}: "
                                                     f"{str(exc)[:200]})",
                 fix="please report this at https://github.com/iletimerkezi-mcp/iletimerkezi-mcp/issues")


def _one(check: Check | None) -> list[Check]:
    return [] if check is None else [check]


async def run_doctor(settings: Settings) -> int:
    origin = "the built-in sandbox" if settings.uses_builtin_sandbox else settings.base_url or PROVIDER_API_ORIGIN
    checks = [Check(status="OK", name="settings",
                    detail=f"read; API origin {origin}; "
                           f"read-only {'on' if settings.read_only else 'off'}, dry-run "
                           f"{'on' if settings.dry_run else 'off'}")]
    checks += _guarded("credentials", lambda: [check_credentials_set(settings)])
    checks += _guarded("cache dir", lambda: [check_cache_dir(settings)])
    checks += _guarded("local files", lambda: check_local_files(settings))
    checks += _guarded("send ledger", lambda: [check_ledger(settings)])
    checks += _guarded("fallback manifest", lambda: _one(check_fallback_manifest(settings)))
    checks += _guarded("manifest", lambda: [check_manifest(settings)])
    checks.append(await _guarded_async("manifest URL", lambda: check_manifest_url(settings)))
    checks += _guarded("overlay", lambda: _one(check_overlay(settings)))
    checks.append(await _guarded_async("API", lambda: check_api_connection(settings)))
    for check in checks:
        print(check.render())
    problems = sum(c.status == "PROBLEM" for c in checks)
    print(f"\n{problems} problem(s) found." if problems else "\nAll checks passed.")
    return 1 if problems else 0

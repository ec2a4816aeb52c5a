"""`iletimerkezi-mcp doctor`: each part of the setup checked, with the fix in plain words.

Lines read `OK`, `WARN` or `PROBLEM`; the exit code is non-zero when any line is a problem.
Credentials are never printed, only whether they are set and how long they are.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from typing import Literal

import httpx
from pydantic import BaseModel

from iletimerkezi_mcp.executor import ApiClient, Credentials, execute
from iletimerkezi_mcp.manifest.loader import load_local
from iletimerkezi_mcp.settings import PROVIDER_API_ORIGIN, Settings

Status = Literal["OK", "WARN", "PROBLEM"]


class Check(BaseModel):
    status: Status
    name: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        line = f"[{self.status:^7}] {self.name}: {self.detail}"
        return f"{line}\n          fix: {self.fix}" if self.fix else line


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
    if loaded.parsed.skipped:
        skipped = "; ".join(f"{slug}: {why}" for slug, why in loaded.parsed.skipped)
        return Check(status="WARN", name="manifest", detail=f"{detail}; skipped {skipped}",
                     fix="the provider's manifest has a broken entry; those tools are left out until it is fixed")
    return Check(status="OK", name="manifest", detail=detail)


async def check_manifest_url(settings: Settings) -> Check:
    if settings.manifest_mode == "bundled":
        return Check(status="OK", name="manifest URL", detail="not used (ILETIMERKEZI_MANIFEST=bundled)")
    try:
        async with httpx.AsyncClient(timeout=settings.manifest_timeout) as client:
            response = await client.get(settings.manifest_url, headers={"Accept": "application/json"})
    except httpx.TimeoutException:
        problem = f"no answer within {settings.manifest_timeout:g} s"
    except httpx.HTTPError as exc:
        problem = f"cannot connect ({type(exc).__name__})"
    else:
        if response.status_code == 200:
            return Check(status="OK", name="manifest URL", detail=f"{settings.manifest_url} answers")
        problem = f"answers HTTP {response.status_code}"
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
        return Check(status="PROBLEM", name="API", detail=f"cannot reach {origin} ({outcome.detail or outcome.transport})",
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
        return Check(status="PROBLEM", name="overlay", detail=str(exc),
                     fix="fix the file (see the README's overlay example) or unset ILETIMERKEZI_OVERLAY; "
                         "the server refuses to start with it")
    return Check(status="OK", name="overlay", detail=overlay.describe())


async def run_doctor(settings: Settings) -> int:
    from iletimerkezi_mcp.server import build_state

    origin = "the built-in sandbox" if settings.uses_builtin_sandbox else settings.base_url or PROVIDER_API_ORIGIN
    checks = [Check(status="OK", name="settings",
                    detail=f"read; API origin {origin}; "
                           f"read-only {'on' if settings.read_only else 'off'}, dry-run "
                           f"{'on' if settings.dry_run else 'off'}")]
    checks += [check_credentials_set(settings), check_cache_dir(settings), check_manifest(settings),
               await check_manifest_url(settings)]
    overlay = check_overlay(settings)
    if overlay is not None:
        checks.append(overlay)
    # A broken overlay is reported above; the remaining checks run without it.
    state = build_state(settings if overlay is None or overlay.status == "OK"
                        else settings.model_copy(update={"overlay": None}))
    state.start_sandbox()
    try:
        checks.append(await check_api(settings, state.api_origin(), state.credentials()))
    finally:
        state.stop_sandbox()
    for check in checks:
        print(check.render())
    problems = sum(c.status == "PROBLEM" for c in checks)
    print(f"\n{problems} problem(s) found." if problems else "\nAll checks passed.")
    return 1 if problems else 0

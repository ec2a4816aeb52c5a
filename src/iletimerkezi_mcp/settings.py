"""Every setting, read once from the environment and CLI flags into one typed model.

Names are compatible with the provider's own server so users can switch with the same
`env` block. Flags win over the environment; nothing in the manifest can change these.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

PROVIDER_API_ORIGIN = "https://api.iletimerkezi.com"
DEFAULT_MANIFEST_URL = "https://www.iletimerkezi.com/api/manifest.json"

# Safety defaults. A normal transactional send (a few recipients, one or two parts)
# stays under CONFIRM_ABOVE; bulk sends must be deliberate.
DEFAULT_CONFIRM_ABOVE = 20
DEFAULT_MAX_RECIPIENTS = 1000
DEFAULT_MAX_CREDITS_PER_CALL = 5000
# Rolling budgets over the ledger of what went out (across calls, processes and restarts). A shop's
# everyday order notices (one or two credits each, a few dozen a day) stay under them; a loop or a
# campaign reaches them and waits for a person. The daily hard stop is never overridden.
DEFAULT_BUDGET_HOUR = 50
DEFAULT_BUDGET_DAY = 200
DEFAULT_MAX_CREDITS_PER_DAY = 10000
DEFAULT_LEDGER_DAYS = 90

# A decimal written with digits: what an env var, a flag or an MCPB `number` field ("20", "20.0") holds.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
# Hosts of the provider: credentials may reach them only over TLS.
_PROVIDER_DOMAIN = "iletimerkezi.com"

_TRUE = {"1", "true", "yes", "on", "evet"}
_FALSE = {"0", "false", "no", "off", "hayir", "hayır", ""}


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message says which and how to fix it."""


class SettingSpec(BaseModel):
    """One setting as users see it: env var, flag, default and meaning (used by --help and docs)."""

    field: str
    env: str
    flag: str
    help: str
    is_bool: bool = False


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(field="api_key", env="ILETIMERKEZI_API_KEY", flag="--api-key",
                help="API key from panel.iletimerkezi.com → Settings → Security → API Access."),
    SettingSpec(field="api_hash", env="ILETIMERKEZI_API_HASH", flag="--api-hash",
                help="API hash from the same panel page (copied as is, never hashed again)."),
    SettingSpec(field="base_url", env="ILETIMERKEZI_BASE_URL", flag="--base-url",
                help=f"API origin to send requests to, without a path (default {PROVIDER_API_ORIGIN}); "
                     "e.g. http://127.0.0.1:8080 for a local fake. Credentials go only here."),
    SettingSpec(field="manifest_url", env="ILETIMERKEZI_MANIFEST_URL", flag="--manifest-url",
                help=f"Where the live manifest is fetched from (default {DEFAULT_MANIFEST_URL})."),
    SettingSpec(field="cache_dir", env="ILETIMERKEZI_MCP_CACHE_DIR", flag="--cache-dir",
                help="Directory of the manifest cache (default: the user cache dir for iletimerkezi-mcp)."),
    SettingSpec(field="fallback_manifest", env="ILETIMERKEZI_FALLBACK_MANIFEST", flag="--fallback-manifest",
                help="A manifest file that replaces the copy bundled in the package."),
    SettingSpec(field="manifest_mode", env="ILETIMERKEZI_MANIFEST", flag="--manifest",
                help="auto (default: serve the best local copy, refresh in the background), "
                     "cache (never fetch while serving), bundled (pin the shipped copy, never fetch)."),
    SettingSpec(field="manifest_ttl", env="ILETIMERKEZI_MANIFEST_TTL", flag="--manifest-ttl",
                help="Seconds a cached manifest counts as fresh (default 86400 = 24 h)."),
    SettingSpec(field="overlay", env="ILETIMERKEZI_OVERLAY", flag="--overlay",
                help="A local JSON overlay that adjusts tool descriptions or tightens schemas."),
    SettingSpec(field="read_only", env="ILETIMERKEZI_READ_ONLY", flag="--read-only", is_bool=True,
                help="Offer and accept only the seven read tools. Beats every other setting."),
    SettingSpec(field="tools", env="ILETIMERKEZI_TOOLS", flag="--tools",
                help="Comma-separated allow list of tool names; only these are offered."),
    SettingSpec(field="dry_run", env="ILETIMERKEZI_DRY_RUN", flag="--dry-run", is_bool=True,
                help="Tools that change anything return the exact request instead of sending it."),
    SettingSpec(field="confirm_above", env="ILETIMERKEZI_CONFIRM_ABOVE", flag="--confirm-above",
                help=f"A send costing more credits than this needs the person's confirmation "
                     f"(default {DEFAULT_CONFIRM_ABOVE})."),
    SettingSpec(field="max_recipients", env="ILETIMERKEZI_MAX_RECIPIENTS", flag="--max-recipients",
                help=f"Hard cap on recipients per send_sms call (default {DEFAULT_MAX_RECIPIENTS})."),
    SettingSpec(field="max_credits_per_call", env="ILETIMERKEZI_MAX_CREDITS_PER_CALL",
                flag="--max-credits-per-call",
                help=f"Hard cap on credits per send_sms call (default {DEFAULT_MAX_CREDITS_PER_CALL})."),
    SettingSpec(field="budget_hour", env="ILETIMERKEZI_BUDGET_HOUR", flag="--budget-hour",
                help=f"Credits that may go out in any rolling hour before a send needs confirmation "
                     f"(default {DEFAULT_BUDGET_HOUR}; 0 = every send is confirmed)."),
    SettingSpec(field="budget_day", env="ILETIMERKEZI_BUDGET_DAY", flag="--budget-day",
                help=f"The same over any rolling 24 hours (default {DEFAULT_BUDGET_DAY})."),
    SettingSpec(field="max_credits_per_day", env="ILETIMERKEZI_MAX_CREDITS_PER_DAY", flag="--max-credits-per-day",
                help=f"Hard stop on credits in any rolling 24 hours; nothing overrides it "
                     f"(default {DEFAULT_MAX_CREDITS_PER_DAY})."),
    SettingSpec(field="data_dir", env="ILETIMERKEZI_DATA_DIR", flag="--data-dir",
                help="Directory of the send ledger (default: the user data dir for iletimerkezi-mcp; "
                     "unlike the cache dir, not safe to delete casually)."),
    SettingSpec(field="ledger_days", env="ILETIMERKEZI_LEDGER_DAYS", flag="--ledger-days",
                help=f"Days the ledger keeps a row (default {DEFAULT_LEDGER_DAYS})."),
    SettingSpec(field="database_url", env="ILETIMERKEZI_DATABASE_URL", flag="--database-url",
                help="postgresql://… : keep the ledger, budgets and confirmation tokens in PostgreSQL, shared by "
                     "every replica of a team server (default: the SQLite ledger in the data dir)."),
    SettingSpec(field="http_tokens", env="ILETIMERKEZI_HTTP_TOKENS", flag="--http-tokens",
                help="serve-http: file of static bearer tokens, one line each: name, role, SHA-256 of the token "
                     "(see `iletimerkezi-mcp token new`)."),
    SettingSpec(field="oauth_issuer", env="ILETIMERKEZI_OAUTH_ISSUER", flag="--oauth-issuer",
                help="serve-http: accept JWT bearer tokens signed by this issuer (its JWKS is read from its "
                     "metadata)."),
    SettingSpec(field="oauth_audience", env="ILETIMERKEZI_OAUTH_AUDIENCE", flag="--oauth-audience",
                help="serve-http: the audience a JWT must name (this server's public URL)."),
    SettingSpec(field="sandbox", env="ILETIMERKEZI_SANDBOX", flag="--sandbox", is_bool=True,
                help="Serve every tool against the built-in sandbox: no account, no cost, no real SMS."),
    SettingSpec(field="sandbox_state", env="ILETIMERKEZI_SANDBOX_STATE", flag="--sandbox-state",
                help="File that keeps the sandbox account between runs (default: sandbox-state.json in "
                     "the cache dir); 'memory' keeps it in memory only."),
    SettingSpec(field="timeout", env="ILETIMERKEZI_TIMEOUT", flag="--timeout",
                help="Seconds before an API call is abandoned: one deadline for connecting, the whole answer "
                     "and any retry (default 30)."),
    SettingSpec(field="log_level", env="ILETIMERKEZI_LOG_LEVEL", flag="--log-level",
                help="Log level on stderr: DEBUG, INFO, WARNING (default), ERROR."),
)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    api_hash: SecretStr | None = None
    base_url: str | None = None
    manifest_url: str = DEFAULT_MANIFEST_URL
    cache_dir: Path | None = None
    fallback_manifest: Path | None = None
    manifest_mode: Literal["auto", "cache", "bundled"] = "auto"
    manifest_ttl: float = Field(default=86400.0, ge=0, allow_inf_nan=False)
    manifest_timeout: float = Field(default=5.0, gt=0, allow_inf_nan=False)
    overlay: Path | None = None
    read_only: bool = False
    tools: tuple[str, ...] | None = None
    dry_run: bool = False
    confirm_above: int = Field(default=DEFAULT_CONFIRM_ABOVE, ge=0)
    max_recipients: int = Field(default=DEFAULT_MAX_RECIPIENTS, ge=1)
    max_credits_per_call: int = Field(default=DEFAULT_MAX_CREDITS_PER_CALL, ge=1)
    budget_hour: int = Field(default=DEFAULT_BUDGET_HOUR, ge=0)
    budget_day: int = Field(default=DEFAULT_BUDGET_DAY, ge=0)
    max_credits_per_day: int = Field(default=DEFAULT_MAX_CREDITS_PER_DAY, ge=1)
    data_dir: Path | None = None
    ledger_days: int = Field(default=DEFAULT_LEDGER_DAYS, ge=1, le=3650)
    sandbox: bool = False
    sandbox_state: str | None = None
    database_url: SecretStr | None = None  # may hold a password: never logged or shown
    http_tokens: Path | None = None
    oauth_issuer: str | None = None
    oauth_audience: str | None = None
    timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("api_key", "api_hash", mode="before")
    @classmethod
    def _strip_secret(cls, value: object) -> object:
        # Panel values pasted into JSON configs often carry stray whitespace.
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("base_url", "manifest_url", mode="before")
    @classmethod
    def _check_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.lower().startswith(("http://", "https://")):
                raise ValueError("must start with https:// (or http:// for a local fake)")
            value = value.rstrip("/")
            if not urlsplit(value).netloc:
                raise ValueError(f"names no host, like {PROVIDER_API_ORIGIN}")
        return value

    @field_validator("base_url")
    @classmethod
    def _check_origin(cls, value: str | None) -> str | None:
        return None if value is None else api_origin(value)

    @field_validator("confirm_above", "max_recipients", "max_credits_per_call", "budget_hour", "budget_day",
                     "max_credits_per_day", "ledger_days", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        return whole_number(value)

    @field_validator("tools", mode="before")
    @classmethod
    def _split_tools(cls, value: object) -> object:
        if isinstance(value, str):
            names = tuple(part.strip() for part in value.split(",") if part.strip())
            return names or None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def uses_builtin_sandbox(self) -> bool:
        """--sandbox, unless an explicit base URL points the calls elsewhere."""
        return self.sandbox and not self.base_url

    @property
    def has_credentials(self) -> bool:
        return self.api_key is not None and self.api_hash is not None

    def missing_credentials(self) -> list[str]:
        missing = []
        if self.api_key is None:
            missing.append("ILETIMERKEZI_API_KEY")
        if self.api_hash is None:
            missing.append("ILETIMERKEZI_API_HASH")
        return missing

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        from platformdirs import user_cache_dir  # imported lazily: not needed on every start path

        return Path(user_cache_dir("iletimerkezi-mcp", appauthor=False))

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir
        from platformdirs import user_data_dir

        return Path(user_data_dir("iletimerkezi-mcp", appauthor=False))

    def ledger_path(self) -> Path:
        return self.resolved_data_dir() / "ledger.sqlite3"

    def sandbox_state_path(self) -> Path | None:
        """Where the in-process sandbox keeps its account; None means in memory only."""
        if self.sandbox_state is None:
            return self.resolved_cache_dir() / "sandbox-state.json"
        if self.sandbox_state.strip().lower() in ("memory", "none"):
            return None
        return Path(self.sandbox_state)


def api_origin(url: str) -> str:
    """The API origin a base URL names, as scheme://host[:port] in lower case; refused when it cannot work.

    The executor appends each endpoint's whole path (/v1/...), so a path, query or fragment here would
    break every call; credentials sent to the provider over plain http:// would travel in clear.
    """
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise ValueError("must not hold a user name or password; the API key and hash go in "
                         "ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH")
    host = parts.hostname or ""
    if not host:
        raise ValueError(f"names no host, like {PROVIDER_API_ORIGIN}")
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = 0
    if port == 0:
        raise ValueError("has a port that is not a number from 1 to 65535")
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default_port) else "")
    if parts.path or parts.query or parts.fragment:
        raise ValueError(f"must be the origin only: the server adds each endpoint's path (/v1/...) itself; "
                         f"use {origin}")
    bare = host.rstrip(".")
    if parts.scheme == "http" and (bare == _PROVIDER_DOMAIN or bare.endswith("." + _PROVIDER_DOMAIN)):
        raise ValueError(f"plain http:// would send the API key and hash unencrypted; use https://{bare}")
    return origin


def whole_number(value: object) -> object:
    """A count or credit limit as an int: "20" and "20.0" (how an MCPB `number` field may arrive) are 20.

    A fraction is refused, not rounded: these are limits on money, recipients and kept days, and the
    person who wrote 20.5 should choose. "1.000" is refused too: in Turkish the dot groups thousands.
    Values other than text and floats are left to pydantic.
    """
    if isinstance(value, float) and math.isfinite(value):
        value = str(int(value)) if value.is_integer() else repr(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not _DECIMAL.fullmatch(text):
        raise ValueError("must be a whole number written with digits only, like 20")
    fraction = text.partition(".")[2]
    number = Decimal(text)
    if fraction.strip("0"):
        low, high = int(number.to_integral_value("ROUND_FLOOR")), int(number.to_integral_value("ROUND_CEILING"))
        raise ValueError(f"must be a whole number; a limit is never rounded for you: use {low} or {high}")
    if len(fraction) == 3:
        raise ValueError(f"is ambiguous (a thousands separator in Turkish); write {int(number)} or "
                         f"{int(number * 1000)} without the dot")
    return int(number)


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value; use 1 or 0.")


def load_settings(env: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None) -> Settings:
    """Build Settings from environment variables, then apply explicit overrides (CLI flags)."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    for spec in SETTINGS:
        raw = env.get(spec.env)
        if raw is None or not raw.strip():  # "" in a client's env block means "not set"
            continue
        values[spec.field] = parse_bool(spec.env, raw) if spec.is_bool else raw
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    # An empty string in a config's env block means "not set", not "empty path".
    for key in ("cache_dir", "data_dir", "fallback_manifest", "overlay", "http_tokens"):
        if values.get(key) == "":
            values.pop(key)
    try:
        return Settings.model_validate(values)
    except ValueError as exc:
        raise SettingsError(_friendly_validation_error(exc)) from None


def _friendly_validation_error(exc: ValueError) -> str:
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    by_field = {spec.field: spec for spec in SETTINGS}
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        spec = by_field.get(field)
        name = f"{spec.env} / {spec.flag}" if spec else field
        given = err.get("input")
        shown = "<hidden>" if field in ("api_key", "api_hash", "database_url") else repr(_without_userinfo(given))
        message = err["msg"].removeprefix("Value error, ")  # our own validators' words need no prefix
        lines.append(f"{name}: {message} (given {shown})")
    return "Invalid setting: " + "; ".join(lines)


def _without_userinfo(given: object) -> object:
    """A URL's user name and password are masked in messages (a refused base URL may carry them)."""
    if isinstance(given, str) and "@" in given and "://" in given:
        scheme, _, rest = given.partition("://")
        authority, sep, tail = rest.partition("/")
        if "@" in authority:
            return f"{scheme}://***@{authority.rpartition('@')[2]}{sep}{tail}"
    return given

"""Bearer tokens for the team server: static tokens from a file, and JWTs from an OAuth issuer.

Static tokens (ILETIMERKEZI_HTTP_TOKENS): one line per token, `#` starts a comment:

    name role sha256hex [budget_hour=N] [budget_day=N]

`role` is reader, sender or admin; the hash is the SHA-256 of the token (`iletimerkezi-mcp token new`
prints both). Only hashes are kept: the SHA-256 of a presented token is compared with every line in
constant time. The file is read once at start; restart to apply a change.

JWTs (ILETIMERKEZI_OAUTH_ISSUER, ILETIMERKEZI_OAUTH_AUDIENCE): the issuer's `jwks_uri` is discovered
from `<issuer>/.well-known/oauth-authorization-server` (else `openid-configuration`) once; PyJWT's
`PyJWKClient` caches the keys and refetches on an unknown `kid`. A token must carry a valid asymmetric
signature, `iss` equal to the issuer, `aud` naming the audience, and an unexpired `exp`. Its role comes
from its scopes (`scope`, space-separated, or `scp`, a list): `sms:admin`, `sms:sender` or `sms:reader`,
the highest wins; a token with none of them is refused. The caller's name (the ledger's actor) is the
`sub` claim, else `client_id` or `azp`.

A token never reaches a log, the ledger or an error text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import jwt
from mcp.server.auth.provider import AccessToken

from iletimerkezi_mcp.http.caller import ROLES, Caller

log = logging.getLogger(__name__)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_HEX = re.compile(r"[0-9a-f]{64}")
_BUDGETS = ("budget_hour", "budget_day")
SCOPES = {"sms:admin": "admin", "sms:sender": "sender", "sms:reader": "reader"}
# Asymmetric only: an HMAC or "none" token would be signed with what anyone can read (the JWKS).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY = 30  # seconds of clock difference tolerated on exp/nbf/iat
FETCH_TIMEOUT = 5.0
TOKEN_PREFIX = "imcp_"


class TokenFileError(ValueError):
    """The tokens file cannot be used; the message names the line and the fix."""


@dataclass(frozen=True)
class StaticToken:
    caller: Caller
    digest: bytes  # SHA-256 of the token


def digest_of(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def parse_tokens(text: str, where: str) -> list[StaticToken]:
    tokens: list[StaticToken] = []
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        at = f"{where}:{number}"
        if len(fields) < 3:
            raise TokenFileError(f"{at}: expected `name role sha256hex [budget_hour=N] [budget_day=N]`")
        name, role, hexdigest, *extra = fields
        if not NAME.fullmatch(name):
            raise TokenFileError(f"{at}: the name {name[:64]!r} must be letters, digits, _ . @ - (at most 64)")
        if name in names:
            raise TokenFileError(f"{at}: the name {name!r} appears twice; each token needs its own name")
        if role not in ROLES:
            raise TokenFileError(f"{at}: the role must be one of {', '.join(ROLES)}")
        if not _HEX.fullmatch(hexdigest.lower()):
            raise TokenFileError(f"{at}: the third field must be the token's SHA-256 in hex (64 characters), "
                                 "never the token itself; `iletimerkezi-mcp token new` prints the line")
        budgets: dict[str, int] = {}
        for item in extra:
            key, _, value = item.partition("=")
            if key not in _BUDGETS or not value.isdigit():
                raise TokenFileError(f"{at}: unknown option {item[:40]!r}; allowed: budget_hour=N, budget_day=N")
            budgets[key] = int(value)
        names.add(name)
        tokens.append(StaticToken(Caller(name, role, budgets.get("budget_hour"), budgets.get("budget_day")),
                                  bytes.fromhex(hexdigest)))
    return tokens


def load_tokens(path: Path) -> list[StaticToken]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenFileError(f"cannot read the tokens file {path} ({exc})") from None
    return parse_tokens(text, str(path))


def new_token(name: str, role: str, budget_hour: int | None = None, budget_day: int | None = None
              ) -> tuple[str, str]:
    """(a fresh random token, the tokens-file line for it)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    line = f"{name} {role} {hashlib.sha256(token.encode()).hexdigest()}"
    line += "".join(f" {k}={v}" for k, v in (("budget_hour", budget_hour), ("budget_day", budget_day))
                    if v is not None)
    return token, line


def match_static(tokens: list[StaticToken], presented: str) -> Caller | None:
    digest = digest_of(presented)
    found = None
    for entry in tokens:  # every line is compared: the time taken does not say which one matched
        if hmac.compare_digest(entry.digest, digest):
            found = entry.caller
    return found


def role_of_scopes(claims: dict[str, Any]) -> str | None:
    scopes = claims.get("scope", "")
    listed = scopes.split() if isinstance(scopes, str) else []
    scp = claims.get("scp")
    listed += [s for s in scp if isinstance(s, str)] if isinstance(scp, list) else scp.split() if isinstance(
        scp, str) else []
    for scope, role in SCOPES.items():  # highest first
        if scope in listed:
            return role
    return None


class JwtVerifier:
    """JWTs of one issuer for one audience; the JWKS location is discovered once and kept."""

    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = anyio.Lock()

    def metadata_urls(self) -> list[str]:
        """RFC 8414 §3.1 (inserted before the issuer's path), then OpenID Connect Discovery (appended)."""
        scheme, _, rest = self.issuer.partition("://")
        host, slash, path = rest.partition("/")
        suffix = f"/{path}" if slash and path else ""
        return [f"{scheme}://{host}/.well-known/oauth-authorization-server{suffix}",
                f"{self.issuer}/.well-known/openid-configuration"]

    async def _client(self) -> jwt.PyJWKClient:
        async with self._lock:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(await self._discover(), cache_keys=True, lifespan=300,
                                             timeout=FETCH_TIMEOUT)
            return self._jwks

    async def _discover(self) -> str:
        problems = []
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT) as client:
            for url in self.metadata_urls():
                try:
                    response = await client.get(url)
                    meta = response.json() if response.status_code == 200 else None
                except (httpx.HTTPError, ValueError) as exc:
                    problems.append(f"{url}: {type(exc).__name__}")
                    continue
                if not isinstance(meta, dict):
                    problems.append(f"{url}: HTTP {response.status_code}")
                elif str(meta.get("issuer", "")).rstrip("/") != self.issuer:
                    problems.append(f"{url}: names another issuer")  # RFC 8414 §3.3: must be identical
                elif isinstance(meta.get("jwks_uri"), str):
                    return meta["jwks_uri"]
                else:
                    problems.append(f"{url}: no jwks_uri")
        raise LookupError("; ".join(problems))

    async def verify(self, token: str) -> Caller | None:
        try:
            client = await self._client()
        except LookupError as exc:
            log.error("cannot find the signing keys of %s (%s); JWTs are refused until it answers", self.issuer, exc)
            return None
        try:
            key = await anyio.to_thread.run_sync(client.get_signing_key_from_jwt, token)
            claims = jwt.decode(token, key.key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                                leeway=LEEWAY, options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWKClientError as exc:
            log.warning("JWT refused: its signing key was not found (%s)", type(exc).__name__)
            return None
        except jwt.InvalidTokenError as exc:
            log.info("JWT refused: %s", exc)  # PyJWT's messages name the failed check, never the token
            return None
        role = role_of_scopes(claims)
        name = next((str(claims[k]) for k in ("sub", "client_id", "azp") if claims.get(k)), None)
        if role is None or name is None:
            log.warning("JWT refused: it carries no %s scope or no subject", " / ".join(SCOPES))
            return None
        return Caller(name=name[:128], role=role)


class BearerVerifier:
    """The SDK's TokenVerifier: static tokens first (no network), then JWTs (three dot-separated parts)."""

    def __init__(self, tokens: list[StaticToken], jwts: JwtVerifier | None) -> None:
        self.tokens = tokens
        self.jwts = jwts

    async def verify_token(self, token: str) -> AccessToken | None:
        caller = match_static(self.tokens, token)
        if caller is None and self.jwts is not None and token.count(".") == 2:
            caller = await self.jwts.verify(token)
        if caller is None:
            return None
        # The SDK keeps the AccessToken in the request scope; `claims` carries who is asking.
        return AccessToken(token="", client_id=caller.name, scopes=[f"sms:{caller.role}"],
                           claims={"caller": caller})

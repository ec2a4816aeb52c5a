"""The one generic call behind every API tool: envelope, pinned host, HTTP, classification.

Classification: success only when HTTP is 2xx AND the body's `response.status.code` is 200
(numeric strings coerced). A 2xx without a code is a protocol error, never success. Reads may
be retried on network errors and 5xx; writes never are.

The configured timeout is one deadline for the whole call: connecting, every byte of the answer
and every retry. A per-operation timeout alone would let a server that drips a byte now and then
hold a call open for ever, and each retry would start the clock again.
"""

from __future__ import annotations

import json
import logging
import random
import time
from typing import Any, Literal

import anyio
import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from iletimerkezi_mcp import __version__

log = logging.getLogger(__name__)


def _settle_sniffio() -> None:
    """httpcore asks `import sniffio` on every lock it makes; where sniffio is not installed that is a
    failed import each time (about 70 µs, several per request). Recording the absence once makes the
    same ImportError instant; an installed sniffio is left alone."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]  # the import system's "known absent"


_settle_sniffio()

MAX_ATTEMPTS = 3
BACKOFF_BASE = 0.5
MASK = "***"
# The largest real answers (1,000-row report pages) are tens of KB; far past that is not the API.
MAX_RESPONSE_BYTES = 8_000_000


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: SecretStr
    hash: SecretStr


class Outcome(BaseModel):
    kind: Literal["ok", "api_error", "http_error", "protocol_error", "transport_error"]
    http_status: int | None = None
    code: int | None = None
    provider_message: str | None = None
    response: dict[str, Any] | None = None
    body_excerpt: str = ""
    transport: Literal["timeout", "connect", "network"] | None = None
    detail: str = ""
    attempts: int = 1


def build_envelope(arguments: dict[str, Any], credentials: Credentials | None) -> dict[str, Any]:
    """{"request": {...arguments, "authentication": {key, hash}}}; authentication written last.

    An argument named `authentication` is refused earlier (validation); writing ours last
    means it could never replace the credentials anyway.
    """
    request = {k: v for k, v in arguments.items() if k != "authentication"}
    if credentials is None:
        request["authentication"] = {"key": MASK, "hash": MASK}
    else:
        request["authentication"] = {
            "key": credentials.key.get_secret_value(),
            "hash": credentials.hash.get_secret_value(),
        }
    return {"request": request}


def masked_envelope(arguments: dict[str, Any]) -> dict[str, Any]:
    """The exact request body, with the credentials replaced: safe to show in results."""
    return build_envelope(arguments, None)


class ApiClient:
    """One pooled HTTP client for the whole session (connection reuse keeps calls cheap)."""

    def __init__(self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout  # seconds: the deadline of one whole call, retries included (see execute)
        self._client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # a redirect must never carry the credentials elsewhere
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"iletimerkezi-mcp/{__version__}",
            },
        )

    def url_for(self, path: str) -> str:
        return self.base_url + path

    async def post(self, path: str, body: bytes, timeout: float | None = None) -> tuple[int, bytes | None]:
        """(HTTP status, body); the body is None when it grew past MAX_RESPONSE_BYTES (reading stopped).

        `timeout` bounds each network operation (the caller's deadline bounds the whole)."""
        per_operation = self.timeout if timeout is None else timeout
        async with self._client.stream("POST", self.url_for(path), content=body, timeout=per_operation) as response:
            received = bytearray()
            async for chunk in response.aiter_bytes():
                received += chunk
                if len(received) > MAX_RESPONSE_BYTES:
                    return response.status_code, None
            return response.status_code, bytes(received)

    async def aclose(self) -> None:
        await self._client.aclose()


async def execute(
    client: ApiClient,
    path: str,
    arguments: dict[str, Any],
    credentials: Credentials,
    *,
    retry: bool,
) -> Outcome:
    """One call within `client.timeout` seconds all told; a read is retried only while time is left."""
    body = json.dumps(build_envelope(arguments, credentials), ensure_ascii=False).encode("utf-8")
    deadline = time.monotonic() + client.timeout
    attempt = 0
    # The cancel scope is what ends a call whose server trickles bytes: httpx's timeouts restart
    # with every read, so they alone never fire while something keeps arriving.
    with anyio.move_on_after(client.timeout):
        while True:
            attempt += 1
            outcome = await _attempt(client, path, body, deadline)
            outcome.attempts = attempt
            if not (retry and _retryable(outcome)) or attempt >= MAX_ATTEMPTS:
                return outcome
            delay = BACKOFF_BASE * 2 ** (attempt - 1) * (1 + random.random() / 2)
            if time.monotonic() + delay >= deadline:  # no time for another try: keep the answer we have
                return outcome
            log.info("%s: attempt %d failed (%s); retrying in %.1f s", path, attempt,
                     outcome.detail or outcome.kind, delay)
            await anyio.sleep(delay)
    # Reached only when the deadline cut an attempt short. Unknown for a write: it may have arrived.
    return Outcome(kind="transport_error", transport="timeout", detail=_deadline_text(client), attempts=attempt)


async def _attempt(client: ApiClient, path: str, body: bytes, deadline: float) -> Outcome:
    # httpx's own timeouts clipped to the time left: a backstop behind the caller's cancel scope.
    left = max(deadline - time.monotonic(), 0.001)
    try:
        status, content = await client.post(path, body, timeout=left)
    except httpx.TimeoutException as exc:
        at_deadline = time.monotonic() >= deadline - 0.01
        return Outcome(kind="transport_error", transport="timeout",
                       detail=_deadline_text(client) if at_deadline else type(exc).__name__)
    except httpx.ConnectError as exc:
        return Outcome(kind="transport_error", transport="connect", detail=_exc_text(exc))
    except httpx.HTTPError as exc:
        return Outcome(kind="transport_error", transport="network", detail=_exc_text(exc))
    if content is None:  # never hold a runaway answer in memory, nor hand it to a model
        return Outcome(kind="protocol_error", http_status=status,
                       detail=f"the answer was larger than {MAX_RESPONSE_BYTES:,} bytes, so reading stopped")
    return classify(status, content)


def _deadline_text(client: ApiClient) -> str:
    return f"no complete answer within {client.timeout:g} s"


def classify(http_status: int, content: bytes) -> Outcome:
    excerpt = content[:300].decode("utf-8", errors="replace")
    document: Any = None
    try:
        document = json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        pass
    response = document.get("response") if isinstance(document, dict) else None
    status = response.get("status") if isinstance(response, dict) else None
    code = _as_int(status.get("code")) if isinstance(status, dict) else None
    message = status.get("message") if isinstance(status, dict) else None
    message = message if isinstance(message, str) else None
    ok_http = 200 <= http_status < 300
    if code is None:
        kind: Any = "protocol_error" if ok_http else "http_error"
        detail = "HTTP 2xx without response.status.code" if ok_http else f"HTTP {http_status}"
        return Outcome(kind=kind, http_status=http_status, body_excerpt=excerpt, detail=detail)
    if code == 200 and ok_http:
        return Outcome(kind="ok", http_status=http_status, code=200, provider_message=message, response=response)
    detail = f"code {code} with HTTP {http_status}" if code == 200 else f"code {code}"
    return Outcome(kind="api_error", http_status=http_status, code=code, provider_message=message,
                   response=response, body_excerpt=excerpt, detail=detail)


def _retryable(outcome: Outcome) -> bool:
    if outcome.kind == "transport_error":
        return True
    if outcome.code == 503:
        return True
    # HTTP 5xx is a server-side failure unless the body gives a definite answer (a 4xx code).
    server_failed = (outcome.http_status or 0) >= 500
    return server_failed and (outcome.code is None or outcome.code >= 500 or outcome.code == 200)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _exc_text(exc: BaseException) -> str:
    # httpx messages name the URL at most, never the body, so credentials cannot leak here.
    return f"{type(exc).__name__}: {str(exc)[:200]}"

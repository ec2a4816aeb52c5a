"""Every iletiMerkezi outcome explained in English and Turkish, with what to do.

Pure text builders for the executor's `isError` results. They never receive credentials; untrusted
inputs (provider messages, body excerpts, exception details) are bounded and stripped of control and
format characters, and anything that looks like a key or hash is redacted on the way through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from .codes import (
    AUTH_ADVICE_EN,
    AUTH_ADVICE_TR,
    CODES,
    ERROR_CODES_DOCS,
    ERROR_CODES_DOCS_TR,
    EXCERPT_LIMIT,
    MAX_TEXT,
)


class Meaning(NamedTuple):
    """What a provider code means for one tool; "" keeps the general table's text."""

    meaning_en: str
    action_en: str
    meaning_tr: str
    action_tr: str


@dataclass(frozen=True)
class WriteRisk:
    """What a write's unclear failure may have done, and how to find out (from its contract)."""

    effect_en: str
    effect_tr: str
    check_en: str
    check_tr: str


GENERIC_WRITE = WriteRisk("The request MAY HAVE TAKEN EFFECT.", "İstek ETKİLİ OLMUŞ OLABİLİR.",
                          "Check the current state with a read-only tool before trying again.",
                          "Tekrar denemeden önce durumu salt okunur bir araçla kontrol edin.")

# The table's 403 is the İYS "no active subscription"; the İYS contracts keep that meaning.
# Anywhere else a 403 is an access problem, advised like a 401.
_GENERAL: dict[int, Meaning] = {
    403: Meaning("Access denied (treated like an authentication failure).", AUTH_ADVICE_EN,
                 "Erişim reddedildi (kimlik doğrulama hatası gibi ele alınır).", AUTH_ADVICE_TR),
}


def table_meaning(code: int) -> Meaning:
    """The general table's own words for `code` (for contracts that keep them where _GENERAL differs)."""
    info = CODES[code]
    return Meaning(info.meaning_en, info.action_en, info.meaning_tr, info.action_tr)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal escape sequences from proxies or exception text
_SECRETISH = re.compile(r'("(?:key|hash)"\s*:\s*")[^"]*(")|\b[0-9a-fA-F]{16,}\b', re.IGNORECASE)


def _clean(text: object, limit: int = EXCERPT_LIMIT) -> str:
    """One line, no control/format characters (incl. bidi and zero-width), no key-like hex, at most `limit` chars."""
    s = "".join(" " if c.isspace() else c for c in _ANSI.sub("", str(text))
                if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))
    s = _SECRETISH.sub(lambda m: f"{m.group(1)}[redacted]{m.group(2)}" if m.group(1) else "[redacted]",
                       " ".join(s.split()))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _tool(tool: str) -> str:
    return _clean(tool, 64) or "tool"


def _risk_text(risk: WriteRisk | None) -> tuple[str, str, str, str]:
    r = risk or GENERIC_WRITE
    return r.effect_en, r.effect_tr, r.check_en, r.check_tr


def _cap(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _render(head_en: str, body_en: list[str], head_tr: str, body_tr: list[str]) -> str:
    return _cap("\n".join([head_en, *body_en, f"Türkçe: {head_tr}", *body_tr]))


def explain_api_error(code: int, tool: str, provider_message: str | None, http_status: int | None, *,
                      risk: WriteRisk | None, meanings: Mapping[int, Meaning] | None = None) -> str:
    """Explain a body status code (`response.status.code`) other than plain success.

    `risk` is None for a read; `meanings` are what codes mean for this tool in particular.
    """
    t, info = _tool(tool), CODES.get(code)
    msg = _clean(provider_message) if provider_message else (info.wire_message_tr if info else "")
    quoted = f'Provider message: "{msg}"' if msg else "Provider message: (none)"
    if http_status is not None and http_status != code:
        quoted += f" (HTTP {http_status})"
    if info is None:
        m_en, m_tr = "unknown code (it may be new).", "bilinmeyen kod (yeni olabilir)."
        a_en = (f"This code is not in this server's table; read the provider message above and see {ERROR_CODES_DOCS}. "
                "Not retried automatically.")
        a_tr = (f"Bu kod sunucunun tablosunda yok; yukarıdaki sağlayıcı mesajını okuyun ve {ERROR_CODES_DOCS_TR} "
                "sayfasına bakın. Otomatik tekrar yapılmadı.")
    elif code == 200:  # a success body with a non-2xx HTTP status is ambiguous, never success
        m_en = (f"the body says success but the HTTP status was {http_status}; "
                "treated as an error because the result is ambiguous.")
        m_tr = f"gövde başarılı diyor ama HTTP durumu {http_status}; sonuç belirsiz olduğu için hata sayıldı."
        a_en, a_tr = "Try again later; if it persists, report it.", "Daha sonra tekrar deneyin; sürerse bildirin."
    else:
        m_en, a_en, m_tr, a_tr = info.meaning_en, info.action_en, info.meaning_tr, info.action_tr
        o = (meanings or {}).get(code) or _GENERAL.get(code)
        if o:
            m_en, a_en, m_tr, a_tr = (new or old for new, old in zip(o, (m_en, a_en, m_tr, a_tr), strict=True))
    if risk is not None and (info is None or code in (200, 503)):  # writes are never retried; say how to reconcile
        eff_en, eff_tr, chk_en, chk_tr = risk.effect_en, risk.effect_tr, risk.check_en, risk.check_tr
        if code in (200, 503):  # a 503 probably means "not accepted", but nobody has shown it
            a_en = f"{eff_en} It was not retried automatically; the outcome is not certain. {chk_en}"
            a_tr = f"{eff_tr} Otomatik olarak tekrarlanmadı; sonuç kesin değil. {chk_tr}"
        else:
            a_en += f" The outcome is not certain. {chk_en}"
            a_tr += f" Sonuç kesin değil. {chk_tr}"
    return _render(f"{t} failed: iletiMerkezi code {code} — {m_en}", [quoted, f"What to do: {a_en}"],
                   f"{t} başarısız: iletiMerkezi kodu {code} — {m_tr}", [f"Ne yapmalı: {a_tr}"])


def explain_http_error(status: int, tool: str, body_excerpt: str, *, risk: WriteRisk | None) -> str:
    """A non-2xx response whose body carries no iletiMerkezi status code (e.g. a proxy's HTML 502 page)."""
    if 200 <= status < 300:
        return explain_protocol_error(tool, f"HTTP {status} without response.status.code", risk=risk)
    t, excerpt = _tool(tool), _clean(body_excerpt)
    seen = f'Response began: "{excerpt}"' if excerpt else "The response body was empty."
    write = risk is not None
    eff_en, eff_tr, chk_en, chk_tr = _risk_text(risk)
    if status >= 500:
        what_en, what_tr = "a server or gateway error", "sunucu veya ağ geçidi hatası"
        if write:
            a_en = f"{eff_en} The outcome is unknown and it was not retried automatically. {chk_en}"
            a_tr = f"{eff_tr} Sonuç bilinmiyor ve otomatik olarak tekrarlanmadı. {chk_tr}"
        else:
            a_en = "Nothing was changed (read-only). Try again in a minute or two."
            a_tr = "Hiçbir şey değişmedi (salt okunur). Bir iki dakika sonra tekrar deneyin."
    elif status in (401, 403):
        what_en, what_tr = "an authentication or access problem", "kimlik doğrulama veya erişim sorunu"
        a_en, a_tr = AUTH_ADVICE_EN, AUTH_ADVICE_TR
    elif status in (404, 405):
        what_en, what_tr = "a wrong path or method", "yanlış yol veya yöntem"
        a_en, a_tr = CODES[404].action_en, CODES[404].action_tr
    elif status == 429:
        what_en, what_tr = "rate limiting", "hız sınırı"
        a_en = "Wait (honour Retry-After if given) and try again."
        a_tr = "Bekleyin (varsa Retry-After süresine uyun) ve tekrar deneyin."
        if write:
            a_en += f" It was most likely not accepted, but make sure. {chk_en}"
            a_tr += f" Büyük olasılıkla kabul edilmedi, yine de emin olun. {chk_tr}"
    else:
        what_en, what_tr = "an unexpected response", "beklenmeyen bir yanıt"
        a_en = "Not retried automatically. If it persists, a proxy or firewall may be in the way; report it."
        a_tr = "Otomatik olarak tekrarlanmadı. Sürerse araya bir proxy veya güvenlik duvarı girmiş olabilir; bildirin."
        if write:
            a_en += f" The outcome is not certain. {chk_en}"
            a_tr += f" Sonuç kesin değil. {chk_tr}"
    return _render(f"{t} failed: HTTP {status} with no iletiMerkezi status code in the body ({what_en}).",
                   [seen, f"What to do: {a_en}"],
                   f"{t} başarısız: HTTP {status}, gövdede iletiMerkezi durum kodu yok ({what_tr}).",
                   [f"Ne yapmalı: {a_tr}"])


def explain_protocol_error(tool: str, detail: str, *, risk: WriteRisk | None) -> str:
    """HTTP 2xx but no `response.status.code`: never treated as success."""
    t, d = _tool(tool), _clean(detail)
    if risk is not None:
        eff_en, eff_tr, chk_en, chk_tr = _risk_text(risk)
        a_en = f"{eff_en} The outcome is unknown and it was not retried automatically. {chk_en}"
        a_tr = f"{eff_tr} Sonuç bilinmiyor ve otomatik olarak tekrarlanmadı. {chk_tr}"
    else:
        a_en = ("Do not trust this response as data. Try again; if it keeps happening the API format may have changed, "
                "so update iletimerkezi-mcp or report it.")
        a_tr = ("Bu yanıtı veri olarak kullanmayın. Tekrar deneyin; sürerse API biçimi değişmiş olabilir, "
                "iletimerkezi-mcp'yi güncelleyin veya bildirin.")
    return _render(f"{t} failed: the API answered HTTP 2xx but without response.status.code, so this is NOT a success.",
                   [f'Detail: "{d}"', f"What to do: {a_en}"],
                   f"{t} başarısız: API HTTP 2xx döndü ama response.status.code yok; bu bir başarı DEĞİLDİR.",
                   [f"Ne yapmalı: {a_tr}"])


_KINDS = {
    "timeout": ("the request timed out", "istek zaman aşımına uğradı"),
    "connect": ("could not connect to the API", "API'ye bağlanılamadı"),
    "network": ("the network connection failed during the request", "istek sırasında ağ bağlantısı koptu"),
}


def explain_transport_error(tool: str, kind: Literal["timeout", "connect", "network"], detail: str, *,
                            risk: WriteRisk | None, attempts: int = 1) -> str:
    """No HTTP response at all. For writes the outcome is unknown; reads say how often they were tried."""
    t, d = _tool(tool), _clean(detail)
    k_en, k_tr = _KINDS.get(kind, _KINDS["network"])
    n = max(1, attempts)
    if risk is not None:
        eff_en, eff_tr, chk_en, chk_tr = _risk_text(risk)
        if n > 1:
            r_en, r_tr = f"It was tried {n} times.", f"{n} kez denendi."
        else:
            r_en = "It was not retried automatically (the API has no idempotency key)."
            r_tr = "Otomatik olarak tekrarlanmadı (API'de tekrar koruması/idempotency anahtarı yok)."
        a_en, a_tr = f"{eff_en} {r_en} {chk_en}", f"{eff_tr} {r_tr} {chk_tr}"
        if kind == "connect":  # usually fails before the request leaves, but that cannot be guaranteed
            a_en += " (A connection failure usually happens before anything is sent, but that is not guaranteed.)"
            a_tr += " (Bağlantı hatası genellikle hiçbir şey gönderilmeden olur, ama bu garanti değildir.)"
    else:
        a_en = (f"Nothing was changed (read-only). It was tried {n} time{'s' if n != 1 else ''}. "
                "Check the network or proxy settings and try again in a minute.")
        a_tr = (f"Hiçbir şey değişmedi (salt okunur). {n} kez denendi. "
                "Ağ veya proxy ayarlarını kontrol edip bir dakika sonra tekrar deneyin.")
    return _render(f"{t} failed: {k_en}.", [f'Detail: "{d}"', f"What to do: {a_en}"],
                   f"{t} başarısız: {k_tr}.", [f"Ne yapmalı: {a_tr}"])


ENV_KEY, ENV_HASH = "ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"


def explain_missing_credentials(missing: list[str], sandbox_hint: bool = True) -> str:
    """Setup help when ILETIMERKEZI_API_KEY and/or ILETIMERKEZI_API_HASH are not set."""
    names = ", ".join(_clean(m, 64) for m in missing if str(m).strip()) or f"{ENV_KEY}, {ENV_HASH}"
    env = f'"env": {{"{ENV_KEY}": "<key>", "{ENV_HASH}": "<hash>"}}'
    en = [f"iletiMerkezi credentials are missing (not set: {names}).",
          f"Both {ENV_KEY} and {ENV_HASH} are needed. Copy them from panel.iletimerkezi.com → Settings → Security → "
          'API Access, and turn on "API kullanımına izin ver" (Allow API access) under Access Permissions.',
          f"Put them in this server's {env} block of your MCP client config, then restart the client."]
    tr = [f"iletiMerkezi kimlik bilgileri eksik (tanımlı olmayan: {names}).",
          f"{ENV_KEY} ve {ENV_HASH} birlikte gerekir. Değerleri panel.iletimerkezi.com → Ayarlar → Güvenlik → "
          'API Erişimi sayfasından kopyalayın ve Erişim İzinleri altında "API kullanımına izin ver" seçeneğini açın.',
          f"Bunları MCP istemci yapılandırmanızda bu sunucunun {env} bloğuna yazın ve istemciyi yeniden başlatın."]
    if sandbox_hint:
        en.append("To try every tool with no account and no cost, start the server with --sandbox "
                  "(iletimerkezi-mcp --sandbox): it uses a built-in fake API.")
        tr.append("Hesap olmadan ve ücretsiz olarak tüm araçları denemek için sunucuyu --sandbox ile başlatın "
                  "(iletimerkezi-mcp --sandbox): yerleşik sahte bir API kullanır.")
    return _cap("\n".join([*en, "Türkçe: " + tr[0], *tr[1:]]))

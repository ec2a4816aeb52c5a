"""Three read-only guides, served as resources: the sending rules, the İYS consent rules, the error codes.

A model (or a person) reads these once instead of learning the rules from every tool description.
Every number the project keeps as a constant is taken from that constant, so a guide cannot drift
from the checks that enforce it. Pure and deterministic: no network, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import get_args

from iletimerkezi_mcp.errors.codes import CODES, ERROR_CODES_DOCS, ERROR_CODES_DOCS_TR
from iletimerkezi_mcp.results.labels import STATUS_TEXT
from iletimerkezi_mcp.rules.consent import CHANNELS, IYS_START, MAX_PROBLEMS, RECIPIENT_TYPES
from iletimerkezi_mcp.rules.reports import MAX_REPORT_SPAN_DAYS
from iletimerkezi_mcp.sms.encoding import (
    API_MAX_PARTS,
    CAPACITIES,
    GSM7_BASIC,
    GSM7_EXTENSION,
    SUFFIX,
    TURKISH_SHIFT_LETTERS,
    Encoding,
    Model,
)
from iletimerkezi_mcp.sms.preview import MAX_RECIPIENTS_PER_REQUEST, ascii_fold
from iletimerkezi_mcp.sms.schedule import API_FORMAT, ISTANBUL
from iletimerkezi_mcp.sms.sender import MAX_SENDER_LENGTH, TURKISH_LETTERS

__all__ = ["error_codes", "iys_rules", "sending_rules"]

# The provider's English API docs, e.g. https://www.iletimerkezi.com/en/docs/api/send-sms.
_DOCS = ERROR_CODES_DOCS.rsplit("/", 1)[0]

# The counting model behind each encoding preview_sms reports. Turkish mode uses the single-shift
# capacities (the locking-shift table has the same ones), as the preview's conservative count does.
_MODEL_OF: dict[Encoding, Model] = {"GSM-7": "gsm7", "GSM-7 Turkish": "turkish_single", "UCS-2": "ucs2"}
_UNIT_OF: dict[Model, str] = {"gsm7": "septets", "turkish_single": "septets", "ucs2": "UTF-16 units"}

# strftime directives of API_FORMAT as the provider's docs spell them (dd/MM/yyyy HH:mm).
_DIRECTIVES = {"%d": "dd", "%m": "MM", "%Y": "yyyy", "%H": "HH", "%M": "mm"}

# Not kept as a constant outside the sandbox (sandbox/iys.py MAX_BATCH), which production code must not
# import; the tests check that the two agree. https://www.iletimerkezi.com/en/docs/api/iys-register
_IYS_BATCH_MAX = 5000
# Registry's consentDate form; rules/consent.py keeps it only as a private name.
_CONSENT_DATE_FORMAT = "YYYY-MM-DD HH:MM:SS"
# Report statuses below this are per message (110-112), from it on per order (113-115).
_FIRST_ORDER_STATUS = 113


def _letters(chars: Iterable[str]) -> str:
    """Characters in a fixed (code point) order: a frozenset's own order changes from run to run."""
    return " ".join(sorted(chars))


def _or(values: Iterable[str]) -> str:
    items = [f"`{v}`" for v in values]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _human_format(fmt: str) -> str:
    for directive, spelled in _DIRECTIVES.items():
        fmt = fmt.replace(directive, spelled)
    return fmt


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (the code table holds no pipes or breaks today)."""
    return " ".join(text.split()).replace("|", "\\|")


def _capacity_rows() -> list[str]:
    suffix = len(SUFFIX)
    rows = []
    for encoding in get_args(Encoding):
        model = _MODEL_OF[encoding]
        single, multi = CAPACITIES[model]
        rows.append(f"| {encoding} | {_UNIT_OF[model]} | {single} | {multi} | {single - suffix} "
                    f"| {API_MAX_PARTS * multi - suffix} |")
    return rows


@cache
def sending_rules() -> str:
    """Markdown: how text becomes parts and credits, and what send_sms needs from each field."""
    code = SUFFIX.strip()
    example = datetime(2026, 6, 15, 9, 5).strftime(API_FORMAT)  # a fixed date: no clock is read
    gsm_single, gsm_multi = CAPACITIES["gsm7"]
    tr_single, tr_multi = CAPACITIES["turkish_single"]
    ucs_single, ucs_multi = CAPACITIES["ucs2"]
    printable_ext = _letters(ch for ch in GSM7_EXTENSION if ch.isprintable())  # the form feed is left out
    folds = ", ".join(f"{ch}→{ascii_fold(ch)}" for ch in sorted(TURKISH_LETTERS) if ascii_fold(ch) != ch)
    lines = [
        "# Sending rules",
        "",
        "How send_sms turns a text and a list of numbers into parts and credits. Run preview_sms first: it counts "
        "exactly, names the characters that cost extra and never sends. "
        f"Provider docs: {_DOCS}/send-sms",
        "",
        "## Encoding",
        "",
        "One encoding applies to the whole message, chosen by its most demanding character:",
        "",
        "- **GSM-7**: every character is in the GSM-7 basic or extension table. "
        f"{_letters(ch for ch in TURKISH_LETTERS if ch in GSM7_BASIC)} are in the basic table. "
        f"Extension characters `{printable_ext}` cost 2 septets each.",
        f"- **GSM-7 Turkish** (\"Turkish-character mode\"): GSM-7 plus any of {_letters(TURKISH_SHIFT_LETTERS)}, "
        "sent with the Turkish national single-shift table. The provider does not say whether these letters cost "
        "2 septets (single shift) or 1 (locking shift); preview_sms counts 2 for `parts` (credits) and 1 for "
        "`parts_optimistic`.",
        "- **UCS-2** (Unicode): anything else, even one character: emoji, â î û, typographic quotes and dashes "
        "(“ ” ’ … – —), a tab, a non-breaking space, the backtick, Cyrillic. Emoji outside the Basic "
        "Multilingual Plane count 2 units.",
        "",
        "## Length, parts and credits",
        "",
        f"The provider appends the operator code `{code}` to every SMS (a BTK rule). It takes {len(SUFFIX)} "
        f"characters (`\"{SUFFIX}\"`, with the space) and counts toward the length.",
        "",
        f"| Encoding | Unit | 1-part message | Each part of a longer one | Text fitting 1 part "
        f"| Text fitting {API_MAX_PARTS} parts |",
        "|---|---|---|---|---|---|",
        *_capacity_rows(),
        "",
        f"\"Text fitting\" is the part capacity minus the {len(SUFFIX)} suffix characters, in units: extension "
        "characters (and, counted conservatively, Turkish letters) take 2, so fewer characters fit. An escape "
        "pair or an emoji's surrogate pair is never split across parts, so a part may close one unit early; near "
        "a boundary the real count can differ by one.",
        "",
        f"- At most {API_MAX_PARTS} parts; a longer text is refused with 453 and nothing is sent.",
        "- Credits = parts × unique valid recipients (one credit per part per recipient). get_balance's `sms` "
        "figure assumes single-part messages. Undelivered messages are not charged; get_report shows the real cost.",
        "",
        "## Avoiding the Turkish and Unicode penalty",
        "",
        f"One Turkish letter shrinks every part ({gsm_single}→{tr_single} alone, {gsm_multi}→{tr_multi} when split); "
        f"one emoji or â cuts it to {ucs_single}/{ucs_multi}. preview_sms lists the `forcing_characters` and, when it "
        f"saves parts, offers an `ascii_suggestion` ({folds}; â î û → a i u). It is never applied silently: ask the "
        "user before sending the folded text.",
        "",
        "## Sender ID (başlık)",
        "",
        "- `sender` must be an approved sender from get_sender, copied exactly, case and spaces included; "
        "otherwise 450. A new sender is approved in the panel within 1-2 business days.",
        f"- At most {MAX_SENDER_LENGTH} characters and no Turkish letters ({_letters(TURKISH_LETTERS)}): 460. "
        "Empty: 459.",
        "- `APITEST` works on every account for testing: free, delivered only to the account's registered test "
        "number, its text replaced by a fixed verification message, `iys` forced to \"0\".",
        "",
        "## Commercial or transactional: `iys`",
        "",
        "- `iys` \"0\": transactional content (one-time passwords, order and delivery notices, reminders, messages "
        "about an existing subscription). No consent needed.",
        "- `iys` \"1\": commercial content (campaigns, promotions; under İYS rules also celebration and greeting "
        f"messages). Needs `iysList` {_or(RECIPIENT_TYPES)} (469 without it). Missing `iys`: 468; no İYS code "
        "configured on the account: 470.",
        "- With \"1\" the platform checks every recipient against İYS and silently drops those without consent "
        "(ONAY): a 200 does not mean everyone gets the message; check get_report. `iys` is a legal declaration: "
        "never set \"0\" on commercial content to get around consent. See the İYS consent rules.",
        "",
        "## Scheduling: `sendDateTime`",
        "",
        f"- `{_human_format(API_FORMAT)}`, 24-hour, Istanbul time ({ISTANBUL.tzname(None)}), e.g. `{example}`. "
        "Leave it empty to send now. Another format: 457.",
        f"- Never add seconds: with `{example}:00` the provider ignores the schedule and sends at once. This server "
        "drops seconds, converts ISO 8601 times with an offset, and refuses times not in the future.",
        "- Only a scheduled order can be cancelled (cancel_order), and only before its send time; after that 455. "
        "Its report answers 456 until the send time.",
        "",
        "## Recipients",
        "",
        "- Turkish mobile numbers only, as `905XXXXXXXXX`, `+905XXXXXXXXX`, `+90 5XX XXX XX XX`, `05XXXXXXXXX` or "
        "`5XXXXXXXXX` (spaces, dashes, dots, parentheses allowed). This server normalises them to `905XXXXXXXXX` "
        "and counts each number once however it is written.",
        f"- At most {MAX_RECIPIENTS_PER_REQUEST:,} recipients per request: split larger lists into sends one after "
        "another. The server's operator may set lower caps on recipients and credits per call.",
        "- Blacklisted numbers (get_blacklist) are skipped and not charged. Recipients missing, invalid or all "
        "blacklisted: 452.",
        "- The same text to the same recipients within 10 minutes: 451. If unintended, the first send most likely "
        "went out: check get_reports for today. To resend on purpose, change the text (e.g. add the time).",
        "- A send is never retried automatically (the API has no idempotency key): after a timeout, check "
        "get_reports before sending again.",
        "",
        "## After sending",
        "",
        f"get_report takes the order id and shows each message's status, delivery and price; get_reports lists "
        f"orders in a date range (`YYYY-MM-DD`): the API takes at most {MAX_REPORT_SPAN_DAYS} days per call, and "
        "this server reads a longer range window by window, with totals. See the error codes for report statuses.",
    ]
    return "\n".join(lines) + "\n"


@cache
def iys_rules() -> str:
    """Markdown: who needs İYS consent, how to register it, and how to read a lookup."""
    kinds = "; ".join(f"`{k}` {m}" for k, m in zip(RECIPIENT_TYPES, ("individual", "merchant"), strict=True))
    channels = "; ".join(f"`{c}` {m}" for c, m in zip(CHANNELS, ("SMS", "e-mail", "voice call"), strict=True))
    earliest = f"{IYS_START:%Y-%m-%d %H:%M:%S}"
    no_subscription = CODES[403]
    lines = [
        "# İYS consent rules",
        "",
        "İYS (İleti Yönetim Sistemi) is Turkey's national registry of consent to commercial messages (Law 6563). "
        "iletiMerkezi forwards records to it under the account's İYS brand code (`brandCode`, from the panel). "
        f"Provider docs: {_DOCS}/iys-register, {_DOCS}/iys-check",
        "",
        "## Who needs consent",
        "",
        "- Commercial messages (campaigns, promotions, celebration and greeting messages) go with `iys` \"1\" "
        f"and `iysList` {_or(RECIPIENT_TYPES)}. The platform checks each recipient at send time and silently "
        "drops those without consent (ONAY); the send still answers 200.",
        "- Transactional messages (one-time passwords, order and delivery notices, reminders) go with `iys` \"0\" "
        "and need no consent. Data-protection (KVKK) duties apply either way.",
        "",
        "## A record (iys_register)",
        "",
        "- `recipient`: a Turkish mobile number (`+905XXXXXXXXX`) for `MESAJ` and `ARAMA`, an e-mail address for "
        "`EPOSTA`.",
        f"- `recipientType`: {kinds}.",
        f"- `type` (channel): {channels}.",
        "- `status`: `ONAY` is consent (onay); `RET` is refusal or opt-out (ret).",
        "- `source`: an `HS_*` code for where consent was captured, e.g. `HS_WEB`, `HS_MOBIL`, `HS_FIZIKSEL_ORTAM`, "
        "`HS_ISLAK_IMZA`, `HS_CAGRI_MERKEZI`, `HS_SOSYAL_MEDYA`, `HS_EPOSTA`, `HS_MESAJ`, `HS_ETKINLIK`, "
        "`HS_EORTAM`, `HS_2015`, `HS_KARAR` (the list may not be complete). Optional for `TACIR`.",
        f"- `consentDate`: `{_CONSENT_DATE_FORMAT}`, Turkey time ({ISTANBUL.tzname(None)}), the moment consent "
        "was given. Optional for `TACIR`.",
        "",
        "## Registry rules",
        "",
        "- `RET` revokes consent and always overrides an earlier `ONAY`.",
        "- A `RET` cannot be a recipient's first record.",
        "- The same status again for the same recipient, type and recipientType is a duplicate and is refused.",
        f"- `consentDate` must not be in the future, not before {earliest}, and later than the existing record's.",
        "- Consent must be registered within 3 business days of its capture; late registration can draw "
        "administrative fines (not an API error).",
        "- Records cannot be deleted, only superseded by a later record. This server asks for confirmation before "
        "a batch that revokes consent or is large.",
        "",
        "## Batches",
        "",
        f"- 1 to {_IYS_BATCH_MAX:,} records per call, atomic: one bad record refuses them all with 422 and nothing "
        f"is stored. This server checks every record first and names each problem as `consent.list[i]` (the first "
        f"{MAX_PROBLEMS}).",
        "- One batch may hold a recipient once per type and recipientType. To record a change (`ONAY`, then "
        "`RET`), send the later record in a separate call.",
        "- Never resubmitted automatically: after a timeout, look the records up with iys_check first.",
        "",
        "## Reading iys_check",
        "",
        "One recipient per call, no credit used. The answer is one of:",
        "",
        "- A record: its `status` (`ONAY` or `RET`), `source` and `consentDate`. Only `ONAY` is consent.",
        "- No record, as either a 422 (this server reports it as \"no İYS record\", an answer rather than bad "
        "data) or a 200 with an empty `consent` (shown as `found: false`).",
        "",
        "An empty answer never means consent. It can also mean the brand code is not on this account, or that no "
        "record exists under that recipientType: if a record was expected, check `brandCode`, `recipientType` and "
        "`type`.",
        "",
        f"403 on either call: {no_subscription.meaning_en} {no_subscription.action_en}",
    ]
    return "\n".join(lines) + "\n"


@cache
def error_codes() -> str:
    """Markdown: every provider code from errors/codes.py, in English and Turkish, and the report statuses."""
    rows = [
        f"| {c.code} | {_cell(c.meaning_en)} | {_cell(c.action_en)} | {_cell(c.meaning_tr)} | {_cell(c.action_tr)} |"
        for c in sorted(CODES.values(), key=lambda info: info.code)
    ]
    per_message = ", ".join(f"{s} {t}" for s, t in sorted(STATUS_TEXT.items()) if s < _FIRST_ORDER_STATUS)
    per_order = ", ".join(f"{s} {t}" for s, t in sorted(STATUS_TEXT.items()) if s >= _FIRST_ORDER_STATUS)
    lines = [
        "# Error codes",
        "",
        "Every code the iletiMerkezi API answers in `response.status.code`, with its meaning and what to do. "
        "Branch on the code, never on the Turkish message text. / API'nin `response.status.code` alanındaki her "
        "kod, anlamı ve yapılacak iş.",
        "",
        f"Provider docs: {ERROR_CODES_DOCS} (English), {ERROR_CODES_DOCS_TR} (Türkçe)",
        "",
        "| Code | Meaning | What to do | Anlamı | Ne yapılmalı |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "## Report statuses are not errors / Rapor durumları hata değildir",
        "",
        "get_report and get_reports return these in `status` fields of a successful (200) answer:",
        "",
        f"- Per message (`message[].status`): {per_message}.",
        f"- Per order (`order.status`): {per_order}. \"{STATUS_TEXT[114]}\" means every message is final, "
        "not that all were delivered.",
    ]
    return "\n".join(lines) + "\n"

"""İYS consent: iys_register, iys_check.

Provider docs: https://www.iletimerkezi.com/en/docs/api/iys-register, …/iys-check. A batch is
atomic at İYS (one bad record refuses them all) and a stored record cannot be deleted, so every
record is checked here first and a batch that revokes consent, or a large one, is confirmed.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

from iletimerkezi_mcp.errors import Meaning, WriteRisk, table_meaning
from iletimerkezi_mcp.results.coerce import ShapeContext, dig, to_phone, to_text
from iletimerkezi_mcp.results.schemas import obj, prop
from iletimerkezi_mcp.rules.consent import (
    canonical_records,
    check_consent_query,
    check_consent_records,
    count_revocations,
)
from iletimerkezi_mcp.safety import PreparedCall, Refusal
from iletimerkezi_mcp.settings import Settings

from .base import CONFIRM_HOW, NEVER_RETRIED, ToolContract, plural, reader

# A batch larger than this is confirmed even when it only records consent (ONAY): a typo in a
# bulk import is stored for good. Small, everyday batches go straight through.
CONFIRM_RECORDS_ABOVE = 100
_SHOWN = 5

# 403 on the İYS endpoints is the documented "no active İYS subscription" (elsewhere: access denied).
_NO_SUBSCRIPTION = table_meaning(403)


def _prepare_register(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    # The list is replaced by the checked copies of its records, never edited: the copy shares it.
    given = arguments["consent"]["list"]
    arguments = copy.deepcopy(arguments, {id(given): given})
    consent = arguments["consent"]
    records, problems = check_consent_records(consent["list"], datetime.now(timezone.utc))
    if problems:
        raise Refusal("iys_register", problems)
    consent["list"] = records
    revoked = [r for r in records if r.get("status") == "RET"]
    lines = [f"Brand code: {consent.get('brandCode')}",
             f"{plural(len(records), 'record')}: {len(records) - len(revoked):,} ONAY (consent), "
             f"{len(revoked):,} RET (revokes consent). İYS records cannot be deleted."]
    if revoked:
        shown = ", ".join(str(r.get("recipient")) for r in revoked[:_SHOWN])
        more = f" and {len(revoked) - _SHOWN:,} more" if len(revoked) > _SHOWN else ""
        lines.append(f"RET for: {shown}{more}")
    canonical = canonical_records(records)
    phones = [str(r["recipient"]).lstrip("+") for r in records if str(r.get("recipient", "")).startswith("+")]
    return PreparedCall(arguments=arguments, parts={"brand code": str(consent.get("brandCode")), "records": canonical},
                        lines=lines, numbers=phones,
                        progress=f"{plural(len(records), 'record')} checked; sending them to İYS as one atomic batch")


def _confirm_register(prepared: PreparedCall, settings: Settings) -> str | None:
    records = prepared.arguments["consent"]["list"]
    revoked = count_revocations(records)
    if revoked:
        return (f"the batch revokes consent (RET) for {plural(revoked, 'recipient')}, a legal record that cannot "
                "be deleted")
    if len(records) > CONFIRM_RECORDS_ABOVE:
        return (f"{len(records):,} records is more than {CONFIRM_RECORDS_ABOVE} in one batch, and İYS records "
                "cannot be deleted")
    return None


def _shape_register(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    out["brandCode"] = dig(args, "consent", "brandCode")
    records = dig(args, "consent", "list")
    if isinstance(records, list):
        out["records"] = len(records)


def _sum_register(s: dict, args: dict) -> str:
    records = dig(args, "consent", "list")
    brand = f" for brand {s['brandCode']}" if s.get("brandCode") else ""
    if not isinstance(records, list):
        return f"İYS records accepted{brand}."
    tally: dict[str, int] = {}
    for rec in records:
        label = to_text(dig(rec, "status")) or "?"
        tally[label] = tally.get(label, 0) + 1
    detail = ", ".join(f"{n:,} {label}" for label, n in tally.items())
    return f"İYS: {plural(len(records), 'record')} accepted{brand} ({detail})."


IYS_REGISTER = ToolContract(
    name="iys_register",
    path="/v1/consent/create/json",
    # A legal record in the national registry: it cannot be deleted, and a RET revokes consent.
    # Re-sending a duplicate is refused (422), so it is not idempotent either.
    read_only=False, destructive=True, idempotent=False,
    prepare=_prepare_register,
    covers=(("consent", "brandCode"), ("consent", "list")),
    confirm=_confirm_register,
    shape=_shape_register,
    summary=_sum_register,
    output={
        "brandCode": prop("string", "From the arguments."),
        "records": prop("integer", "Records submitted."),
    },
    risk=WriteRisk(
        "The consent records MAY HAVE BEEN STORED.", "İzin kayıtları KAYDEDİLMİŞ OLABİLİR.",
        "Check the records with iys_check before resubmitting.",
        "Yeniden göndermeden önce kayıtları iys_check ile kontrol edin."),
    meanings={
        403: _NO_SUBSCRIPTION,
        422: Meaning(
            "The whole batch was refused; nothing was stored (one invalid record fails every record).",
            "Fix the record(s) and resubmit the batch. Usual causes: a RET as a recipient's first record, a "
            "duplicate ONAY/RET, a consentDate not later than the existing one, in the future or before 2015-05-01. "
            "See current records with iys_check.",
            "Tüm liste reddedildi; hiçbir kayıt saklanmadı (tek hatalı kayıt tüm listeyi düşürür).",
            "Kayıtları düzeltip listeyi yeniden gönderin. Sık nedenler: alıcının ilk kaydının RET olması, tekrarlanan "
            "ONAY/RET, mevcut kayıttan yeni olmayan, gelecekteki veya 2015-05-01'den önceki consentDate. Mevcut "
            "kayıtlar için iys_check kullanın."),
    },
    note=("İYS records are legal and cannot be deleted. A batch with any RET (revokes consent) or over "
          f"{CONFIRM_RECORDS_ABOVE} records {CONFIRM_HOW}. {NEVER_RETRIED}"),
)


def _prepare_check(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    arguments = copy.deepcopy(arguments)
    query, problems = check_consent_query(arguments["consent"])
    if problems:
        raise Refusal("iys_check", problems)
    arguments["consent"] = query
    return PreparedCall(arguments=arguments)


def _shape_check(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    consent = payload.pop("consent", None)
    if isinstance(consent, list) and consent and isinstance(consent[0], dict):
        if len(consent) > 1:
            ctx.notices.append(f"The provider returned {len(consent)} records; only the first is shown.")
        consent = consent[0]  # defensive: records wrapped in a list
    if isinstance(consent, dict) and consent:
        consent = dict(consent)
        if "recipient" in consent:
            consent["recipient"] = to_phone(consent["recipient"])
        out.update(found=True, consent=consent)
    elif ok:
        # `consent: []` means "no usable record", and also shows up for a foreign brand code.
        out["found"] = False
        ctx.notices.append(
            "No usable İYS record: this is not consent. An empty answer can also mean the brand code "
            "is not on this account, so check the brand code if you expected a record.")


def _sum_check(s: dict, args: dict) -> str:
    c = s.get("consent")
    if s.get("found") and isinstance(c, dict):
        extra = ", ".join(v for v in (c.get("source"), c.get("consentDate")) if v)
        return (f"İYS: {c.get('recipient', '?')} {c.get('type', '?')}/{c.get('recipientType', '?')} → "
                f"{c.get('status', '?')}" + (f" ({extra})" if extra else ""))
    q = dig(args, "consent")
    q = {k: to_text(v) for k, v in q.items()} if isinstance(q, dict) else {}
    who = to_phone(q["recipient"]) if q.get("recipient") else "this recipient"
    kinds = "/".join(str(q[k]) for k in ("type", "recipientType") if q.get(k))
    brand = f" under brand {q['brandCode']}" if q.get("brandCode") else ""
    return (f"No İYS record found for {who}" + (f" ({kinds})" if kinds else "") + f"{brand}. "
            "This is not consent; an empty answer can also mean the brand code is not on this account.")


IYS_CHECK = reader(
    "iys_check", "/v1/consent/show/json",
    prepare=_prepare_check,
    shape=_shape_check,
    summary=_sum_check,
    output={
        "found": prop("boolean", "False: no usable record, which never means consent."),
        "consent": obj("", {
            "brandCode": prop("string"),
            "recipient": prop("string"),
            "recipientType": prop("string"),
            "type": prop("string"),
            "status": prop("string", "ONAY (consent) or RET (refusal)."),
            "source": prop("string"),
            "consentDate": prop("string", "Turkey time."),
        }),
    },
    meanings={
        403: _NO_SUBSCRIPTION,
        422: Meaning(
            "No İYS record exists for this recipient (with this brand, recipient type and channel).",
            "This is an answer, not bad data: the recipient has no registered consent, so do not send them "
            "commercial (iys=1) messages; transactional (iys=0) messages are unaffected. If you expected a record, "
            "check brandCode, recipientType and type.",
            "Bu alıcı için (bu marka, alıcı tipi ve kanalla) İYS kaydı yok.",
            "Bu bir veri hatası değil, bir yanıttır: alıcının kayıtlı izni yok, ona ticari (iys=1) ileti göndermeyin; "
            "bilgilendirme (iys=0) iletileri etkilenmez. Kayıt bekliyorsanız brandCode, recipientType ve type "
            "değerlerini kontrol edin."),
    },
)

CONTRACTS = (IYS_REGISTER, IYS_CHECK)

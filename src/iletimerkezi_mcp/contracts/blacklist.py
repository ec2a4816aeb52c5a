"""The blacklist: get_blacklist, add_blacklist, delete_blacklist.

Provider docs: https://www.iletimerkezi.com/en/docs/api/get-blacklist, …/add-blacklist,
…/delete-blacklist. Only Turkish mobile numbers are accepted (466 otherwise).
"""

from __future__ import annotations

import copy
from typing import Any

from iletimerkezi_mcp.errors import Meaning, WriteRisk
from iletimerkezi_mcp.results.coerce import ShapeContext, dig, to_int, to_phone
from iletimerkezi_mcp.results.paging import as_list, cap_list, paging_info
from iletimerkezi_mcp.results.schemas import STRING_ITEMS, arr, page_info, prop
from iletimerkezi_mcp.safety import PreparedCall, Refusal
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import InvalidNumber, normalise_number

from .base import CONFIRM_HOW, NEVER_RETRIED, Prepare, ToolContract, always, plural, reader


def _shape_list(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    block = payload.pop("blacklist", None)
    if not isinstance(block, dict):
        return
    block = dict(block)
    count = block.pop("count", None)
    out["count"] = count
    numbers = as_list(block.pop("number", None))
    if numbers is not None:
        shown, stats = cap_list(numbers, ctx)
        out["numbers"] = [to_phone(n) for n in shown]
        # count is account-wide, so page counts are only right without a date filter
        filtered = dig(args, "blacklist", "filter") is not None
        out["page"] = paging_info(ctx, stats, page_arg=dig(args, "blacklist", "page"),
                                  rows_arg=dig(args, "blacklist", "rowCount"),
                                  total=None if filtered else to_int(count), block="blacklist", noun="numbers")
    payload.update({k: v for k, v in block.items() if k not in payload})


def _sum_list(s: dict, args: dict) -> str:
    page = s.get("page") or {}
    returned = page.get("returned", len(s.get("numbers", [])))
    count = s.get("count")
    if isinstance(count, int):
        line = f"Blacklist: {plural(count, 'number')} (showing {returned:,})."
    else:
        line = f"Blacklist: {plural(returned, 'number')} on this page."
    if page.get("pages", 1) > 1:
        line += f"\nPage {page['page']} of {page['pages']}."
    return line


GET_BLACKLIST = reader(
    "get_blacklist", "/v1/get-blacklist/json",
    shape=_shape_list,
    summary=_sum_list,
    output={
        "count": prop("integer", "On the whole account."),
        "numbers": arr("", STRING_ITEMS),
        "page": page_info("numbers", "blacklist.page and blacklist.rowCount"),
    },
)


def _prepare_number(tool: str, action: str) -> Prepare:
    def prepare(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
        arguments = copy.deepcopy(arguments)
        raw = arguments["blacklist"]["number"]
        try:
            number = normalise_number(str(raw))
        except InvalidNumber as exc:
            raise Refusal(tool, [f"blacklist.number: {raw!r} refused: {exc.reason}"]) from None
        arguments["blacklist"]["number"] = number
        return PreparedCall(arguments=arguments, parts={"number": number}, lines=[f"{action} +{number}"],
                            numbers=[number])

    return prepare


def _shape_number(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    number = dig(args, "blacklist", "number")
    if number is not None:
        out["number"] = to_phone(number)


_NUMBER_OUT = {"number": prop("string", "From the arguments.")}

ADD_BLACKLIST = ToolContract(
    name="add_blacklist",
    path="/v1/add-blacklist/json",
    # Additive and reversible (delete_blacklist); re-adding answers 200 with no further effect.
    read_only=False, destructive=False, idempotent=True,
    prepare=_prepare_number("add_blacklist", "Block"),
    covers=(("blacklist", "number"),),
    shape=_shape_number,
    summary=lambda s, args: f"{s.get('number', 'The number')} is on the blacklist.",
    output=_NUMBER_OUT,
    risk=WriteRisk(
        "The number MAY HAVE BEEN BLACKLISTED.", "Numara kara listeye EKLENMİŞ OLABİLİR.",
        "Check with get_blacklist; adding it again is safe (an already listed number returns 200).",
        "get_blacklist ile kontrol edin; yeniden eklemek güvenlidir (listedeki numara 200 döner)."),
    note=NEVER_RETRIED,
)

DELETE_BLACKLIST = ToolContract(
    name="delete_blacklist",
    path="/v1/delete-blacklist/json",
    # Removes a protection: a person who opted out can be texted again. A second delete answers 474.
    read_only=False, destructive=True, idempotent=False,
    prepare=_prepare_number("delete_blacklist", "Unblock (SMS can reach this number again):"),
    covers=(("blacklist", "number"),),
    confirm=always("unblocking lets SMS reach a number that was blocked, possibly a person who opted out"),
    shape=_shape_number,
    summary=lambda s, args: f"{s.get('number', 'The number')} was removed from the blacklist.",
    output=_NUMBER_OUT,
    risk=WriteRisk(
        "The number MAY HAVE BEEN REMOVED from the blacklist.", "Numara kara listeden ÇIKARILMIŞ OLABİLİR.",
        "Check with get_blacklist; a 474 on another try means the first one worked.",
        "get_blacklist ile kontrol edin; yeni denemede 474 gelirse ilk deneme başarılı olmuştur."),
    meanings={474: Meaning(
        "The number was not on the blacklist, so there was nothing to remove.",
        "Nothing to do: the number is already not blocked (confirm with get_blacklist if needed). "
        "If this followed a timed-out attempt, that first attempt worked.",
        "Numara kara listede değildi; kaldırılacak bir engel yok.",
        "Yapılacak bir şey yok: numara zaten engelli değil (gerekirse get_blacklist ile doğrulayın). "
        "Bu, zaman aşımına uğrayan bir denemenin ardından geldiyse ilk deneme başarılı olmuştur.")},
    note=(f"Lets SMS reach the number again, possibly a person who opted out, so every call {CONFIRM_HOW}. "
          f"{NEVER_RETRIED}"),
)

CONTRACTS = (GET_BLACKLIST, ADD_BLACKLIST, DELETE_BLACKLIST)

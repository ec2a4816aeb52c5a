"""results/ and each contract's shaper, summary and output schema: structuredContent shaping and summaries
(the provider's wire quirks and report statuses)."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import pytest

from iletimerkezi_mcp.contracts import ALL, BY_NAME, ToolContract, unknown
from iletimerkezi_mcp.contracts.orders import REPORTS_PAGE_SIZE
from iletimerkezi_mcp.ledger import UnavailableLedger
from iletimerkezi_mcp.results import output_schema_with, shape_result, status_text, validate_structured
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import preview_sms

OK = {"code": 200, "message": "İşlem başarılı"}
FUTURE = unknown("future_tool", "/v1/future/json")  # a tool the provider added that we do not know


def contract_of(tool: str | ToolContract) -> ToolContract:
    return tool if isinstance(tool, ToolContract) else BY_NAME[tool]


def check(tool: str | ToolContract, structured: dict[str, Any]) -> list[str]:
    """What dispatch does once per result: validate it against the contract's compiled schema."""
    return validate_structured(contract_of(tool).output_validator, structured)


def shape(tool: str | ToolContract, response: dict[str, Any], args: dict[str, Any] | None = None, **kw: Any):
    """Shape and assert the one invariant that matters to clients: the result fits the schema."""
    structured, summary = shape_result(contract_of(tool), response, args, **kw)
    assert check(tool, structured) == []
    assert isinstance(summary, str) and summary and len(summary.splitlines()) <= 2
    return structured, summary


# --------------------------------------------------------------------------- schema portability

PROP_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
NEVER = {"$ref", "$defs", "definitions", "$schema", "$id", "$anchor", "$dynamicRef", "additionalProperties"}


def lint(node: Any, path: str = "$") -> list[str]:
    """The client schema rules (types, no $ref, root type object) for one schema."""
    if not isinstance(node, dict):
        return [f"{path}: non-object schema"]
    out = [f"{path}: uses {k}" for k in NEVER & node.keys()]
    kind = node.get("type")
    if not isinstance(kind, str):
        out.append(f"{path}: type must be a single string, got {kind!r}")
    if kind == "array":
        if "items" not in node:
            out.append(f"{path}: array without items")
        else:
            out += lint(node["items"], f"{path}[]")
    if kind == "object":
        props = node.get("properties")
        if not isinstance(props, dict) or not props:
            out.append(f"{path}: object without described properties")
        else:
            for name, sub in props.items():
                if not PROP_NAME.match(name):
                    out.append(f"{path}.{name}: bad property name")
                out += lint(sub, f"{path}.{name}")
    if "required" in node:
        out.append(f"{path}: nothing may be required")
    if "enum" in node and kind != "string":
        out.append(f"{path}: enum on non-string")
    return out


API = {"status", "sandbox", "notice"}  # any API result: the provider's status, the sandbox flag, caveats
WRITE = {"dry_run", "request", "confirmation"}  # only a write is a dry run or stops for confirmation


def expected_common(contract: ToolContract) -> set[str]:
    if contract.local is not None:
        return set()
    common = API | (set() if contract.read_only else WRITE)
    return common | ({"preview"} if contract.previews else set())


@pytest.mark.parametrize("contract", [*ALL, unknown("some_future_tool", "/v1/some-future/json")], ids=lambda c: c.name)
def test_every_schema_is_portable_and_has_exactly_the_common_properties_of_its_kind(contract: ToolContract) -> None:
    schema = contract.output_schema
    assert schema["type"] == "object"
    assert lint(schema) == []
    props = schema["properties"]
    common = API | WRITE | {"preview"}
    assert common & (props.keys() - contract.output.keys()) == expected_common(contract)
    if contract.local is None:
        assert props["status"]["properties"]["code"]["type"] == "integer"


def test_only_sends_carry_a_preview_and_reads_never_a_confirmation() -> None:
    assert [c.name for c in ALL if "preview" in c.output_schema["properties"]] == ["send_sms"]
    for contract in ALL:
        if contract.read_only:
            assert not WRITE & contract.output_schema["properties"].keys(), contract.name
    assert unknown("x", "/v1/x/json").output_schema["properties"].keys() >= API | WRITE


def test_the_linter_catches_bad_schemas() -> None:
    bad = {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"type": "array"},
            "c": {"$ref": "#/x", "type": "object"},
        },
    }
    found = lint(bad)
    assert any("single string" in f for f in found)
    assert any("array without items" in f for f in found)
    assert any("$ref" in f for f in found) and any("without described properties" in f for f in found)
    assert any("required" in f for f in found)


def test_schemas_are_fresh_copies_and_unknown_tools_share_the_write_one() -> None:
    own = BY_NAME["get_balance"].output
    schema = output_schema_with(own, "read")
    schema["properties"]["balance"]["properties"].clear()
    schema["properties"]["status"]["properties"].clear()
    schema["properties"].clear()
    again = output_schema_with(own, "read")
    assert "amount" in again["properties"]["balance"]["properties"]
    assert "code" in again["properties"]["status"]["properties"]
    assert "amount" in own["balance"]["properties"]  # the contract's own properties are untouched too
    assert again == BY_NAME["get_balance"].output_schema
    nope, other = unknown("nope", "/v1/nope/json"), unknown("other", "/v1/other/json")
    assert nope.output_schema == other.output_schema == output_schema_with({})  # the widest API block
    assert set(nope.output_schema["properties"]) == API | WRITE
    with pytest.raises(ValueError):
        output_schema_with({}, "reed")


@pytest.mark.parametrize("contract", [*ALL, FUTURE], ids=lambda c: c.name)
def test_dry_run_confirmation_and_sandbox_results_fit_every_schema(contract: ToolContract) -> None:
    pending = {
        "dry_run": True,
        "sandbox": True,
        "request": {
            "method": "POST",
            "url": "https://api.iletimerkezi.com/v1/send-sms/json",
            "body": {"request": {"authentication": {"key": "****", "hash": "****"}, "order": {"sender": "APITEST"}}},
        },
        "preview": preview_sms("Merhaba", ["5301112233"]).model_dump(),
        "confirmation": {"token": "1778573391.9f8e", "expires_at": "2026-05-12T08:09:51+00:00", "reason": "costs 12"},
        "notice": "Nothing was sent.",
    }
    assert check(contract, pending) == []
    assert check(contract, {}) == []


def test_validate_structured_reports_mismatches() -> None:
    problems = check("get_balance", {"balance": {"sms": "12"}, "found": 1})
    assert problems == ["$.balance.sms: '12' is not of type 'integer'"]
    assert check("iys_check", {"found": "no"}) == ["$.found: 'no' is not of type 'boolean'"]
    several = check("get_report", {"status": {"code": "200"}, "order": {"message": [{"status": "x"}]}})
    assert several == [
        "$.order.message[0].status: 'x' is not of type 'integer'",
        "$.status.code: '200' is not of type 'integer'",
    ]


# --------------------------------------------------------------------------- send / cancel


def test_send_sms_live_and_legacy_types() -> None:
    live = {"status": OK, "order": {"id": "48210457"}}
    assert shape("send_sms", live) == ({"status": OK, "order": {"id": "48210457"}}, "Order 48210457 accepted.")
    legacy = {"status": {"code": "200", "message": "İşlem başarılı"}, "order": {"id": 48210457}}
    assert shape("send_sms", legacy)[0] == {"status": OK, "order": {"id": "48210457"}}


def test_send_sms_scheduled_summary_and_missing_id() -> None:
    args = {"order": {"sender": "ORNEKMAGAZA", "sendDateTime": "15/06/2026 10:30", "iys": "0"}}
    _, summary = shape("send_sms", {"status": OK, "order": {"id": "48210460"}}, args)
    assert summary == (
        "Order 48210460 accepted.\nScheduled for 15/06/2026 10:30 (Turkey time); cancel_order can cancel it until then."
    )
    structured, summary = shape("send_sms", {"status": OK})
    assert summary == "Order accepted, but no order id came back."
    assert "get_reports" in structured["notice"]


def test_send_sms_schedule_given_as_a_list_reaches_the_summary_through_prepare() -> None:
    """Dispatch shapes with the prepared arguments, where prepare() has unwrapped a one-item list."""
    contract = BY_NAME["send_sms"]
    order = {"sender": "ORNEKMAGAZA", "sendDateTime": ["15/06/2099 10:30"], "iys": "0",
             "message": {"text": "Merhaba", "receipents": {"number": ["05301112233"]}}}
    prepared = contract.prepare({"order": order}, Settings())
    assert prepared.arguments["order"]["sendDateTime"] == "15/06/2099 10:30"
    _, summary = shape(contract, {"status": OK, "order": {"id": "48210460"}}, prepared.arguments)
    assert summary.endswith("\nScheduled for 15/06/2099 10:30 (Turkey time); cancel_order can cancel it until then.")


def test_cancel_order_echoes_only_the_argument() -> None:
    structured, summary = shape("cancel_order", {"status": OK}, {"order": {"id": 48210457}})
    assert structured == {"status": OK, "order_id": "48210457"}
    assert summary == "Order 48210457 cancelled."


def test_a_non_200_status_is_summarised_by_code() -> None:
    err = {"status": {"code": "455", "message": "Sipariş bulunamadı"}}
    structured, summary = shape("cancel_order", err, {"order": {"id": "1"}})
    assert structured["status"] == {"code": 455, "message": "Sipariş bulunamadı"}
    assert summary == "The provider answered 455: Sipariş bulunamadı"
    no_record = {"status": {"code": 422, "message": "İstek içerisindeki değerler doğrulanamadı."}}
    structured, _ = shape("iys_check", no_record)
    assert "found" not in structured


# --------------------------------------------------------------------------- get_report

REPORT = {
    "status": OK,
    "order": {
        "id": "48210457",
        "status": 114,
        "total": 2,
        "delivered": 1,
        "undelivered": 1,
        "waiting": 0,
        "submitAt": "2026-05-12 11:04:51",
        "sendAt": "2026-05-12 11:04:52",
        "sender": "ORNEKMAGAZA",
        "price": 1,
        "message": [{"number": "+905301112233", "status": 111}, {"number": "+905321112233", "status": 112}],
    },
}


def test_get_report_reference_example() -> None:
    structured, summary = shape("get_report", REPORT, {"order": {"id": "48210457", "page": "1", "rowCount": "1000"}})
    assert structured == {
        "status": OK,
        "order": {
            "id": "48210457",
            "status": 114,
            "status_text": "finished",
            "total": 2,
            "delivered": 1,
            "undelivered": 1,
            "waiting": 0,
            "submitAt": "2026-05-12 11:04:51",
            "sendAt": "2026-05-12 11:04:52",
            "sender": "ORNEKMAGAZA",
            "price": 1,
            "message": [
                {"number": "+905301112233", "status": 111, "status_text": "delivered"},
                {"number": "+905321112233", "status": 112, "status_text": "not delivered"},
            ],
        },
        "page": {"page": 1, "rowCount": 1000, "pages": 1, "received": 2, "returned": 2, "truncated": False},
    }
    assert summary == "Order 48210457: finished — 1 delivered, 1 not delivered, 0 waiting (2 total)."


def test_get_report_legacy_types_are_coerced() -> None:
    legacy = {
        "status": {"code": "200", "message": "İşlem başarılı"},
        "order": {
            "id": 48210457,
            "status": "113",
            "total": "3",
            "delivered": "1",
            "undelivered": "0",
            "waiting": "2",
            "price": "1.5",
            "message": [{"number": 5301112233, "status": "111"}, {"number": "905321112233", "status": 110}],
        },
    }
    structured, summary = shape("get_report", legacy)
    order = structured["order"]
    assert (order["id"], order["status"], order["status_text"], order["price"]) == ("48210457", 113, "sending", 1.5)
    assert (order["total"], order["waiting"]) == (3, 2)
    assert order["message"] == [
        {"number": "+905301112233", "status": 111, "status_text": "delivered"},
        {"number": "+905321112233", "status": 110, "status_text": "queued"},
    ]
    assert summary == "Order 48210457: sending — 1 delivered, 0 not delivered, 2 waiting (3 total)."


def test_get_report_legacy_shape_without_counters() -> None:
    old = {"status": OK, "order": {"id": "7", "status": 115, "message": [{"number": "+905301112233", "status": 112}]}}
    structured, summary = shape("get_report", old)
    assert structured["page"] == {"page": 1, "rowCount": 1000, "received": 1, "returned": 1, "truncated": False}
    assert summary == (
        "Order 7: failed or cancelled — 1 message on this page (0 delivered, 1 not delivered, 0 queued)."
    )


def test_get_report_unparseable_values_are_dropped_with_a_notice() -> None:
    bad = {"status": OK, "order": {**REPORT["order"], "total": "iki", "price": "1,5 TL", "status": "bitti"}}
    structured, summary = shape("get_report", bad)
    order = structured["order"]
    assert "total" not in order and "price" not in order and "status_text" not in order
    assert "pages" not in structured["page"]
    assert structured["notice"].startswith("Dropped 3 values of an unexpected type")
    assert "order.total ('iki')" in structured["notice"]
    # The counters are incomplete, so the summary falls back to counting this page.
    assert summary == (
        "Order 48210457: status unknown — 2 messages on this page (1 delivered, 1 not delivered, 0 queued)."
    )


def test_get_report_huge_page_is_truncated_with_paging_advice() -> None:
    messages = [{"number": f"+90530{i:07d}", "status": 111 if i % 3 else 112} for i in range(1000)]
    counters = {"total": 2500, "delivered": 1666, "undelivered": 834}
    big = {"status": OK, "order": {**REPORT["order"], **counters, "message": messages}}
    structured, summary = shape("get_report", big, {"order": {"id": "48210457", "page": 2, "rowCount": 1000}})
    assert len(structured["order"]["message"]) == 100
    assert structured["order"]["message"][1] == {"number": "+905300000001", "status": 111, "status_text": "delivered"}
    assert structured["page"] == {
        "page": 2, "rowCount": 1000, "pages": 3, "received": 1000, "returned": 100, "truncated": True,
    }  # fmt: skip
    assert structured["notice"] == (
        "Showing the first 100 of 1,000 messages on this page. To see more, call again with order.rowCount=100 and "
        "order.page=N; the rest of this page starts at order.page=12."
    )
    assert summary == (
        "Order 48210457: finished — 1,666 delivered, 834 not delivered, 0 waiting (2,500 total).\n"
        "Showing 100 of 1,000 messages on this page."
    )


def test_get_report_points_to_the_next_page() -> None:
    five = {**REPORT, "order": {**REPORT["order"], "total": 5}}
    structured, _ = shape("get_report", five, {"order": {"rowCount": 2}})
    assert structured["page"]["pages"] == 3
    assert structured["notice"] == "This is page 1 of 3; pass order.page=2 for the next one."


# --------------------------------------------------------------------------- get_reports


def test_get_reports_ids_become_strings_and_pages_are_counted() -> None:
    order = {
        "id": 48210457, "status": 114, "total": 2, "delivered": 1, "undelivered": 1, "waiting": 0,
        "submitAt": "2026-05-12 11:04:51", "sendAt": "2026-05-12 11:04:52", "sender": "ORNEKMAGAZA",
    }  # fmt: skip
    args = {"filter": {"start": "2026-05-05", "end": "2026-05-14", "page": 1}}
    structured, summary = shape("get_reports", {"status": OK, "count": 37, "orders": [order]}, args)
    assert structured == {
        "status": OK,
        "count": 37,
        "orders": [{**order, "id": "48210457", "status_text": "finished"}],
        "page": 1,
        "pages": 2,
        "received": 1,
        "returned": 1,
        "truncated": False,
        "notice": "This is page 1 of 2; pass filter.page=2 for the next one.",
    }
    assert list(structured["orders"][0])[:3] == ["id", "status", "status_text"]
    assert summary == "37 orders from 2026-05-05 to 2026-05-14 (page 1 of 2, showing 1)."


def test_get_reports_truncation_and_empty_range() -> None:
    orders = [{"id": 100 + i, "status": "114"} for i in range(30)]
    structured, summary = shape("get_reports", {"status": OK, "count": "30", "orders": orders}, {}, max_items=10)
    assert [o["id"] for o in structured["orders"]] == [str(100 + i) for i in range(10)]
    assert (structured["count"], structured["pages"], structured["truncated"]) == (30, 1, True)
    assert "narrow filter.start/filter.end" in structured["notice"]
    assert summary == "30 orders (page 1 of 1, showing 10)."
    args = {"filter": {"start": "2026-05-01", "end": "2026-05-10"}}
    _, summary = shape("get_reports", {"status": OK, "count": 0, "orders": []}, args)
    assert summary == "No orders from 2026-05-01 to 2026-05-10."


# --------------------------------------------------------------------------- get_balance / get_sender


def test_get_balance_live_and_legacy() -> None:
    structured, summary = shape("get_balance", {"status": OK, "balance": {"amount": 42.75, "sms": 268}})
    assert structured == {"status": OK, "balance": {"amount": 42.75, "sms": 268, "currency": "TRY"}}
    assert summary == "Balance: 268 SMS credits (₺42.75)"
    structured, summary = shape("get_balance", {"status": OK, "balance": {"amount": "1312.50", "sms": "1250"}})
    assert structured["balance"] == {"amount": 1312.5, "sms": 1250, "currency": "TRY"}
    assert summary == "Balance: 1,250 SMS credits (₺1,312.50)"
    _, summary = shape("get_balance", {"status": OK, "balance": {"amount": "0", "sms": "1"}})
    assert summary == "Balance: 1 SMS credit (₺0.00)"


def test_get_balance_unparseable_amount_is_dropped() -> None:
    structured, summary = shape("get_balance", {"status": OK, "balance": {"amount": "yok", "sms": 5}})
    assert structured["balance"] == {"sms": 5, "currency": "TRY"}
    assert "balance.amount ('yok')" in structured["notice"]
    assert summary == "Balance: 5 SMS credits"


@pytest.mark.parametrize(
    ("senders", "expected", "summary"),
    [
        (
            {"sender": ["APITEST", "SANDBOX", "ORNEKMAGAZA"]},
            ["APITEST", "SANDBOX", "ORNEKMAGAZA"],
            "3 approved senders: APITEST, SANDBOX, ORNEKMAGAZA",
        ),
        ({"sender": "ORNEK DESTEK"}, ["ORNEK DESTEK"], "1 approved sender: ORNEK DESTEK"),
        (
            {"sender": []},
            [],
            "No approved senders yet. APITEST works for tests (it only reaches the account's test number).",
        ),
        (["A1", 12345], ["A1", "12345"], "2 approved senders: A1, 12345"),
    ],
)
def test_get_sender_shapes(senders: Any, expected: list[str], summary: str) -> None:
    structured, text = shape("get_sender", {"status": OK, "senders": senders})
    assert structured == {"status": OK, "senders": expected, "count": len(expected)}
    assert text == summary


# --------------------------------------------------------------------------- blacklist


def test_get_blacklist_reference_example() -> None:
    response = {"status": OK, "blacklist": {"count": 2, "number": ["+905301112299", "+905441112299"]}}
    structured, summary = shape("get_blacklist", response)
    assert structured == {
        "status": OK,
        "count": 2,
        "numbers": ["+905301112299", "+905441112299"],
        "page": {"page": 1, "rowCount": 1000, "pages": 1, "received": 2, "returned": 2, "truncated": False},
    }
    assert summary == "Blacklist: 2 numbers (showing 2)."


def test_get_blacklist_legacy_and_huge() -> None:
    numbers = ["905" + f"{i:09d}" for i in range(500)]
    response = {"status": OK, "blacklist": {"count": "7906", "number": numbers}}
    args = {"blacklist": {"page": "3", "rowCount": "500"}}
    structured, summary = shape("get_blacklist", response, args, max_items=100)
    assert structured["count"] == 7906
    assert structured["numbers"][:2] == ["+905000000000", "+905000000001"] and len(structured["numbers"]) == 100
    assert structured["page"] == {
        "page": 3, "rowCount": 500, "pages": 16, "received": 500, "returned": 100, "truncated": True,
    }  # fmt: skip
    assert structured["notice"] == (
        "Showing the first 100 of 500 numbers on this page. To see more, call again with blacklist.rowCount=100 "
        "and blacklist.page=N; the rest of this page starts at blacklist.page=12."
    )
    assert summary == "Blacklist: 7,906 numbers (showing 100).\nPage 3 of 16."


def test_get_blacklist_with_a_date_filter_does_not_guess_pages() -> None:
    response = {"status": OK, "blacklist": {"count": 7906, "number": "+905301112299"}}
    args = {"blacklist": {"filter": {"start": "2026-04-01 00:00:00", "end": "2026-04-30 23:59:59"}}}
    structured, summary = shape("get_blacklist", response, args)
    assert structured["numbers"] == ["+905301112299"]
    assert "pages" not in structured["page"] and "notice" not in structured
    assert summary == "Blacklist: 7,906 numbers (showing 1)."


def test_blacklist_writes_echo_the_normalised_number() -> None:
    args = {"blacklist": {"number": "0530 111 22 99"}}
    assert shape("add_blacklist", {"status": OK}, args) == (
        {"status": OK, "number": "+905301112299"},
        "+905301112299 is on the blacklist.",
    )
    assert shape("delete_blacklist", {"status": OK}, {"blacklist": {"number": "905301112299"}})[1] == (
        "+905301112299 was removed from the blacklist."
    )


# --------------------------------------------------------------------------- İYS


def test_iys_register_counts_records_from_the_arguments() -> None:
    record = {"recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_WEB"}
    records = [{**record, "status": "ONAY"}] * 2 + [{**record, "status": "RET"}]
    args = {"consent": {"brandCode": 123456, "list": records}}
    structured, summary = shape("iys_register", {"status": OK}, args)
    assert structured == {"status": OK, "brandCode": "123456", "records": 3}
    assert summary == "İYS: 3 records accepted for brand 123456 (2 ONAY, 1 RET)."


CONSENT = {
    "brandCode": 123456,
    "recipient": "905301112233",
    "recipientType": "BIREYSEL",
    "type": "MESAJ",
    "status": "ONAY",
    "source": "HS_WEB",
    "consentDate": "2026-05-11 14:20:00",
}


def test_iys_check_found() -> None:
    structured, summary = shape("iys_check", {"status": OK, "consent": CONSENT})
    assert structured == {
        "status": OK,
        "found": True,
        "consent": {**CONSENT, "brandCode": "123456", "recipient": "+905301112233"},
    }
    assert summary == "İYS: +905301112233 MESAJ/BIREYSEL → ONAY (HS_WEB, 2026-05-11 14:20:00)"


def test_iys_check_empty_array_is_not_consent() -> None:
    args = {"consent": {"brandCode": 696422, "recipient": "5301112233", "recipientType": "TACIR", "type": "MESAJ"}}
    structured, summary = shape("iys_check", {"status": OK, "consent": []}, args)
    assert structured["found"] is False and "consent" not in structured
    assert "brand code is not on this account" in structured["notice"]
    assert summary == (
        "No İYS record found for +905301112233 (MESAJ/TACIR) under brand 696422. "
        "This is not consent; an empty answer can also mean the brand code is not on this account."
    )


def test_iys_check_email_recipient_is_left_alone() -> None:
    email = {**CONSENT, "recipient": "a@ornek.com.tr", "type": "EPOSTA"}
    structured, _ = shape("iys_check", {"status": OK, "consent": email})
    assert structured["consent"]["recipient"] == "a@ornek.com.tr"


# --------------------------------------------------------------------------- inbox / preview / generic


def test_get_inbox_string_total_and_unknown_fields() -> None:
    messages = [
        {"date": "2026-05-12 09:00:00", "sender": "05301112233", "text": "RET", "receiver": 4321, "keyword": "RET"},
        {"date": "2026-05-12 09:05:00", "sender": "+905321112233", "text": "Tesekkurler", "extra": {"x": [1, 2]}},
    ]
    structured, summary = shape("get_inbox", {"status": OK, "inbox": {"totalRows": "2", "messages": messages, "v": 1}})
    assert structured == {
        "status": OK,
        "totalRows": 2,
        "messages": [
            {
                "date": "2026-05-12 09:00:00", "sender": "+905301112233", "text": "RET", "receiver": "4321",
                "keyword": "RET",
            },
            {"date": "2026-05-12 09:05:00", "sender": "+905321112233", "text": "Tesekkurler", "extra": {"x": [1, 2]}},
        ],
        "received": 2,
        "returned": 2,
        "truncated": False,
        "inbox": {"v": 1},
    }
    assert summary == "Inbox: 2 messages (showing 2)."


def test_get_inbox_huge_list_at_the_root() -> None:
    rows = [{"sender": "4321", "text": f"m{i}"} for i in range(250)]
    structured, summary = shape("get_inbox", {"status": OK, "totalRows": "250", "message": rows})
    assert len(structured["messages"]) == 100 and structured["messages"][0] == {"sender": "4321", "text": "m0"}
    assert structured["truncated"] is True and "no documented paging" in structured["notice"]
    assert summary == "Inbox: 250 messages (showing 100)."


def test_preview_sms_takes_the_real_preview_object() -> None:
    preview = preview_sms("Siparisiniz kargoya verildi.", ["5301112233", "05321112233"]).model_dump()
    structured, _ = shape("preview_sms", preview)
    assert structured["parts"] == preview["parts"] == 1 and structured["encoding"] == "GSM-7"
    assert structured["recipients"] == preview["recipients"]  # untyped fields pass through


def test_preview_sms_runs_locally_with_its_own_summary() -> None:
    """preview_sms has no API call: its contract's local run builds the result and the summary."""
    contract = BY_NAME["preview_sms"]
    assert contract.local is not None
    ledger = UnavailableLedger("not needed here", "nowhere")  # the preview never reads it
    structured, summary = contract.local({"text": "Siparisiniz kargoya verildi.",
                                          "recipients": ["5301112233", "05321112233"]}, ledger)
    assert check(contract, structured) == []
    assert (structured["parts"], structured["encoding"], structured["credits"]) == (1, "GSM-7", 2)
    assert summary == "GSM-7, 28 characters → 1 part(s); 2 recipient(s) → 2 credit(s)."
    for text in ("Merhaba 😀", "x" * 2000):  # UCS-2, and over the 7-part cap
        structured, summary = contract.local({"text": text}, ledger)
        assert check(contract, structured) == []
        assert structured["warnings"] and summary.splitlines()[1:] == [f"Warning: {w}" for w in structured["warnings"]]
    assert contract.local({"text": "x" * 2000}, ledger)[0]["over_cap"] is True


def test_preview_objects_validate_as_the_server_builds_them() -> None:
    """dispatch.py validates preview_sms's model_dump directly, and nests previews in write results."""
    text = "Hâlâ kârlı fırsatlar sizi bekliyor, kaçırmayın! Detaylar için sitemizi ziyaret edin."
    turkish = preview_sms(text, ["5301112233"]).model_dump(mode="json")
    assert turkish["ascii_suggestion"] is not None  # a nested object the schema leaves untyped
    assert check("preview_sms", turkish) == []
    several = {"messages": [turkish, turkish], "recipient_count": 2, "credits": 2}
    assert check("send_sms", {"preview": several, "dry_run": True}) == []


def test_iys_check_records_wrapped_in_a_list() -> None:
    structured, summary = shape("iys_check", {"status": OK, "consent": [CONSENT, {**CONSENT, "status": "RET"}]})
    assert structured["found"] is True and structured["consent"]["status"] == "ONAY"
    assert structured["notice"] == "The provider returned 2 records; only the first is shown."
    assert summary.startswith("İYS: +905301112233 MESAJ/BIREYSEL → ONAY")


def test_unknown_tool_and_passthrough_rules() -> None:
    response = {
        "status": {"code": 200, "message": "İşlem başarılı", "trace": "x"},
        "plain": 1,
        "nested": {"a": [1, "b", None, {"c": True}], "bad": float("nan")},
        "odd": object(),
        "sandbox": "yes",  # collides with a common property: wrong type, dropped
    }
    original = repr(response)
    structured, summary = shape(FUTURE, response)
    assert structured == {
        "status": {"code": 200, "message": "İşlem başarılı", "trace": "x"},
        "plain": 1,
        "nested": {"a": [1, "b", None, {"c": True}]},
        "notice": "Dropped 1 value of an unexpected type from the provider's answer: sandbox ('yes').",
    }
    assert summary == "Done."
    assert repr(response) == original  # the caller's dict is not mutated


def test_whole_body_and_unknown_lists_are_capped() -> None:
    body = {"response": {"status": OK, "rows": list(range(500))}}
    structured, _ = shape(FUTURE, body, max_items=50)
    assert structured["rows"] == list(range(50))
    assert structured["notice"] == "Unrecognised lists were cut to 50 items."


def test_status_text_labels() -> None:
    assert [status_text(c) for c in range(110, 116)] == [
        "queued", "delivered", "not delivered", "sending", "finished", "failed or cancelled",
    ]  # fmt: skip
    assert status_text(117) == "unknown (117)"


@pytest.mark.parametrize("contract", [*ALL, FUTURE], ids=lambda c: c.name)
@pytest.mark.parametrize(
    "response",
    [
        {},
        {"status": OK},
        {"status": OK, "order": "x", "balance": 3, "senders": {"sender": {"a": 1}}, "blacklist": [], "consent": "?"},
        {"status": OK, "order": {"message": {"number": 1, "status": "x"}}, "orders": [{"id": None}, 5], "count": 1.5},
        {"status": "200", "totalRows": "n/a", "messages": [1, "x"], "found": "yes", "page": math.inf},
    ],
)
def test_garbage_never_breaks_the_schema(contract: ToolContract, response: dict[str, Any]) -> None:
    shape(contract, response, {"order": {"id": [1]}, "blacklist": {"number": {"n": 1}}, "consent": "x"})


# --------------------------------------------------------------------------- every contract, and derived ones


@pytest.mark.parametrize("contract", ALL, ids=lambda c: c.name)
def test_every_contract_schema_takes_its_shaped_empty_success(contract: ToolContract) -> None:
    response = {"status": {"code": 200}}
    structured, summary = shape_result(contract, response)
    assert validate_structured(contract.output_validator, structured) == []
    assert structured["status"]["code"] == 200
    assert isinstance(summary, str) and summary.strip()
    assert response == {"status": {"code": 200}}  # the caller's dict is not mutated


def test_the_validator_is_compiled_once_from_the_contract_schema() -> None:
    contract = BY_NAME["get_report"]
    assert contract.output_validator is contract.output_validator
    assert contract.output_validator.schema == contract.output_schema == output_schema_with(contract.output, "read")


def test_reports_page_size_lives_with_get_reports() -> None:
    assert REPORTS_PAGE_SIZE == 30
    described = BY_NAME["get_reports"].output_schema["properties"]["pages"]["description"]
    assert f"{REPORTS_PAGE_SIZE} orders per page" in described
    structured, _ = shape("get_reports", {"status": OK, "count": REPORTS_PAGE_SIZE + 1, "orders": []})
    assert structured["pages"] == 2


SEND_BULK = dataclasses.replace(BY_NAME["send_sms"], name="send_bulk")


@pytest.mark.parametrize(
    ("response", "args"),
    [
        ({"status": OK, "order": {"id": 48210457}}, None),
        ({"status": OK}, None),
        ({"status": OK, "order": {"id": "1"}}, {"order": {"sendDateTime": "15/06/2026 10:30"}}),
        ({"status": {"code": "451", "message": "Tekrar eden sipariş"}}, None),
        ({"status": OK, "order": "77", "extra": [1, 2], "sandbox": "yes"}, None),
    ],
)
def test_a_contract_derived_from_send_sms_shapes_like_send_sms(response: dict[str, Any], args: Any) -> None:
    assert SEND_BULK.name == "send_bulk" and SEND_BULK.path == BY_NAME["send_sms"].path
    assert SEND_BULK.output_schema == BY_NAME["send_sms"].output_schema
    assert shape(SEND_BULK, response, args) == shape("send_sms", response, args)

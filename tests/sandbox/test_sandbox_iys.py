"""İYS consent records on the fake: register (atomic batches, registry rules) and check."""

from __future__ import annotations

import time

import pytest
from sandbox_fixtures import post

from iletimerkezi_mcp.sandbox import SANDBOX_BRAND_CODE, SandboxServer
from iletimerkezi_mcp.sandbox.sms_rules import stamp

OK = {"code": 200, "message": "İşlem başarılı"}
INVALID = {"status": {"code": 422, "message": "İstek içerisindeki değerler doğrulanamadı."}}
PHONE = "+905301112233"


def record(**changes) -> dict:
    base = {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
            "source": "HS_WEB", "consentDate": stamp(time.time() - 3600)}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def register(server: SandboxServer, *records: dict, brand: object = SANDBOX_BRAND_CODE) -> dict:
    consent = {"brandCode": brand, "list": list(records)}
    return post(server, "consent/create", consent=consent).json()["response"]


def check(server: SandboxServer, brand: object = SANDBOX_BRAND_CODE, **changes) -> dict:
    consent = {"brandCode": brand, "recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ"}
    consent.update(changes)
    return post(server, "consent/show", consent=consent).json()["response"]


def test_register_then_check(sandbox: SandboxServer) -> None:
    sent = record(recipient="05301112233")  # once: its consentDate is "now", which moves between calls
    assert register(sandbox, sent) == {"status": OK}
    found = check(sandbox)
    assert found["status"] == OK
    assert found["consent"] == {
        "brandCode": 123456, "recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ",
        "status": "ONAY", "source": "HS_WEB", "consentDate": sent["consentDate"]}
    assert check(sandbox, brand="123456", recipient="5301112233")["consent"]["status"] == "ONAY"


def test_check_without_record(sandbox: SandboxServer) -> None:
    assert check(sandbox) == INVALID  # BIREYSEL, no record: 422 with status only
    assert check(sandbox, recipientType="TACIR") == {"status": OK, "consent": []}
    register(sandbox, record())
    assert check(sandbox, brand=999999) == {"status": OK, "consent": []}  # foreign brand code
    assert check(sandbox, type="ARAMA") == INVALID


def test_ret_overrides_onay_and_history_rules(sandbox: SandboxServer) -> None:
    older = stamp(time.time() - 7200)
    assert register(sandbox, record(status="RET")) == INVALID  # RET cannot come first
    assert register(sandbox, record(consentDate=older)) == {"status": OK}
    assert register(sandbox, record(consentDate=older, source="HS_MESAJ")) == INVALID  # duplicate ONAY
    assert register(sandbox, record(status="RET", consentDate=stamp(time.time() - 9000))) == INVALID  # older
    assert register(sandbox, record(status="RET")) == {"status": OK}
    assert check(sandbox)["consent"]["status"] == "RET"
    assert register(sandbox, record(status="RET", consentDate=stamp(time.time() - 60))) == INVALID  # dup RET


def test_batch_is_atomic(sandbox: SandboxServer) -> None:
    good = record(recipient="+905301112244")
    bad = record(recipient="+905301112255", source="WEB")
    assert register(sandbox, good, bad) == INVALID
    assert check(sandbox, recipient="+905301112244") == INVALID  # nothing was stored
    # Rules apply within the batch too: ONAY then RET for the same key is fine, RET then ONAY is not.
    first = record(recipient="+905301112266", consentDate=stamp(time.time() - 7200))
    assert register(sandbox, first, record(recipient="+905301112266", status="RET")) == {"status": OK}
    assert register(sandbox, record(recipient="+905301112277", status="RET"),
                    record(recipient="+905301112277")) == INVALID


@pytest.mark.parametrize(
    "changes",
    [
        {"recipientType": "KURUMSAL"}, {"type": "SMS"}, {"status": "EVET"}, {"recipient": "+4915112345678"},
        {"source": None}, {"source": "WEB"}, {"consentDate": None}, {"consentDate": "2026-05-11"},
        {"consentDate": "2014-12-31 23:59:59"}, {"consentDate": stamp(time.time() + 3600)},
        {"type": "EPOSTA", "recipient": "not-an-email"},
    ],
)
def test_invalid_records_are_422(sandbox: SandboxServer, changes: dict) -> None:
    assert register(sandbox, record(**changes)) == INVALID


def test_tacir_may_omit_source_and_date_and_email_works(sandbox: SandboxServer) -> None:
    assert register(sandbox, record(recipientType="TACIR", source=None, consentDate=None)) == {"status": OK}
    tacir = check(sandbox, recipientType="TACIR")["consent"]
    assert tacir["status"] == "ONAY" and "source" not in tacir
    assert register(sandbox, record(type="EPOSTA", recipient="Ali@Ornek.com.tr")) == {"status": OK}
    assert check(sandbox, type="EPOSTA", recipient="ali@ornek.com.tr")["consent"]["type"] == "EPOSTA"


def test_batch_size_and_brand(sandbox: SandboxServer) -> None:
    assert register(sandbox) == INVALID  # empty list
    many = [record(recipient=f"+9053011{i:05d}") for i in range(5001)]
    assert register(sandbox, *many) == INVALID
    assert register(sandbox, *many[:5000]) == {"status": OK}
    assert register(sandbox, record(), brand=696422) == INVALID
    assert register(sandbox, record(), brand=None) == INVALID
    assert post(sandbox, "consent/create").json()["response"]["status"]["code"] == 400
    assert post(sandbox, "consent/show").json()["response"]["status"]["code"] == 400


def test_no_subscription_is_403(sandbox: SandboxServer) -> None:
    sandbox.state.iys_subscription_active = False
    no_sub = {"status": {"code": 403, "message": "Aktif abonelik bulunamadı"}}
    assert register(sandbox, record()) == no_sub
    assert check(sandbox) == no_sub


def test_send_with_iys_drops_recipients_without_consent(sandbox_factory) -> None:
    now = [time.time()]  # a clock that stands still until the test moves it
    sandbox = sandbox_factory(delivery_delay=0.3, clock=lambda: now[0])
    register(sandbox, record())  # only +905301112233 has ONAY (BIREYSEL, MESAJ)
    order = {"sender": "SANDBOX", "iys": "1", "iysList": "BIREYSEL",
             "message": {"text": "Kampanya", "receipents": {"number": [PHONE, "+905301112244"]}}}
    order_id = post(sandbox, "send-sms", order=order).json()["response"]["order"]["id"]
    assert sandbox.state.credits == 998
    now[0] += 0.4  # past delivery_delay
    final = post(sandbox, "get-report", order={"id": order_id}).json()["response"]["order"]
    assert final["message"] == [{"number": PHONE, "status": 111}, {"number": "+905301112244", "status": 112}]
    assert sandbox.state.credits == 999  # the dropped recipient was refunded

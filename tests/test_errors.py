"""Tests for errors/: the bilingual explanations dispatch puts in isError results.

Every call passes what dispatch passes: the tool's contract decides the write risk (None for reads)
and what codes mean for that tool in particular; a tool we do not know is a generic write.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from iletimerkezi_mcp.contracts import ALL, BY_NAME, ToolContract, unknown
from iletimerkezi_mcp.errors import (
    CODES,
    ERROR_CODES_DOCS,
    GENERIC_WRITE,
    MAX_TEXT,
    CodeInfo,
    Meaning,
    WriteRisk,
    explain_api_error,
    explain_http_error,
    explain_missing_credentials,
    explain_protocol_error,
    explain_transport_error,
    table_meaning,
)

# The provider's error-code table (https://www.iletimerkezi.com/en/docs/api/error-codes), verbatim.
WIRE = {
    200: "İşlem başarılı",
    400: "İstek çözümlenemedi",
    401: "Üyelik bilgileri hatalı",
    402: "Bakiye yetersiz",
    403: "Aktif abonelik bulunamadı",
    404: "API istek yapılan yönteme sahip değil",
    422: "İstek içerisindeki değerler doğrulanamadı.",
    450: "Gönderilen başlık kullanıma uygun değil",
    451: "Tekrar eden sipariş",
    452: "Mesaj alıcıları hatalı",
    453: "Sipariş boyutu aşıldı",
    454: "Mesaj metni boş",
    455: "Sipariş bulunamadı",
    456: "Sipariş gönderim tarihi henüz gelmedi",
    457: "Mesaj gönderim tarihinin formatı hatalı",
    458: "Tarih aralığı hatalı",
    459: "Başlık kısmı boş olamaz",
    460: "Başlık 11 karakterden fazla olmamalı ve Türkçe karakter içermemelidir.",
    461: "Grup adını boş bırakamazsınız.",
    462: "Grup id alanını boş bırakamazsınız.",
    463: "Böyle bir grup bulunamadı.",
    464: "Page değeri 1 den başlamalı.",
    465: "Kişi bulunamadı.",
    466: "Hatalı numara.",
    467: "Evrak bilgisi eksik.",
    468: "IYS üzerinden sorgulama yapılıp, yapılmayacağını ayarlamalısınız.",
    469: "IYS listenizi seçmelisiniz, BIREYSEL veya TACIR.",
    470: "IYS kodunuzu ayarlamalısınız.",
    471: "Arama terimi en az 3 karakter olmalıdır",
    472: "Ad, soyad, cep telefonu, email alanlarından en az biri dolu olmalıdır.",
    473: "Özel alan bulunamadı.",
    474: "Bu numara üzerindeki engelleme kaldırılamaz",
    503: "Sunucu geçici olarak servis dışı",
}
TOOLS = ["send_sms", "cancel_order", "get_report", "get_reports", "get_balance", "get_sender", "get_blacklist",
         "add_blacklist", "delete_blacklist", "iys_register", "iys_check", "get_inbox"]
WRITE_CHECKS = {"send_sms": "get_reports", "iys_register": "iys_check", "cancel_order": "get_report",
                "add_blacklist": "get_blacklist", "delete_blacklist": "get_blacklist"}
FUTURE = unknown("new_tool", "/v1/new/json")


def contract_of(tool: str | ToolContract) -> ToolContract:
    return tool if isinstance(tool, ToolContract) else BY_NAME[tool]


# The explainers, called exactly as dispatch calls them: with the contract's risk and meanings.
def api(code: int, tool: str | ToolContract, message: str | None, http_status: int | None) -> str:
    c = contract_of(tool)
    return explain_api_error(code, c.name, message, http_status, risk=c.risk, meanings=c.meanings)


def http(status: int, tool: str | ToolContract, excerpt: str) -> str:
    c = contract_of(tool)
    return explain_http_error(status, c.name, excerpt, risk=c.risk)


def protocol(tool: str | ToolContract, detail: str) -> str:
    c = contract_of(tool)
    return explain_protocol_error(c.name, detail, risk=c.risk)


def transport(tool: str | ToolContract, kind: Any, detail: str, attempts: int = 1) -> str:
    c = contract_of(tool)
    return explain_transport_error(c.name, kind, detail, risk=c.risk, attempts=attempts)


def _split(text: str) -> tuple[str, str]:
    en, sep, tr = text.partition("Türkçe:")
    assert sep, "every text carries a Turkish block"
    return en, tr


def test_every_code_present_with_exact_wire_message() -> None:
    assert set(CODES) == set(WIRE)
    for code, wire in WIRE.items():
        info = CODES[code]
        assert isinstance(info, CodeInfo) and info.code == code
        assert info.wire_message_tr == wire
        assert all([info.meaning_en, info.meaning_tr, info.action_en, info.action_tr])


def test_writes_are_exactly_the_contracts_with_a_risk() -> None:
    assert {c.name for c in ALL if c.risk is not None} == set(WRITE_CHECKS)
    assert all(c.read_only == (c.risk is None) for c in ALL)
    for tool, check in WRITE_CHECKS.items():
        risk = BY_NAME[tool].risk
        assert isinstance(risk, WriteRisk) and "MAY HAVE" in risk.effect_en and "OLABİLİR" in risk.effect_tr
        assert check in risk.check_en and check in risk.check_tr
    assert FUTURE.risk is GENERIC_WRITE


def test_table_meaning_is_the_tables_own_words() -> None:
    for code, info in CODES.items():
        assert table_meaning(code) == Meaning(info.meaning_en, info.action_en, info.meaning_tr, info.action_tr)


def test_first_line_and_layout() -> None:
    text = api(450, "send_sms", "Gönderilen başlık kullanıma uygun değil", 400)
    lines = text.splitlines()
    assert lines[0] == f"send_sms failed: iletiMerkezi code 450 — {CODES[450].meaning_en}"
    assert '"Gönderilen başlık kullanıma uygun değil"' in lines[1] and "HTTP 400" in lines[1]
    assert lines[2].startswith("What to do: ") and "get_sender" in lines[2]
    assert lines[3].startswith("Türkçe: send_sms başarısız: iletiMerkezi kodu 450")
    assert lines[4].startswith("Ne yapmalı: ")


def test_missing_provider_message_falls_back_to_known_text() -> None:
    assert '"Bakiye yetersiz"' in api(402, "send_sms", None, None)


@pytest.mark.parametrize("tool", ["get_balance", "send_sms", "iys_check"])
def test_401_three_checks_in_order_in_both_languages(tool: str) -> None:
    text = api(401, tool, "Üyelik bilgileri hatalı", 401)
    en, tr = _split(text)
    toggle, key, ip = (en.index('"API kullanımına izin ver" (Allow API access)'), en.index("ILETIMERKEZI_API_KEY"),
                       en.index("fixed IP"))
    assert toggle < key < ip
    assert "Settings → Security → Access Permissions" in en and "no spaces" in en
    assert "https://www.iletimerkezi.com/en/docs/api/authentication" in en
    assert "never retried automatically" in en
    t_toggle, t_key = tr.index("API kullanımına izin ver"), tr.index("ILETIMERKEZI_API_HASH")
    t_ip = tr.index("sabit IP")
    assert t_toggle < t_key < t_ip
    assert "Erişim İzinleri" in tr and "boşluk" in tr


def test_451_on_send_sms_points_to_reports_and_text_change() -> None:
    en, tr = _split(api(451, "send_sms", "Tekrar eden sipariş", 400))
    assert "most likely went out" in en and "get_reports" in en and "change the text" in en
    assert "get_reports" in tr and "metni değiştirin" in tr


def test_455_differs_between_cancel_order_and_get_report() -> None:
    cancel = api(455, "cancel_order", "Sipariş bulunamadı", 455)
    report = api(455, "get_report", "Sipariş bulunamadı", 455)
    assert "cannot be cancelled" in cancel and "already being dispatched" in cancel and "finished" in cancel
    assert "No such order" in report and "few seconds" in report and "birkaç saniye" in report
    assert "cannot be cancelled" not in report


def test_456_says_wait_for_send_time() -> None:
    text = api(456, "get_report", None, None)
    assert "send time" in text and "after the scheduled time" in text


def test_422_differs_between_iys_check_and_iys_register() -> None:
    check = api(422, "iys_check", None, 422)
    register = api(422, "iys_register", None, 422)
    assert "No İYS record" in check and "not bad data" in check and "İYS kaydı yok" in check
    assert "whole batch was refused" in register and "nothing was stored" in register
    assert "hiçbir kayıt saklanmadı" in register
    generic = api(422, "get_reports", None, 422)
    assert "No İYS record" not in generic and "batch" not in generic


def test_474_on_delete_blacklist_means_not_blocked() -> None:
    en, tr = _split(api(474, "delete_blacklist", WIRE[474], 474))
    assert "not on the blacklist" in en and "already not blocked" in en
    assert "kara listede değildi" in tr


def test_403_is_subscription_on_iys_and_access_elsewhere() -> None:
    for tool in ("iys_register", "iys_check"):
        text = api(403, tool, WIRE[403], 403)
        assert "İYS subscription" in text and "Allow API access" not in text
    for tool in ("get_balance", "send_sms", FUTURE):
        other = api(403, tool, "Forbidden", 403)
        assert "subscription" not in other.split("Türkçe:")[0] and "Access denied" in other
        assert "Allow API access" in other and "fixed IP" in other and "sabit IP" in other
    bare = explain_api_error(403, "get_balance", None, 403, risk=None)  # no meanings at all
    assert "Access denied" in bare and "İYS" not in bare


def test_a_meaning_with_empty_fields_keeps_the_tables_words() -> None:
    meanings = {452: Meaning("Only this tool's meaning.", "", "", "")}
    text = explain_api_error(452, "send_sms", None, 452, risk=BY_NAME["send_sms"].risk, meanings=meanings)
    assert "code 452 — Only this tool's meaning." in text
    assert CODES[452].action_en in text and CODES[452].meaning_tr in text and CODES[452].action_tr in text


def test_unknown_code_is_generic_and_points_to_docs() -> None:
    text = api(499, "get_balance", "Yeni bir hata", 400)
    assert "code 499" in text and '"Yeni bir hata"' in text
    assert "may be new" in text and "yeni olabilir" in text
    assert ERROR_CODES_DOCS in text
    # an unknown code on a write also says how to reconcile
    assert "get_reports" in api(499, "send_sms", None, None)


def test_503_on_send_sms_does_not_invite_a_blind_retry() -> None:
    text = api(503, "send_sms", WIRE[503], 503)
    assert "MAY HAVE BEEN SENT" in text and "get_reports" in text and "Try again" not in text
    assert "Try again" in api(503, "get_balance", WIRE[503], 503)


def test_code_200_with_error_http_status_is_an_anomaly() -> None:
    text = api(200, "get_balance", WIRE[200], 502)
    assert "HTTP status was 502" in text and "error" in text


@pytest.mark.parametrize("tool,check", list(WRITE_CHECKS.items()))
@pytest.mark.parametrize("kind", ["timeout", "connect", "network"])
def test_transport_error_on_writes_says_may_have_happened(tool: str, check: str, kind: str) -> None:
    text = transport(tool, kind, "ReadTimeout('timed out')")
    assert "MAY HAVE BEEN" in text and check in text and "OLABİLİR" in text
    assert "not retried automatically" in text


def test_transport_error_send_sms_exact_guidance() -> None:
    text = transport("send_sms", "timeout", "read timed out")
    assert "The message MAY HAVE BEEN SENT." in text
    assert "no idempotency key" in text and "get_reports for today" in text and "451" in text
    cancel = transport("cancel_order", "timeout", "x")
    assert "115" in cancel and "455" in cancel


def test_transport_error_on_reads_reports_attempts() -> None:
    text = transport("get_balance", "connect", "connection refused", attempts=3)
    assert "tried 3 times" in text and "3 kez" in text and "MAY HAVE" not in text


def test_the_contract_decides_write_or_read_not_the_tool_name() -> None:
    """The old `is_write` flag is gone: the risk passed in (from the contract) is the only source."""
    send_risk = BY_NAME["send_sms"].risk
    assert "MAY HAVE BEEN SENT" in explain_transport_error("anything", "network", "reset", risk=send_risk)
    as_read = explain_transport_error("send_sms", "network", "reset", risk=None)
    assert "MAY HAVE" not in as_read and "Nothing was changed (read-only)" in as_read


@pytest.mark.parametrize("kind", ["timeout", "connect", "network"])
def test_an_unknown_tool_is_explained_as_a_write(kind: str) -> None:
    unclear = (transport(FUTURE, kind, "x"), http(502, FUTURE, ""), protocol(FUTURE, "no status"),
               api(503, FUTURE, None, 503), api(200, FUTURE, None, 502))
    for text in unclear:  # the outcome is unknown: it may have taken effect
        en, tr = _split(text)
        assert "MAY HAVE TAKEN EFFECT" in en and "read-only tool" in en
        assert "ETKİLİ OLMUŞ OLABİLİR" in tr and "Nothing was changed" not in en
    for text in (http(418, FUTURE, ""), api(499, FUTURE, None, None)):  # probably refused, but say how to check
        en, tr = _split(text)
        assert "The outcome is not certain" in en and "read-only tool" in en and "salt okunur" in tr
    assert "most likely not accepted" in http(429, FUTURE, "")
    read = unknown("get_something_new", "/v1/get-something-new/json")
    assert read.risk is GENERIC_WRITE  # a name that sounds like a read is still a write to us
    assert "MAY HAVE TAKEN EFFECT" in transport(read, kind, "x")


def test_http_error_5xx_unknown_outcome_for_writes_and_bounded_excerpt() -> None:
    html = "<html>\n<head><title>502 Bad Gateway</title>\x00\x1b[31m\u202e</head>" + "x" * 1000
    text = http(502, "send_sms", html)
    assert "HTTP 502" in text and "MAY HAVE BEEN SENT" in text and "get_reports" in text
    excerpt = text.split('Response began: "', 1)[1].split('"\n', 1)[0]
    assert len(excerpt) <= 200 and "502 Bad Gateway" in excerpt
    assert not any(c in excerpt for c in "\x00\x1b\u202e\n")
    for tool, check in WRITE_CHECKS.items():
        assert check in http(503, tool, "")
    read = http(502, "get_balance", "")
    assert "Nothing was changed" in read and "empty" in read


def test_http_error_other_statuses() -> None:
    assert "fixed IP" in http(401, "get_balance", "Unauthorized")
    assert "Retry-After" in http(429, "get_reports", "")
    assert "manifest" in http(404, "get_balance", "Not Found")
    assert "NOT a success" in http(200, "get_balance", "<html>")


def test_protocol_error_is_not_success() -> None:
    text = protocol("send_sms", "HTTP 200, body was HTML")
    assert "NOT a success" in text and "DEĞİLDİR" in text and "MAY HAVE BEEN SENT" in text
    assert "get_reports" in text
    read = protocol("get_balance", "no status")
    assert "NOT a success" in read and "MAY HAVE" not in read


def test_key_like_values_are_redacted_from_untrusted_text() -> None:
    secret = "0123456789abcdef0123456789abcdef"
    body = '{"request":{"authentication":{"key":"k1","hash":"' + secret + '"}}}'
    for text in (http(500, "get_balance", body), protocol("get_balance", secret),
                 api(999, "get_balance", secret, None),
                 transport("get_balance", "network", secret)):
        assert secret not in text and '"k1"' not in text


def test_missing_credentials_names_both_vars_and_sandbox() -> None:
    text = explain_missing_credentials(["ILETIMERKEZI_API_HASH"])
    en, tr = _split(text)
    for part in (en, tr):
        assert "ILETIMERKEZI_API_KEY" in part and "ILETIMERKEZI_API_HASH" in part
        assert "--sandbox" in part and '"env"' in part
    assert "Settings → Security → API Access" in en and "API Erişimi" in tr
    assert "no cost" in en and "ücretsiz" in tr
    without = explain_missing_credentials([], sandbox_hint=False)
    assert "--sandbox" not in without and "ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH" in without


def test_every_text_is_bounded_and_bilingual() -> None:
    texts = [api(code, tool, "m" * 5000, 500) for code in [*CODES, 999] for tool in TOOLS]
    texts += [http(s, tool, "y" * 5000) for s in (400, 401, 403, 404, 429, 500, 502, 503, 302)
              for tool in TOOLS]
    texts += [transport(tool, k, "z" * 5000, attempts=4)
              for k in ("timeout", "connect", "network") for tool in TOOLS]
    texts += [protocol(tool, "d" * 5000) for tool in TOOLS]
    texts += [explain_missing_credentials(["ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"]),
              api(401, unknown("x" * 500, "/v1/x/json"), None, None)]
    texts += [api(code, FUTURE, "m" * 5000, 500) for code in (*CODES, 999)]
    texts += [transport(FUTURE, "timeout", "z" * 5000), protocol(FUTURE, "d" * 5000), http(502, FUTURE, "y" * 5000)]
    for text in texts:
        assert len(text) <= MAX_TEXT <= 2000
        assert "Türkçe:" in text and ("What to do:" in text or "--sandbox" in text)
        assert "m" * 201 not in text and "y" * 201 not in text and "z" * 201 not in text


# --------------------------------------------------------------------------- derived contracts

SEND_BULK = dataclasses.replace(BY_NAME["send_sms"], name="send_bulk")


def _as_send_sms(text: str) -> str:
    return text.replace("send_bulk", "send_sms")


@pytest.mark.parametrize("code", [*CODES, 499])
def test_a_contract_derived_from_send_sms_explains_codes_like_send_sms(code: int) -> None:
    assert SEND_BULK.risk == BY_NAME["send_sms"].risk and SEND_BULK.meanings == BY_NAME["send_sms"].meanings
    for http_status in (None, code, 502):
        bulk = api(code, SEND_BULK, None, http_status)
        assert bulk.startswith("send_bulk failed:")
        assert _as_send_sms(bulk) == api(code, "send_sms", None, http_status)


def test_a_contract_derived_from_send_sms_explains_failures_like_send_sms() -> None:
    for status in (302, 400, 401, 403, 404, 405, 429, 500, 502, 503, 200):
        bulk = http(status, SEND_BULK, "<html>")
        assert _as_send_sms(bulk) == http(status, "send_sms", "<html>")
    assert "MAY HAVE BEEN SENT" in http(502, SEND_BULK, "")
    for kind in ("timeout", "connect", "network"):
        for attempts in (1, 3):
            bulk = transport(SEND_BULK, kind, "reset", attempts)
            assert _as_send_sms(bulk) == transport("send_sms", kind, "reset", attempts)
            assert "get_reports for today" in bulk and "451" in bulk
    assert _as_send_sms(protocol(SEND_BULK, "no status")) == protocol("send_sms", "no status")
    assert "MAY HAVE BEEN SENT" in protocol(SEND_BULK, "no status")


def test_derived_contracts_keep_their_meanings() -> None:
    """A derived İYS or cancel contract keeps what codes mean for it (403, 422, 455, 474)."""
    cases = [("iys_check", 403, "İYS subscription"), ("iys_register", 422, "whole batch was refused"),
             ("cancel_order", 455, "cannot be cancelled"), ("delete_blacklist", 474, "not on the blacklist")]
    for tool, code, phrase in cases:
        derived = dataclasses.replace(BY_NAME[tool], name=f"{tool}_v2")
        text = api(code, derived, WIRE[code], code)
        assert phrase in text and text.replace(f"{tool}_v2", tool) == api(code, tool, WIRE[code], code)

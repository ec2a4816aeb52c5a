"""Tests for errors.py: the bilingual explanations the executor puts in isError results."""

from __future__ import annotations

import pytest

from iletimerkezi_mcp.errors import (
    CODES,
    ERROR_CODES_DOCS,
    MAX_TEXT,
    CodeInfo,
    describe_report_status,
    explain_api_error,
    explain_http_error,
    explain_missing_credentials,
    explain_protocol_error,
    explain_transport_error,
)

# §3.1 of the API reference, verbatim.
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


def test_retry_flags_follow_the_policy() -> None:
    assert {c for c, i in CODES.items() if i.retry_read} == {456, 503}


def test_first_line_and_layout() -> None:
    text = explain_api_error(450, "send_sms", "Gönderilen başlık kullanıma uygun değil", 400)
    lines = text.splitlines()
    assert lines[0] == f"send_sms failed: iletiMerkezi code 450 — {CODES[450].meaning_en}"
    assert '"Gönderilen başlık kullanıma uygun değil"' in lines[1] and "HTTP 400" in lines[1]
    assert lines[2].startswith("What to do: ") and "get_sender" in lines[2]
    assert lines[3].startswith("Türkçe: send_sms başarısız: iletiMerkezi kodu 450")
    assert lines[4].startswith("Ne yapmalı: ")


def test_missing_provider_message_falls_back_to_known_text() -> None:
    assert '"Bakiye yetersiz"' in explain_api_error(402, "send_sms", None, None)


@pytest.mark.parametrize("tool", ["get_balance", "send_sms", "iys_check"])
def test_401_three_checks_in_order_in_both_languages(tool: str) -> None:
    text = explain_api_error(401, tool, "Üyelik bilgileri hatalı", 401)
    en, tr = _split(text)
    toggle, key, ip = (en.index('"API kullanımına izin ver" (Allow API access)'), en.index("ILETIMERKEZI_API_KEY"),
                       en.index("fixed IP"))
    assert toggle < key < ip
    assert "Settings → Security → Access Permissions" in en and "no spaces" in en
    assert "https://www.iletimerkezi.com/en/docs/api/authentication" in en
    assert "never retried automatically" in en
    t_toggle, t_key, t_ip = tr.index("API kullanımına izin ver"), tr.index("ILETIMERKEZI_API_HASH"), tr.index("sabit IP")
    assert t_toggle < t_key < t_ip
    assert "Erişim İzinleri" in tr and "boşluk" in tr


def test_451_on_send_sms_points_to_reports_and_text_change() -> None:
    en, tr = _split(explain_api_error(451, "send_sms", "Tekrar eden sipariş", 400))
    assert "most likely went out" in en and "get_reports" in en and "change the text" in en
    assert "get_reports" in tr and "metni değiştirin" in tr


def test_455_differs_between_cancel_order_and_get_report() -> None:
    cancel = explain_api_error(455, "cancel_order", "Sipariş bulunamadı", 455)
    report = explain_api_error(455, "get_report", "Sipariş bulunamadı", 455)
    assert "cannot be cancelled" in cancel and "already being dispatched" in cancel and "finished" in cancel
    assert "No such order" in report and "few seconds" in report and "birkaç saniye" in report
    assert "cannot be cancelled" not in report


def test_456_says_wait_for_send_time() -> None:
    text = explain_api_error(456, "get_report", None, None)
    assert "send time" in text and "after the scheduled time" in text


def test_422_differs_between_iys_check_and_iys_register() -> None:
    check = explain_api_error(422, "iys_check", None, 422)
    register = explain_api_error(422, "iys_register", None, 422)
    assert "No İYS record" in check and "not bad data" in check and "İYS kaydı yok" in check
    assert "whole batch was refused" in register and "nothing was stored" in register
    assert "hiçbir kayıt saklanmadı" in register
    generic = explain_api_error(422, "get_reports", None, 422)
    assert "No İYS record" not in generic and "batch" not in generic


def test_474_on_delete_blacklist_means_not_blocked() -> None:
    en, tr = _split(explain_api_error(474, "delete_blacklist", WIRE[474], 474))
    assert "not on the blacklist" in en and "already not blocked" in en
    assert "kara listede değildi" in tr


def test_403_is_subscription_on_iys_and_access_elsewhere() -> None:
    for tool in ("iys_register", "iys_check"):
        text = explain_api_error(403, tool, WIRE[403], 403)
        assert "İYS subscription" in text and "Allow API access" not in text
    other = explain_api_error(403, "get_balance", "Forbidden", 403)
    assert "subscription" not in other.split("Türkçe:")[0]
    assert "Allow API access" in other and "fixed IP" in other and "sabit IP" in other


def test_unknown_code_is_generic_and_points_to_docs() -> None:
    text = explain_api_error(499, "get_balance", "Yeni bir hata", 400)
    assert "code 499" in text and '"Yeni bir hata"' in text
    assert "may be new" in text and "yeni olabilir" in text
    assert ERROR_CODES_DOCS in text
    # an unknown code on a write also says how to reconcile
    assert "get_reports" in explain_api_error(499, "send_sms", None, None)


def test_503_on_send_sms_does_not_invite_a_blind_retry() -> None:
    text = explain_api_error(503, "send_sms", WIRE[503], 503)
    assert "MAY HAVE BEEN SENT" in text and "get_reports" in text and "Try again" not in text
    assert "Try again" in explain_api_error(503, "get_balance", WIRE[503], 503)


def test_code_200_with_error_http_status_is_an_anomaly() -> None:
    text = explain_api_error(200, "get_balance", WIRE[200], 502)
    assert "HTTP status was 502" in text and "error" in text


@pytest.mark.parametrize("tool,check", list(WRITE_CHECKS.items()))
@pytest.mark.parametrize("kind", ["timeout", "connect", "network"])
def test_transport_error_on_writes_says_may_have_happened(tool: str, check: str, kind: str) -> None:
    text = explain_transport_error(tool, kind, "ReadTimeout('timed out')", is_write=True)
    assert "MAY HAVE BEEN" in text and check in text and "OLABİLİR" in text
    assert "not retried automatically" in text


def test_transport_error_send_sms_exact_guidance() -> None:
    text = explain_transport_error("send_sms", "timeout", "read timed out", is_write=True)
    assert "The message MAY HAVE BEEN SENT." in text
    assert "no idempotency key" in text and "get_reports for today" in text and "451" in text
    cancel = explain_transport_error("cancel_order", "timeout", "x", is_write=True)
    assert "115" in cancel and "455" in cancel


def test_transport_error_on_reads_reports_attempts() -> None:
    text = explain_transport_error("get_balance", "connect", "connection refused", is_write=False, attempts=3)
    assert "tried 3 times" in text and "3 kez" in text and "MAY HAVE" not in text


def test_transport_error_trusts_tool_name_over_is_write_flag() -> None:
    assert "MAY HAVE BEEN SENT" in explain_transport_error("send_sms", "network", "reset", is_write=False)


def test_http_error_5xx_unknown_outcome_for_writes_and_bounded_excerpt() -> None:
    html = "<html>\n<head><title>502 Bad Gateway</title>\x00\x1b[31m\u202e</head>" + "x" * 1000
    text = explain_http_error(502, "send_sms", html)
    assert "HTTP 502" in text and "MAY HAVE BEEN SENT" in text and "get_reports" in text
    excerpt = text.split('Response began: "', 1)[1].split('"\n', 1)[0]
    assert len(excerpt) <= 200 and "502 Bad Gateway" in excerpt
    assert not any(c in excerpt for c in "\x00\x1b\u202e\n")
    for tool, check in WRITE_CHECKS.items():
        assert check in explain_http_error(503, tool, "")
    read = explain_http_error(502, "get_balance", "")
    assert "Nothing was changed" in read and "empty" in read


def test_http_error_other_statuses() -> None:
    assert "fixed IP" in explain_http_error(401, "get_balance", "Unauthorized")
    assert "Retry-After" in explain_http_error(429, "get_reports", "")
    assert "manifest" in explain_http_error(404, "get_balance", "Not Found")
    assert "NOT a success" in explain_http_error(200, "get_balance", "<html>")


def test_protocol_error_is_not_success() -> None:
    text = explain_protocol_error("send_sms", "HTTP 200, body was HTML")
    assert "NOT a success" in text and "DEĞİLDİR" in text and "MAY HAVE BEEN SENT" in text
    assert "get_reports" in text
    read = explain_protocol_error("get_balance", "no status")
    assert "NOT a success" in read and "MAY HAVE" not in read


def test_key_like_values_are_redacted_from_untrusted_text() -> None:
    secret = "0123456789abcdef0123456789abcdef"
    body = '{"request":{"authentication":{"key":"k1","hash":"' + secret + '"}}}'
    for text in (explain_http_error(500, "get_balance", body), explain_protocol_error("get_balance", secret),
                 explain_api_error(999, "get_balance", secret, None),
                 explain_transport_error("get_balance", "network", secret, is_write=False)):
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


def test_report_status_labels() -> None:
    assert describe_report_status(111) == ("delivered", "iletildi")
    en, tr = describe_report_status(114)
    assert "not necessarily all delivered" in en and "değil" in tr
    assert "cancelled" in describe_report_status(115)[0]
    assert all(describe_report_status(c)[0] and describe_report_status(c)[1] for c in range(110, 116))
    assert "999" in describe_report_status(999)[0]


def test_every_text_is_bounded_and_bilingual() -> None:
    texts = [explain_api_error(code, tool, "m" * 5000, 500) for code in [*CODES, 999] for tool in TOOLS]
    texts += [explain_http_error(s, tool, "y" * 5000) for s in (400, 401, 403, 404, 429, 500, 502, 503, 302)
              for tool in TOOLS]
    texts += [explain_transport_error(tool, k, "z" * 5000, is_write=tool in WRITE_CHECKS, attempts=4)
              for k in ("timeout", "connect", "network") for tool in TOOLS]
    texts += [explain_protocol_error(tool, "d" * 5000) for tool in TOOLS]
    texts += [explain_missing_credentials(["ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"]),
              explain_api_error(401, "x" * 500, None, None)]
    for text in texts:
        assert len(text) <= MAX_TEXT <= 2000
        assert "Türkçe:" in text and ("What to do:" in text or "--sandbox" in text)
        assert "m" * 201 not in text and "y" * 201 not in text and "z" * 201 not in text

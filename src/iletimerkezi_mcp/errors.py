"""Every iletiMerkezi outcome explained in English and Turkish, with what to do.

Pure text builders for the executor's `isError` results. They never receive credentials; untrusted
inputs (provider messages, body excerpts, exception details) are bounded and stripped of control and
format characters, and anything that looks like a key or hash is redacted on the way through.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict

AUTH_DOCS = "https://www.iletimerkezi.com/en/docs/api/authentication"
AUTH_DOCS_TR = "https://www.iletimerkezi.com/docs/api/authentication"
ERROR_CODES_DOCS = "https://www.iletimerkezi.com/en/docs/api/error-codes"
ERROR_CODES_DOCS_TR = "https://www.iletimerkezi.com/docs/api/error-codes"
MAX_TEXT = 2000  # hard cap on any text we hand to a model
EXCERPT_LIMIT = 200


class CodeInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: int
    wire_message_tr: str  # exact provider text (§3.1); branch on `code`, never on this
    meaning_en: str
    meaning_tr: str
    action_en: str
    action_tr: str
    retry_read: bool  # may a read-only tool repeat the identical request (with backoff / after a wait)?


_AUTH_EN = (
    "Check, in this order: 1) In panel.iletimerkezi.com → Settings → Security → Access Permissions, "
    '"API kullanımına izin ver" (Allow API access) must be on; this is the most common cause. '
    "2) ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH must be copied exactly from Settings → Security → "
    "API Access: no spaces or line breaks around them, and do not hash them yourself. "
    "3) If the account limits API use to fixed IP addresses, this machine's outbound IP must be on that allowlist. "
    f"Docs: {AUTH_DOCS}. This call is never retried automatically."
)
_AUTH_TR = (
    "Sırasıyla kontrol edin: 1) panel.iletimerkezi.com → Ayarlar → Güvenlik → Erişim İzinleri altında "
    '"API kullanımına izin ver" açık olmalı; en sık neden budur. '
    "2) ILETIMERKEZI_API_KEY ve ILETIMERKEZI_API_HASH, Ayarlar → Güvenlik → API Erişimi sayfasından birebir "
    "kopyalanmalı: başında/sonunda boşluk veya satır sonu olmamalı, kendiniz hash'lemeyin. "
    "3) Hesap API kullanımını sabit IP adresleriyle sınırlıyorsa bu makinenin çıkış IP'si izinli listede olmalı. "
    f"Belgeler: {AUTH_DOCS_TR}. Bu çağrı asla otomatik olarak tekrarlanmaz."
)
_NO_SEND_EN, _NO_SEND_TR = " Nothing was sent.", " Hiçbir mesaj gönderilmedi."
_CONTACTS_EN = "Not expected from this server's tools; report it."
_CONTACTS_TR = "Bu sunucunun araçlarından beklenmiyor; bildirin."

# (code, wire message, retry_read, meaning_en, action_en, meaning_tr, action_tr) — §3.1
_TABLE: list[tuple[int, str, bool, str, str, str, str]] = [
    (200, "İşlem başarılı", False, "Success.", "Nothing to do.", "İşlem başarılı.", "Bir şey yapmanız gerekmiyor."),
    (400, "İstek çözümlenemedi", False, "The API could not parse the request (bad JSON or wrong structure).",
     "This usually means a bug in this server or a changed manifest; do not repeat the same call. Report it with the tool name.",
     "API isteği çözümleyemedi (hatalı JSON veya yanlış yapı).",
     "Genellikle bu sunucudaki bir hatayı veya değişmiş bir manifest'i gösterir; aynı çağrıyı tekrarlamayın, araç adıyla bildirin."),
    (401, "Üyelik bilgileri hatalı", False, "Authentication failed.", _AUTH_EN, "Kimlik doğrulama başarısız.", _AUTH_TR),
    (402, "Bakiye yetersiz", False, "Not enough balance for this order.",
     "Top up in the panel, or reduce the recipients or message parts; check with get_balance." + _NO_SEND_EN,
     "Bu sipariş için bakiye yetersiz.",
     "Panelden bakiye yükleyin ya da alıcı veya mesaj parça sayısını azaltın; get_balance ile kontrol edin." + _NO_SEND_TR),
    (403, "Aktif abonelik bulunamadı", False, "The account has no active İYS subscription.",
     "Activate the İYS service and your brand in the panel (panel.iletimerkezi.com), then try again.",
     "Hesabın aktif İYS aboneliği yok.", "Panelden İYS hizmetini ve markanızı etkinleştirin, sonra tekrar deneyin."),
    (404, "API istek yapılan yönteme sahip değil", False, "The API has no such method (wrong URL or path).",
     "A bug or an outdated manifest, not a user error; do not retry. Update iletimerkezi-mcp or refresh the manifest, and report it.",
     "API'de böyle bir yöntem yok (yanlış URL veya yol).",
     "Kullanıcı hatası değil; yazılım hatası veya eski bir manifest. Tekrar denemeyin; iletimerkezi-mcp'yi güncelleyin veya manifest'i yenileyin ve bildirin."),
    (422, "İstek içerisindeki değerler doğrulanamadı.", False, "Some values in the request failed validation.",
     "Fix the values and try again.", "İstekteki bazı değerler doğrulanamadı.", "Değerleri düzeltip tekrar deneyin."),
    (450, "Gönderilen başlık kullanıma uygun değil", False, "The sender ID is not approved, or does not match exactly.",
     "Call get_sender and use one of its values exactly (same case and spaces)." + _NO_SEND_EN,
     "Gönderici adı (başlık) onaylı değil ya da birebir eşleşmiyor.",
     "get_sender ile onaylı başlıkları alın ve birini birebir (büyük/küçük harf ve boşluklar dahil) kullanın." + _NO_SEND_TR),
    (451, "Tekrar eden sipariş", False, "Duplicate order: the same text went to the same recipients within the last 10 minutes.",
     "If this was not intentional, the first send most likely went out: check get_reports for today before anything else. "
     "If you really mean to send it again, change the text (e.g. add the time). Do not resend it unchanged.",
     "Tekrar eden sipariş: aynı metin son 10 dakika içinde aynı alıcılara gönderildi.",
     "Bilerek yapılmadıysa ilk gönderim büyük olasılıkla gitti: önce get_reports ile bugünü kontrol edin. "
     "Gerçekten yeniden göndermek istiyorsanız metni değiştirin (ör. saati ekleyin). Aynı haliyle tekrar göndermeyin."),
    (452, "Mesaj alıcıları hatalı", False, "The recipients are missing, invalid or blacklisted.",
     "Fix or remove the numbers (Turkish mobiles such as 905XXXXXXXXX) and check get_blacklist." + _NO_SEND_EN,
     "Alıcılar eksik, geçersiz ya da kara listede.",
     "Numaraları düzeltin veya çıkarın (905XXXXXXXXX gibi Türkiye cep numaraları) ve get_blacklist ile kontrol edin." + _NO_SEND_TR),
    (453, "Sipariş boyutu aşıldı", False, "The text is longer than 7 SMS parts for its encoding.",
     "Shorten it, or replace characters that force UCS-2 (emoji, some symbols)." + _NO_SEND_EN,
     "Metin, kodlamasına göre 7 SMS parçasından uzun.",
     "Metni kısaltın ya da UCS-2'ye zorlayan karakterleri (emoji, bazı simgeler) değiştirin." + _NO_SEND_TR),
    (454, "Mesaj metni boş", False, "The message text is empty.", "Provide a non-empty text.",
     "Mesaj metni boş.", "Boş olmayan bir metin girin."),
    (455, "Sipariş bulunamadı", False, "No such order on this account, or it can no longer be cancelled.",
     "Check the order id (from send_sms or get_reports).",
     "Bu hesapta böyle bir sipariş yok ya da artık iptal edilemiyor.",
     "Sipariş numarasını (send_sms veya get_reports çıktısından) kontrol edin."),
    (456, "Sipariş gönderim tarihi henüz gelmedi", True, "The order is scheduled and its send time has not come yet.",
     "There is no report until then; ask again after the scheduled time. Until then it can still be cancelled with cancel_order.",
     "Sipariş ileri tarihli ve gönderim zamanı henüz gelmedi.",
     "O zamana kadar rapor yok; planlanan zamandan sonra tekrar sorun. O zamana kadar cancel_order ile iptal edilebilir."),
    (457, "Mesaj gönderim tarihinin formatı hatalı", False, "sendDateTime is not in the form dd/MM/yyyy HH:mm.",
     "Use e.g. 15/06/2026 09:05 (Turkey time, 24-hour, no seconds)." + _NO_SEND_EN,
     "sendDateTime, dd/MM/yyyy HH:mm biçiminde değil.",
     "Örneğin 15/06/2026 09:05 kullanın (Türkiye saati, 24 saat, saniyesiz)." + _NO_SEND_TR),
    (458, "Tarih aralığı hatalı", False, "Bad date format, or the range is longer than 10 days.",
     "Use YYYY-MM-DD (no time) and split longer periods into windows of at most 10 days.",
     "Tarih biçimi hatalı ya da aralık 10 günden uzun.",
     "YYYY-MM-DD (saatsiz) kullanın ve uzun dönemleri en fazla 10 günlük parçalara bölün."),
    (459, "Başlık kısmı boş olamaz", False, "The sender ID is empty.", "Provide a sender from get_sender.",
     "Gönderici adı (başlık) boş.", "get_sender çıktısından bir başlık girin."),
    (460, "Başlık 11 karakterden fazla olmamalı ve Türkçe karakter içermemelidir.", False,
     "The sender ID is longer than 11 characters or contains Turkish letters.",
     "Use an approved sender from get_sender, exactly.",
     "Başlık 11 karakterden uzun ya da Türkçe harf içeriyor.", "get_sender çıktısındaki onaylı bir başlığı birebir kullanın."),
    (461, "Grup adını boş bırakamazsınız.", False, "Group name is empty (contacts API).", _CONTACTS_EN,
     "Grup adı boş (rehber API'si).", _CONTACTS_TR),
    (462, "Grup id alanını boş bırakamazsınız.", False, "Group id is empty or unknown (contacts API).", _CONTACTS_EN,
     "Grup id boş ya da bilinmiyor (rehber API'si).", _CONTACTS_TR),
    (463, "Böyle bir grup bulunamadı.", False, "No such group (contacts API).", _CONTACTS_EN,
     "Böyle bir grup yok (rehber API'si).", _CONTACTS_TR),
    (464, "Page değeri 1 den başlamalı.", False, "Page numbers start at 1.", "Use page 1 or higher.",
     "Sayfa numaraları 1'den başlar.", "page değerini 1 veya daha büyük verin."),
    (465, "Kişi bulunamadı.", False, "No such contact (contacts API).", _CONTACTS_EN,
     "Kişi bulunamadı (rehber API'si).", _CONTACTS_TR),
    (466, "Hatalı numara.", False, "Invalid number: not a Turkish mobile number.",
     "Use a Turkish mobile number such as 905XXXXXXXXX, +905XXXXXXXXX or 5XXXXXXXXX.",
     "Geçersiz numara: Türkiye cep telefonu numarası değil.",
     "905XXXXXXXXX, +905XXXXXXXXX veya 5XXXXXXXXX gibi bir Türkiye cep numarası kullanın."),
    (467, "Evrak bilgisi eksik.", False, "Account or sender documents are missing.",
     "Complete the paperwork in the panel (panel.iletimerkezi.com).",
     "Hesap veya başlık evrakları eksik.", "Paneldeki evrak işlemlerini tamamlayın."),
    (468, "IYS üzerinden sorgulama yapılıp, yapılmayacağını ayarlamalısınız.", False, "The iys field is missing.",
     'Set iys to "1" for commercial content (campaigns, promotions) or "0" for transactional content (OTPs, order notices).' + _NO_SEND_EN,
     "iys alanı eksik.",
     'Ticari içerik (kampanya, tanıtım) için iys "1", bilgilendirme içeriği (tek kullanımlık şifre, sipariş bildirimi) için "0" verin.' + _NO_SEND_TR),
    (469, "IYS listenizi seçmelisiniz, BIREYSEL veya TACIR.", False, 'iys is "1" but iysList is missing.',
     "Set iysList to BIREYSEL (individuals) or TACIR (merchants)." + _NO_SEND_EN,
     'iys "1" ama iysList eksik.', "iysList değerini BIREYSEL (bireyler) veya TACIR (tacirler) yapın." + _NO_SEND_TR),
    (470, "IYS kodunuzu ayarlamalısınız.", False, "The account has no İYS code configured.",
     'Configure İYS for the account in the panel. Use iys "0" only if the content is truly transactional.' + _NO_SEND_EN,
     "Hesapta İYS kodu tanımlı değil.",
     'Panelden hesabın İYS ayarını yapın. iys "0" yalnızca içerik gerçekten bilgilendirme amaçlıysa kullanılabilir.' + _NO_SEND_TR),
    (471, "Arama terimi en az 3 karakter olmalıdır", False, "The search term is shorter than 3 characters (contacts API).",
     _CONTACTS_EN, "Arama terimi 3 karakterden kısa (rehber API'si).", _CONTACTS_TR),
    (472, "Ad, soyad, cep telefonu, email alanlarından en az biri dolu olmalıdır.", False,
     "A contact needs a name, phone or e-mail (contacts API).", _CONTACTS_EN,
     "Kişinin ad, telefon veya e-posta alanlarından biri dolu olmalı (rehber API'si).", _CONTACTS_TR),
    (473, "Özel alan bulunamadı.", False, "Custom field not found (contacts API).", _CONTACTS_EN,
     "Özel alan bulunamadı (rehber API'si).", _CONTACTS_TR),
    (474, "Bu numara üzerindeki engelleme kaldırılamaz", False, "The block on this number cannot be removed.",
     "Check the number's state with get_blacklist.", "Bu numaradaki engel kaldırılamıyor.",
     "Numaranın durumunu get_blacklist ile kontrol edin."),
    (503, "Sunucu geçici olarak servis dışı", True, "The iletiMerkezi server is temporarily unavailable.",
     "Try again in a minute or two.", "iletiMerkezi sunucusu geçici olarak hizmet dışı.", "Bir iki dakika sonra tekrar deneyin."),
]
CODES: dict[int, CodeInfo] = {
    r[0]: CodeInfo(code=r[0], wire_message_tr=r[1], retry_read=r[2], meaning_en=r[3], action_en=r[4],
                   meaning_tr=r[5], action_tr=r[6])
    for r in _TABLE
}

# (code, tool) -> (meaning_en, action_en, meaning_tr, action_tr); "" keeps the table's value.
_OVERRIDES: dict[tuple[int, str], tuple[str, str, str, str]] = {
    (455, "cancel_order"): (
        "The order cannot be cancelled: it is already being dispatched, has finished, or the id is unknown on this account.",
        "Cancellation is no longer possible. See what happened with get_report (status 115 means cancelled or failed). "
        "Only orders scheduled for the future that have not started can be cancelled.",
        "Sipariş iptal edilemiyor: gönderimi başlamış, tamamlanmış ya da bu hesapta böyle bir numara yok.",
        "Artık iptal mümkün değil. Ne olduğunu get_report ile görün (115 durumu iptal veya başarısız demektir). "
        "Yalnızca ileri tarihli ve gönderimi başlamamış siparişler iptal edilebilir."),
    (455, "get_report"): (
        "No such order on this account.",
        "Check the order id. If the order was created just now, try again in a few seconds.",
        "Bu hesapta böyle bir sipariş yok.",
        "Sipariş numarasını kontrol edin. Sipariş az önce oluşturulduysa birkaç saniye sonra tekrar deneyin."),
    (422, "iys_check"): (
        "No İYS record exists for this recipient (with this brand, recipient type and channel).",
        "This is an answer, not bad data: the recipient has no registered consent, so do not send them commercial "
        "(iys=1) messages; transactional (iys=0) messages are unaffected. If you expected a record, check brandCode, "
        "recipientType and type.",
        "Bu alıcı için (bu marka, alıcı tipi ve kanalla) İYS kaydı yok.",
        "Bu bir veri hatası değil, bir yanıttır: alıcının kayıtlı izni yok, ona ticari (iys=1) ileti göndermeyin; "
        "bilgilendirme (iys=0) iletileri etkilenmez. Kayıt bekliyorsanız brandCode, recipientType ve type değerlerini kontrol edin."),
    (422, "iys_register"): (
        "The whole batch was refused; nothing was stored (one invalid record fails every record).",
        "Fix the record(s) and resubmit the batch. Usual causes: a RET as a recipient's first record, a duplicate ONAY/RET, "
        "a consentDate not later than the existing one, in the future or before 2015-05-01. See current records with iys_check.",
        "Tüm liste reddedildi; hiçbir kayıt saklanmadı (tek hatalı kayıt tüm listeyi düşürür).",
        "Kayıtları düzeltip listeyi yeniden gönderin. Sık nedenler: alıcının ilk kaydının RET olması, tekrarlanan ONAY/RET, "
        "mevcut kayıttan yeni olmayan, gelecekteki veya 2015-05-01'den önceki consentDate. Mevcut kayıtlar için iys_check kullanın."),
    (474, "delete_blacklist"): (
        "The number was not on the blacklist, so there was nothing to remove.",
        "Nothing to do: the number is already not blocked (confirm with get_blacklist if needed). "
        "If this followed a timed-out attempt, that first attempt worked.",
        "Numara kara listede değildi; kaldırılacak bir engel yok.",
        "Yapılacak bir şey yok: numara zaten engelli değil (gerekirse get_blacklist ile doğrulayın). "
        "Bu, zaman aşımına uğrayan bir denemenin ardından geldiyse ilk deneme başarılı olmuştur."),
}

_IYS_TOOLS = frozenset({"iys_register", "iys_check"})
_READS = frozenset({"get_balance", "get_sender", "get_blacklist", "get_report", "get_reports", "iys_check", "get_inbox"})
# Write tool -> (effect en, effect tr, how to check en, how to check tr). Unknown tools are treated as writes.
_WRITES: dict[str, tuple[str, str, str, str]] = {
    "send_sms": (
        "The message MAY HAVE BEEN SENT.", "Mesaj GÖNDERİLMİŞ OLABİLİR.",
        "Check with get_reports for today before sending again; an identical resend within 10 minutes would get 451.",
        "Tekrar göndermeden önce get_reports ile bugünü kontrol edin; 10 dakika içinde aynı gönderim 451 alır."),
    "iys_register": (
        "The consent records MAY HAVE BEEN STORED.", "İzin kayıtları KAYDEDİLMİŞ OLABİLİR.",
        "Check the records with iys_check before resubmitting.",
        "Yeniden göndermeden önce kayıtları iys_check ile kontrol edin."),
    "cancel_order": (
        "The order MAY HAVE BEEN CANCELLED.", "Sipariş İPTAL EDİLMİŞ OLABİLİR.",
        "Check with get_report: status 115 or code 455 means it was cancelled.",
        "get_report ile kontrol edin: 115 durumu veya 455 kodu iptal edildiği anlamına gelir."),
    "add_blacklist": (
        "The number MAY HAVE BEEN BLACKLISTED.", "Numara kara listeye EKLENMİŞ OLABİLİR.",
        "Check with get_blacklist; adding it again is safe (an already listed number returns 200).",
        "get_blacklist ile kontrol edin; yeniden eklemek güvenlidir (listedeki numara 200 döner)."),
    "delete_blacklist": (
        "The number MAY HAVE BEEN REMOVED from the blacklist.", "Numara kara listeden ÇIKARILMIŞ OLABİLİR.",
        "Check with get_blacklist; a 474 on another try means the first one worked.",
        "get_blacklist ile kontrol edin; yeni denemede 474 gelirse ilk deneme başarılı olmuştur."),
}
_GENERIC_WRITE = ("The request MAY HAVE TAKEN EFFECT.", "İstek ETKİLİ OLMUŞ OLABİLİR.",
                  "Check the current state with a read-only tool before trying again.",
                  "Tekrar denemeden önce durumu salt okunur bir araçla kontrol edin.")

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal escape sequences from proxies or exception text
_SECRETISH = re.compile(r'("(?:key|hash)"\s*:\s*")[^"]*(")|\b[0-9a-fA-F]{16,}\b', re.IGNORECASE)


def _clean(text: object, limit: int = EXCERPT_LIMIT) -> str:
    """One line, no control/format characters (incl. bidi and zero-width), no key-like hex, at most `limit` chars."""
    s = "".join(" " if c.isspace() else c for c in _ANSI.sub("", str(text))
                if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))
    s = _SECRETISH.sub(lambda m: f"{m.group(1)}[redacted]{m.group(2)}" if m.group(1) else "[redacted]", " ".join(s.split()))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _tool(tool: str) -> str:
    return _clean(tool, 64) or "tool"


def _is_write(tool: str) -> bool:
    return tool not in _READS


def _write_info(tool: str) -> tuple[str, str, str, str]:
    return _WRITES.get(tool, _GENERIC_WRITE)


def _cap(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _render(head_en: str, body_en: list[str], head_tr: str, body_tr: list[str]) -> str:
    return _cap("\n".join([head_en, *body_en, f"Türkçe: {head_tr}", *body_tr]))


def explain_api_error(code: int, tool: str, provider_message: str | None, http_status: int | None) -> str:
    """Explain a body status code (`response.status.code`) other than plain success."""
    t, info = _tool(tool), CODES.get(code)
    msg = _clean(provider_message) if provider_message else (info.wire_message_tr if info else "")
    quoted = f'Provider message: "{msg}"' if msg else "Provider message: (none)"
    if http_status is not None and http_status != code:
        quoted += f" (HTTP {http_status})"
    if info is None:
        m_en, m_tr = "unknown code (it may be new).", "bilinmeyen kod (yeni olabilir)."
        a_en = f"This code is not in this server's table; read the provider message above and see {ERROR_CODES_DOCS}. Not retried automatically."
        a_tr = f"Bu kod sunucunun tablosunda yok; yukarıdaki sağlayıcı mesajını okuyun ve {ERROR_CODES_DOCS_TR} sayfasına bakın. Otomatik tekrar yapılmadı."
    elif code == 200:  # §1.6 rule 4: success body with a non-2xx HTTP status is an anomaly, not success
        m_en = f"the body says success but the HTTP status was {http_status}; treated as an error because the result is ambiguous."
        m_tr = f"gövde başarılı diyor ama HTTP durumu {http_status}; sonuç belirsiz olduğu için hata sayıldı."
        a_en, a_tr = "Try again later; if it persists, report it.", "Daha sonra tekrar deneyin; sürerse bildirin."
    else:
        m_en, a_en, m_tr, a_tr = info.meaning_en, info.action_en, info.meaning_tr, info.action_tr
        o = _OVERRIDES.get((code, t))
        if o:
            m_en, a_en, m_tr, a_tr = (new or old for new, old in zip(o, (m_en, a_en, m_tr, a_tr)))
        if code == 403 and t not in _IYS_TOOLS:  # §3.3: outside İYS a 403 is an access problem
            m_en, m_tr = "Access denied (treated like an authentication failure).", "Erişim reddedildi (kimlik doğrulama hatası gibi ele alınır)."
            a_en, a_tr = _AUTH_EN, _AUTH_TR
    if _is_write(t) and (info is None or code in (200, 503)):  # writes are never retried; say how to reconcile
        eff_en, eff_tr, chk_en, chk_tr = _write_info(t)
        if code in (200, 503):  # §8.16: a 503 probably means "not accepted", but nobody has shown it
            a_en = f"{eff_en} It was not retried automatically; the outcome is not certain. {chk_en}"
            a_tr = f"{eff_tr} Otomatik olarak tekrarlanmadı; sonuç kesin değil. {chk_tr}"
        else:
            a_en += f" The outcome is not certain. {chk_en}"
            a_tr += f" Sonuç kesin değil. {chk_tr}"
    return _render(f"{t} failed: iletiMerkezi code {code} — {m_en}", [quoted, f"What to do: {a_en}"],
                   f"{t} başarısız: iletiMerkezi kodu {code} — {m_tr}", [f"Ne yapmalı: {a_tr}"])


def explain_http_error(status: int, tool: str, body_excerpt: str) -> str:
    """A non-2xx response whose body carries no iletiMerkezi status code (e.g. a proxy's HTML 502 page)."""
    if 200 <= status < 300:
        return explain_protocol_error(tool, f"HTTP {status} without response.status.code")
    t, excerpt = _tool(tool), _clean(body_excerpt)
    seen = f'Response began: "{excerpt}"' if excerpt else "The response body was empty."
    write = _is_write(t)
    eff_en, eff_tr, chk_en, chk_tr = _write_info(t)
    if status >= 500:
        what_en, what_tr = "a server or gateway error", "sunucu veya ağ geçidi hatası"
        if write:
            a_en = f"{eff_en} The outcome is unknown and it was not retried automatically. {chk_en}"
            a_tr = f"{eff_tr} Sonuç bilinmiyor ve otomatik olarak tekrarlanmadı. {chk_tr}"
        else:
            a_en, a_tr = "Nothing was changed (read-only). Try again in a minute or two.", "Hiçbir şey değişmedi (salt okunur). Bir iki dakika sonra tekrar deneyin."
    elif status in (401, 403):
        what_en, what_tr = "an authentication or access problem", "kimlik doğrulama veya erişim sorunu"
        a_en, a_tr = _AUTH_EN, _AUTH_TR
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
                   f"{t} başarısız: HTTP {status}, gövdede iletiMerkezi durum kodu yok ({what_tr}).", [f"Ne yapmalı: {a_tr}"])


def explain_protocol_error(tool: str, detail: str) -> str:
    """HTTP 2xx but no `response.status.code`: never treated as success (§1.6 rule 3)."""
    t, d = _tool(tool), _clean(detail)
    if _is_write(t):
        eff_en, eff_tr, chk_en, chk_tr = _write_info(t)
        a_en = f"{eff_en} The outcome is unknown and it was not retried automatically. {chk_en}"
        a_tr = f"{eff_tr} Sonuç bilinmiyor ve otomatik olarak tekrarlanmadı. {chk_tr}"
    else:
        a_en = "Do not trust this response as data. Try again; if it keeps happening the API format may have changed, so update iletimerkezi-mcp or report it."
        a_tr = "Bu yanıtı veri olarak kullanmayın. Tekrar deneyin; sürerse API biçimi değişmiş olabilir, iletimerkezi-mcp'yi güncelleyin veya bildirin."
    return _render(f"{t} failed: the API answered HTTP 2xx but without response.status.code, so this is NOT a success.",
                   [f'Detail: "{d}"', f"What to do: {a_en}"],
                   f"{t} başarısız: API HTTP 2xx döndü ama response.status.code yok; bu bir başarı DEĞİLDİR.", [f"Ne yapmalı: {a_tr}"])


_KINDS = {
    "timeout": ("the request timed out", "istek zaman aşımına uğradı"),
    "connect": ("could not connect to the API", "API'ye bağlanılamadı"),
    "network": ("the network connection failed during the request", "istek sırasında ağ bağlantısı koptu"),
}


def explain_transport_error(tool: str, kind: Literal["timeout", "connect", "network"], detail: str,
                            is_write: bool, attempts: int = 1) -> str:
    """No HTTP response at all. For writes the outcome is unknown (§1.8 point 7); reads say how often they were tried."""
    t, d = _tool(tool), _clean(detail)
    k_en, k_tr = _KINDS.get(kind, _KINDS["network"])
    n = max(1, attempts)
    if is_write or (t in _WRITES):
        eff_en, eff_tr, chk_en, chk_tr = _write_info(t)
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
        a_tr = f"Hiçbir şey değişmedi (salt okunur). {n} kez denendi. Ağ veya proxy ayarlarını kontrol edip bir dakika sonra tekrar deneyin."
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
          f"{ENV_KEY} ve {ENV_HASH} birlikte gerekir. Değerleri panel.iletimerkezi.com → Ayarlar → Güvenlik → API Erişimi "
          'sayfasından kopyalayın ve Erişim İzinleri altında "API kullanımına izin ver" seçeneğini açın.',
          f"Bunları MCP istemci yapılandırmanızda bu sunucunun {env} bloğuna yazın ve istemciyi yeniden başlatın."]
    if sandbox_hint:
        en.append("To try every tool with no account and no cost, start the server with --sandbox "
                  "(iletimerkezi-mcp --sandbox): it uses a built-in fake API.")
        tr.append("Hesap olmadan ve ücretsiz olarak tüm araçları denemek için sunucuyu --sandbox ile başlatın "
                  "(iletimerkezi-mcp --sandbox): yerleşik sahte bir API kullanır.")
    return _cap("\n".join([*en, "Türkçe: " + tr[0], *tr[1:]]))


_REPORT_STATUS: dict[int, tuple[str, str]] = {  # §3.2; not errors
    110: ("queued at the carrier (no receipt yet)", "operatör kuyruğunda (rapor bekleniyor)"),
    111: ("delivered", "iletildi"),
    112: ("not delivered", "iletilemedi"),
    113: ("sending in progress", "gönderim sürüyor"),
    114: ("finished (not necessarily all delivered)", "tamamlandı (hepsi iletildi demek değil)"),
    115: ("failed or cancelled", "gönderilemedi veya iptal edildi"),
}


def describe_report_status(code: int) -> tuple[str, str]:
    """(English, Turkish) label for a report status 110–115; a neutral label for anything else."""
    return _REPORT_STATUS.get(code, (f"unknown status {code}", f"bilinmeyen durum {code}"))

"""Every provider body code (https://www.iletimerkezi.com/en/docs/api/error-codes): the exact Turkish
wire text, what it means and what to do, in English and Turkish. Data only; `explain.py` turns it into
result text."""

from __future__ import annotations

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
    wire_message_tr: str  # exact provider text; branch on `code`, never on this
    meaning_en: str
    meaning_tr: str
    action_en: str
    action_tr: str


AUTH_ADVICE_EN = (
    "Check, in this order: 1) In panel.iletimerkezi.com → Settings → Security → Access Permissions, "
    '"API kullanımına izin ver" (Allow API access) must be on; this is the most common cause. '
    "2) ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH must be copied exactly from Settings → Security → "
    "API Access: no spaces or line breaks around them, and do not hash them yourself. "
    "3) If the account limits API use to fixed IP addresses, this machine's outbound IP must be on that allowlist. "
    f"Docs: {AUTH_DOCS}. This call is never retried automatically."
)
AUTH_ADVICE_TR = (
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

# (code, wire message, meaning_en, action_en, meaning_tr, action_tr)
_TABLE: list[tuple[int, str, str, str, str, str]] = [
    (200, "İşlem başarılı", "Success.", "Nothing to do.", "İşlem başarılı.", "Bir şey yapmanız gerekmiyor."),
    (400, "İstek çözümlenemedi", "The API could not parse the request (bad JSON or wrong structure).",
     "This usually means a bug in this server or a changed manifest; do not repeat the same call. "
     "Report it with the tool name.",
     "API isteği çözümleyemedi (hatalı JSON veya yanlış yapı).",
     "Genellikle bu sunucudaki bir hatayı veya değişmiş bir manifest'i gösterir; aynı çağrıyı tekrarlamayın, "
     "araç adıyla bildirin."),
    (401, "Üyelik bilgileri hatalı", "Authentication failed.", AUTH_ADVICE_EN,
     "Kimlik doğrulama başarısız.", AUTH_ADVICE_TR),
    (402, "Bakiye yetersiz", "Not enough balance for this order.",
     "Top up in the panel, or reduce the recipients or message parts; check with get_balance." + _NO_SEND_EN,
     "Bu sipariş için bakiye yetersiz.",
     "Panelden bakiye yükleyin ya da alıcı veya mesaj parça sayısını azaltın; "
     "get_balance ile kontrol edin." + _NO_SEND_TR),
    (403, "Aktif abonelik bulunamadı", "The account has no active İYS subscription.",
     "Activate the İYS service and your brand in the panel (panel.iletimerkezi.com), then try again.",
     "Hesabın aktif İYS aboneliği yok.", "Panelden İYS hizmetini ve markanızı etkinleştirin, sonra tekrar deneyin."),
    (404, "API istek yapılan yönteme sahip değil", "The API has no such method (wrong URL or path).",
     "A bug or an outdated manifest, not a user error; do not retry. "
     "Update iletimerkezi-mcp or refresh the manifest, and report it.",
     "API'de böyle bir yöntem yok (yanlış URL veya yol).",
     "Kullanıcı hatası değil; yazılım hatası veya eski bir manifest. Tekrar denemeyin; "
     "iletimerkezi-mcp'yi güncelleyin veya manifest'i yenileyin ve bildirin."),
    (422, "İstek içerisindeki değerler doğrulanamadı.", "Some values in the request failed validation.",
     "Fix the values and try again.", "İstekteki bazı değerler doğrulanamadı.", "Değerleri düzeltip tekrar deneyin."),
    (450, "Gönderilen başlık kullanıma uygun değil", "The sender ID is not approved, or does not match exactly.",
     "Call get_sender and use one of its values exactly (same case and spaces)." + _NO_SEND_EN,
     "Gönderici adı (başlık) onaylı değil ya da birebir eşleşmiyor.",
     "get_sender ile onaylı başlıkları alın ve birini birebir (büyük/küçük harf ve boşluklar dahil) "
     "kullanın." + _NO_SEND_TR),
    (451, "Tekrar eden sipariş",
     "Duplicate order: the same text went to the same recipients within the last 10 minutes.",
     "If this was not intentional, the first send most likely went out: "
     "check get_reports for today before anything else. "
     "If you really mean to send it again, change the text (e.g. add the time). Do not resend it unchanged.",
     "Tekrar eden sipariş: aynı metin son 10 dakika içinde aynı alıcılara gönderildi.",
     "Bilerek yapılmadıysa ilk gönderim büyük olasılıkla gitti: önce get_reports ile bugünü kontrol edin. "
     "Gerçekten yeniden göndermek istiyorsanız metni değiştirin (ör. saati ekleyin). Aynı haliyle tekrar göndermeyin."),
    (452, "Mesaj alıcıları hatalı", "The recipients are missing, invalid or blacklisted.",
     "Fix or remove the numbers (Turkish mobiles such as 905XXXXXXXXX) and check get_blacklist." + _NO_SEND_EN,
     "Alıcılar eksik, geçersiz ya da kara listede.",
     "Numaraları düzeltin veya çıkarın (905XXXXXXXXX gibi Türkiye cep numaraları) "
     "ve get_blacklist ile kontrol edin." + _NO_SEND_TR),
    (453, "Sipariş boyutu aşıldı", "The text is longer than 7 SMS parts for its encoding.",
     "Shorten it, or replace characters that force UCS-2 (emoji, some symbols)." + _NO_SEND_EN,
     "Metin, kodlamasına göre 7 SMS parçasından uzun.",
     "Metni kısaltın ya da UCS-2'ye zorlayan karakterleri (emoji, bazı simgeler) değiştirin." + _NO_SEND_TR),
    (454, "Mesaj metni boş", "The message text is empty.", "Provide a non-empty text.",
     "Mesaj metni boş.", "Boş olmayan bir metin girin."),
    (455, "Sipariş bulunamadı", "No such order on this account, or it can no longer be cancelled.",
     "Check the order id (from send_sms or get_reports).",
     "Bu hesapta böyle bir sipariş yok ya da artık iptal edilemiyor.",
     "Sipariş numarasını (send_sms veya get_reports çıktısından) kontrol edin."),
    (456, "Sipariş gönderim tarihi henüz gelmedi", "The order is scheduled and its send time has not come yet.",
     "There is no report until then; ask again after the scheduled time. "
     "Until then it can still be cancelled with cancel_order.",
     "Sipariş ileri tarihli ve gönderim zamanı henüz gelmedi.",
     "O zamana kadar rapor yok; planlanan zamandan sonra tekrar sorun. "
     "O zamana kadar cancel_order ile iptal edilebilir."),
    (457, "Mesaj gönderim tarihinin formatı hatalı", "sendDateTime is not in the form dd/MM/yyyy HH:mm.",
     "Use e.g. 15/06/2026 09:05 (Turkey time, 24-hour, no seconds)." + _NO_SEND_EN,
     "sendDateTime, dd/MM/yyyy HH:mm biçiminde değil.",
     "Örneğin 15/06/2026 09:05 kullanın (Türkiye saati, 24 saat, saniyesiz)." + _NO_SEND_TR),
    (458, "Tarih aralığı hatalı", "Bad date format, or the range is longer than 10 days.",
     "Use YYYY-MM-DD (no time) and split longer periods into windows of at most 10 days.",
     "Tarih biçimi hatalı ya da aralık 10 günden uzun.",
     "YYYY-MM-DD (saatsiz) kullanın ve uzun dönemleri en fazla 10 günlük parçalara bölün."),
    (459, "Başlık kısmı boş olamaz", "The sender ID is empty.", "Provide a sender from get_sender.",
     "Gönderici adı (başlık) boş.", "get_sender çıktısından bir başlık girin."),
    (460, "Başlık 11 karakterden fazla olmamalı ve Türkçe karakter içermemelidir.",
     "The sender ID is longer than 11 characters or contains Turkish letters.",
     "Use an approved sender from get_sender, exactly.",
     "Başlık 11 karakterden uzun ya da Türkçe harf içeriyor.",
     "get_sender çıktısındaki onaylı bir başlığı birebir kullanın."),
    (461, "Grup adını boş bırakamazsınız.", "Group name is empty (contacts API).", _CONTACTS_EN,
     "Grup adı boş (rehber API'si).", _CONTACTS_TR),
    (462, "Grup id alanını boş bırakamazsınız.", "Group id is empty or unknown (contacts API).", _CONTACTS_EN,
     "Grup id boş ya da bilinmiyor (rehber API'si).", _CONTACTS_TR),
    (463, "Böyle bir grup bulunamadı.", "No such group (contacts API).", _CONTACTS_EN,
     "Böyle bir grup yok (rehber API'si).", _CONTACTS_TR),
    (464, "Page değeri 1 den başlamalı.", "Page numbers start at 1.", "Use page 1 or higher.",
     "Sayfa numaraları 1'den başlar.", "page değerini 1 veya daha büyük verin."),
    (465, "Kişi bulunamadı.", "No such contact (contacts API).", _CONTACTS_EN,
     "Kişi bulunamadı (rehber API'si).", _CONTACTS_TR),
    (466, "Hatalı numara.", "Invalid number: not a Turkish mobile number.",
     "Use a Turkish mobile number such as 905XXXXXXXXX, +905XXXXXXXXX or 5XXXXXXXXX.",
     "Geçersiz numara: Türkiye cep telefonu numarası değil.",
     "905XXXXXXXXX, +905XXXXXXXXX veya 5XXXXXXXXX gibi bir Türkiye cep numarası kullanın."),
    (467, "Evrak bilgisi eksik.", "Account or sender documents are missing.",
     "Complete the paperwork in the panel (panel.iletimerkezi.com).",
     "Hesap veya başlık evrakları eksik.", "Paneldeki evrak işlemlerini tamamlayın."),
    (468, "IYS üzerinden sorgulama yapılıp, yapılmayacağını ayarlamalısınız.", "The iys field is missing.",
     'Set iys to "1" for commercial content (campaigns, promotions) '
     'or "0" for transactional content (OTPs, order notices).' + _NO_SEND_EN,
     "iys alanı eksik.",
     'Ticari içerik (kampanya, tanıtım) için iys "1", '
     'bilgilendirme içeriği (tek kullanımlık şifre, sipariş bildirimi) için "0" verin.' + _NO_SEND_TR),
    (469, "IYS listenizi seçmelisiniz, BIREYSEL veya TACIR.", 'iys is "1" but iysList is missing.',
     "Set iysList to BIREYSEL (individuals) or TACIR (merchants)." + _NO_SEND_EN,
     'iys "1" ama iysList eksik.', "iysList değerini BIREYSEL (bireyler) veya TACIR (tacirler) yapın." + _NO_SEND_TR),
    (470, "IYS kodunuzu ayarlamalısınız.", "The account has no İYS code configured.",
     'Configure İYS for the account in the panel. '
     'Use iys "0" only if the content is truly transactional.' + _NO_SEND_EN,
     "Hesapta İYS kodu tanımlı değil.",
     'Panelden hesabın İYS ayarını yapın. '
     'iys "0" yalnızca içerik gerçekten bilgilendirme amaçlıysa kullanılabilir.' + _NO_SEND_TR),
    (471, "Arama terimi en az 3 karakter olmalıdır", "The search term is shorter than 3 characters (contacts API).",
     _CONTACTS_EN, "Arama terimi 3 karakterden kısa (rehber API'si).", _CONTACTS_TR),
    (472, "Ad, soyad, cep telefonu, email alanlarından en az biri dolu olmalıdır.",
     "A contact needs a name, phone or e-mail (contacts API).", _CONTACTS_EN,
     "Kişinin ad, telefon veya e-posta alanlarından biri dolu olmalı (rehber API'si).", _CONTACTS_TR),
    (473, "Özel alan bulunamadı.", "Custom field not found (contacts API).", _CONTACTS_EN,
     "Özel alan bulunamadı (rehber API'si).", _CONTACTS_TR),
    (474, "Bu numara üzerindeki engelleme kaldırılamaz", "The block on this number cannot be removed.",
     "Check the number's state with get_blacklist.", "Bu numaradaki engel kaldırılamıyor.",
     "Numaranın durumunu get_blacklist ile kontrol edin."),
    (503, "Sunucu geçici olarak servis dışı", "The iletiMerkezi server is temporarily unavailable.",
     "Try again in a minute or two.", "iletiMerkezi sunucusu geçici olarak hizmet dışı.",
     "Bir iki dakika sonra tekrar deneyin."),
]
CODES: dict[int, CodeInfo] = {
    r[0]: CodeInfo(code=r[0], wire_message_tr=r[1], meaning_en=r[2], action_en=r[3],
                   meaning_tr=r[4], action_tr=r[5])
    for r in _TABLE
}

"""Body status codes of the fake and their exact Turkish wire messages (api-reference §3.1)."""

from __future__ import annotations

# The wire message is always Turkish. Texts are copied from §3.1, trailing periods included.
MESSAGES: dict[int, str] = {
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

# Report status values (§3.2). They are payload values, never body codes.
MSG_QUEUED, MSG_DELIVERED, MSG_UNDELIVERED = 110, 111, 112
ORDER_SENDING, ORDER_DONE, ORDER_FAILED = 113, 114, 115


class ApiError(Exception):
    """A provider error: the fake answers with `status` only, carrying this code."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(f"{code} {MESSAGES.get(code, '')} {detail}".strip())
        self.code = code
        # English detail for logs only; it never goes on the wire.
        self.detail = detail


def status_block(code: int) -> dict[str, object]:
    return {"code": code, "message": MESSAGES.get(code, "")}

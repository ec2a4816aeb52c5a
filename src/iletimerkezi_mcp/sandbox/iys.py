"""İYS consent records of the fake (https://www.iletimerkezi.com/en/docs/api/iys-register, .../iys-check).

Records are keyed by (brandCode, recipient, recipientType, type) and only the latest one is
kept. A register batch is checked record by record against a scratch copy and committed only if
every record passes, so one bad record fails the whole batch with 422 and stores nothing.

Rules we enforce (the national registry's, as far as they are known):
* recipientType BIREYSEL|TACIR, type MESAJ|EPOSTA|ARAMA, status ONAY|RET;
* source `HS_*` and consentDate are required for BIREYSEL, optional for TACIR;
* consentDate not in the future and not before 2015-05-01 00:00:00 (Turkey time);
* RET cannot be a recipient's first record; the same status twice in a row is a duplicate;
  a new record's consentDate must be later than the stored one's.
The registry's "within 3 business days of capture" rule is not enforced (it draws fines, not errors).
"""

from __future__ import annotations

import re
from datetime import datetime

from .codes import ApiError
from .sms_rules import TR_TZ, display_number, normalise_number, parse_stamp, stamp

SANDBOX_BRAND_CODE = 123456
RECIPIENT_TYPES = ("BIREYSEL", "TACIR")
CHANNELS = ("MESAJ", "EPOSTA", "ARAMA")
STATUSES = ("ONAY", "RET")
MAX_BATCH = 5000
_EARLIEST = datetime(2015, 5, 1, tzinfo=TR_TZ).timestamp()  # 2015-05-01 00:00:00 Turkey time
_SOURCE = re.compile(r"HS_[A-Z0-9_]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

Key = tuple[str, str, str, str]


def _brand(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise ApiError(422, "brandCode missing")
    return str(value).strip()


def _recipient(value: object, channel: str) -> str:
    """Phones (MESAJ, ARAMA) become +905…; e-mail addresses are lower-cased."""
    if channel == "EPOSTA":
        if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
            raise ApiError(422, f"bad e-mail {value!r}")
        return value.strip().lower()
    number = normalise_number(value)
    if number is None:
        raise ApiError(422, f"bad phone {value!r}")
    return display_number(number)


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ApiError(422, f"{name} must be one of {allowed}, got {value!r}")
    return value  # type: ignore[return-value]


class IysStore:
    """Consent records for the account's brands. Not thread-safe: `SandboxState` locks."""

    def __init__(self, brand_codes: list[str] | None = None) -> None:
        self.brand_codes: list[str] = brand_codes or [str(SANDBOX_BRAND_CODE)]
        self.records: dict[Key, dict[str, object]] = {}

    def _record(self, raw: object, brand: str, now: float) -> tuple[Key, dict[str, object], float]:
        if not isinstance(raw, dict):
            raise ApiError(422, "record is not an object")
        rtype = _choice(raw.get("recipientType"), RECIPIENT_TYPES, "recipientType")
        channel = _choice(raw.get("type"), CHANNELS, "type")
        status = _choice(raw.get("status"), STATUSES, "status")
        recipient = _recipient(raw.get("recipient"), channel)
        optional = rtype == "TACIR"
        source = raw.get("source")
        if source is None and not optional:
            raise ApiError(422, "source is required for BIREYSEL")
        if source is not None and not (isinstance(source, str) and _SOURCE.fullmatch(source)):
            raise ApiError(422, f"bad source {source!r}")
        date_raw = raw.get("consentDate")
        if date_raw is None and optional:
            when = now
        else:
            parsed = parse_stamp(date_raw)
            if parsed is None:
                raise ApiError(422, f"bad consentDate {date_raw!r}")
            when = parsed
        if when > now or when < _EARLIEST:
            raise ApiError(422, f"consentDate {date_raw!r} is in the future or before 2015-05-01")
        record: dict[str, object] = {
            "brandCode": int(brand) if brand.isdigit() else brand,
            "recipient": recipient,
            "recipientType": rtype,
            "type": channel,
            "status": status,
        }
        if source is not None:
            record["source"] = source
        record["consentDate"] = stamp(when)
        return (brand, recipient, rtype, channel), record, when

    def register(self, consent: object, now: float) -> None:
        """Validate the whole batch, then store it; raise 400/422 without storing anything."""
        if not isinstance(consent, dict):
            raise ApiError(400, "request.consent must be an object")
        brand = _brand(consent.get("brandCode"))
        if brand not in self.brand_codes:
            raise ApiError(422, f"brand code {brand} does not belong to the account")
        batch = consent.get("list")
        if not isinstance(batch, list) or not 1 <= len(batch) <= MAX_BATCH:
            raise ApiError(422, "list must hold 1 to 5000 records")
        scratch = dict(self.records)
        for raw in batch:
            key, record, when = self._record(raw, brand, now)
            existing = scratch.get(key)
            if existing is None:
                if record["status"] == "RET":
                    raise ApiError(422, "RET cannot be the first record")
            else:
                if existing["status"] == record["status"]:
                    raise ApiError(422, "duplicate record")
                if when <= (parse_stamp(existing["consentDate"]) or 0):
                    raise ApiError(422, "consentDate must be later than the stored record")
            scratch[key] = record
        self.records = scratch

    def check(self, consent: object) -> dict[str, object] | list[object]:
        """Return the record, `[]` (TACIR without record, or a foreign brand), or raise 422."""
        if not isinstance(consent, dict):
            raise ApiError(400, "request.consent must be an object")
        brand = _brand(consent.get("brandCode"))
        rtype = _choice(consent.get("recipientType"), RECIPIENT_TYPES, "recipientType")
        channel = _choice(consent.get("type"), CHANNELS, "type")
        recipient = _recipient(consent.get("recipient"), channel)
        if brand not in self.brand_codes:
            return []  # known drift: a foreign brand code answers 200 with []
        record = self.records.get((brand, recipient, rtype, channel))
        if record is not None:
            return dict(record)
        if rtype == "TACIR":
            return []  # known drift: no TACIR record answers 200 with []
        raise ApiError(422, "no record")

    def has_sms_consent(self, number: str, recipient_type: str) -> bool:
        """True when the latest MESAJ record of `number` (canonical 905…) is ONAY, any brand."""
        recipient = display_number(number)
        return any(
            self.records.get((brand, recipient, recipient_type, "MESAJ"), {}).get("status") == "ONAY"
            for brand in self.brand_codes
        )

    def to_json(self) -> dict[str, object]:
        return {"brand_codes": list(self.brand_codes), "records": list(self.records.values())}

    @classmethod
    def from_json(cls, data: dict) -> IysStore:
        store = cls([str(b) for b in data.get("brand_codes", [])] or None)
        for record in data.get("records", []):
            key = (str(record["brandCode"]), record["recipient"], record["recipientType"], record["type"])
            store.records[key] = dict(record)
        return store

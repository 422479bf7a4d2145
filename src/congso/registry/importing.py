"""CSV import of the registries: streaming, validated row by row, committed in batches.

How a file goes in (``registry_import`` in ``services.py`` is the entry point):

1. **A first pass over the bytes** computes the file's SHA-256 and checks that the whole file
   is UTF-8 (a BOM is allowed). A file in Windows-1258, Latin-1, UTF-16... is refused *whole*,
   before anything is written, with the line and byte where decoding failed: a half-imported
   file with mojibake names is worse than none. The pass reads 1 MiB at a time and runs at
   disk speed, so it costs a fraction of the import.
2. **The header** names the columns (any order; see each importer's ``columns``). A missing
   required column or an unknown one refuses the file, again before any write.
3. **Each row** is checked with plain functions (no model instances, no ``full_clean``): a row
   that fails is rejected with its line number and the reason in Vietnamese and English, and
   the import goes on. A key that already appeared earlier in the file is rejected as a
   duplicate (the first occurrence wins).
4. **Accepted rows** are upserted on their natural key, ``batch_size`` rows per transaction
   (``bulk.bulk_upsert``). Re-importing the same file changes nothing and reports every row
   as "unchanged". Outside a caller's transaction a second thread (with its own connection)
   writes one batch while the next is parsed.
5. **One audit entry** for the whole import (counts, file name and SHA-256) is written in the
   transaction of the last batch. If the process dies midway, the batches already committed
   stay and no audit entry exists; importing the same file again completes it idempotently
   and records the entry.

Memory stays flat: one batch of rows, plus the set of keys seen (an int per row, used for the
duplicate check), plus at most ``MAX_LISTED_REJECTIONS`` rejections kept for the report (all
of them can be streamed to a CSV with ``rejects=``).
"""

from __future__ import annotations

import abc
import codecs
import csv
import hashlib
import io
import queue
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connections, models, transaction
from django.utils import timezone

from congso.core.audit import audit_record
from congso.core.errors import InvalidInput

from . import validators
from .bulk import UpsertCounts, bulk_upsert, lookup_ids
from .choices import (
    BenefitLevel,
    DocumentStatus,
    LegalForm,
    OrganisationStatus,
    OwnerKind,
    Relationship,
    Sex,
    UnitLevel,
    VehicleType,
)
from .models import (
    AdministrativeUnit,
    Agency,
    Citizen,
    DriverLicence,
    HealthInsuranceCard,
    Household,
    HouseholdMember,
    Organisation,
    VehicleRegistration,
)
from .reference import ETHNIC_GROUPS

DEFAULT_BATCH_SIZE = 5000
MAX_LISTED_REJECTIONS = 1000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Rejection:
    line: int
    reason_vi: str
    reason_en: str


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            **self.extra,
        }

    def lines(self) -> Iterator[str]:
        """The report as text, Vietnamese then English on each line."""
        rate = f", {self.rows / self.seconds:,.0f} dòng/giây (rows/s)" if self.seconds > 0 else ""
        yield f"Nhập '{self.kind}' từ {self.file_name} — SHA-256 {self.sha256}"
        yield (
            f"Số dòng (rows): {self.rows}; tạo mới (created): {self.created}; cập nhật (updated): "
            f"{self.updated}; không đổi (unchanged): {self.unchanged}; bị từ chối (rejected): "
            f"{self.rejected}; {self.seconds:.1f} giây{rate}"
        )
        for name, value in self.extra.items():
            yield f"  {name}: {value}"
        for rejection in self.rejections:
            yield f"Dòng {rejection.line}: {rejection.reason_vi} / Line {rejection.line}: {rejection.reason_en}"
        hidden = self.rejected - len(self.rejections)
        if hidden > 0:
            yield f"... và {hidden} dòng bị từ chối khác (and {hidden} more rejected rows)."


# --- The first pass: hash and encoding -----------------------------------------------------------
def scan_file(stream: IO[bytes]) -> str:
    """The SHA-256 of ``stream``; InvalidInput if it is not UTF-8 text (nothing is written)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    newlines = 0
    first = True
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        if first:
            first = False
            if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise InvalidInput(
                    "Tệp được lưu bằng bảng mã UTF-16, không phải UTF-8. Hãy lưu lại dạng "
                    "'CSV UTF-8' rồi nhập lại; chưa có dòng nào được ghi.",
                    "The file is encoded in UTF-16, not UTF-8. Save it again as 'CSV UTF-8' and "
                    "import it again; nothing was written.",
                    code="import_encoding",
                )
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = newlines + chunk.count(b"\n", 0, nul) + 1
            raise InvalidInput(
                f"Tệp chứa ký tự NUL ở dòng {line}: đây không phải tệp CSV văn bản UTF-8. "
                "Chưa có dòng nào được ghi.",
                f"The file contains a NUL byte on line {line}: it is not a UTF-8 CSV text file. "
                "Nothing was written.",
                code="import_encoding",
            )
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            position = max(error.start - pending, 0)
            line = newlines + chunk.count(b"\n", 0, position) + 1
            line_start = chunk.rfind(b"\n", 0, position) + 1
            column = position - line_start + 1
            bad = error.object[error.start]
            raise InvalidInput(
                f"Tệp không được mã hóa UTF-8: dòng {line}, byte thứ {column} (0x{bad:02X}) không hợp lệ. "
                "Có thể tệp đang ở bảng mã Windows-1258 hoặc Latin-1; hãy lưu lại dạng 'CSV UTF-8' "
                "rồi nhập lại. Chưa có dòng nào được ghi.",
                f"The file is not UTF-8: line {line}, byte {column} (0x{bad:02X}) is invalid. It is "
                "probably in Windows-1258 or Latin-1; save it again as 'CSV UTF-8' and import it again. "
                "Nothing was written.",
                code="import_encoding",
            ) from None
        newlines += chunk.count(b"\n")
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InvalidInput(
            f"Tệp không được mã hóa UTF-8: tệp kết thúc giữa một ký tự (dòng {newlines + 1}). "
            "Chưa có dòng nào được ghi.",
            f"The file is not UTF-8: it ends in the middle of a character (line {newlines + 1}). "
            "Nothing was written.",
            code="import_encoding",
        ) from None
    return digest.hexdigest()


# --- Cell helpers --------------------------------------------------------------------------------
def _rejected(reason_vi: str, reason_en: str) -> InvalidInput:
    return InvalidInput(reason_vi, reason_en, code="import_row")


def _text(value: str, *, max_length: int, label_vi: str, label_en: str, required: bool = False) -> str:
    text = value.strip()
    if text and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if required and not text:
        raise _rejected(f"Thiếu {label_vi}.", f"The {label_en} is missing.")
    if len(text) > max_length:
        raise _rejected(
            f"{label_vi.capitalize()} dài quá {max_length} ký tự.",
            f"The {label_en} is longer than {max_length} characters.",
        )
    return text


def _date(value: str, *, field_name: str, label_vi: str, label_en: str, required: bool = True) -> date | None:
    if not value.strip():
        if required:
            raise _rejected(f"Thiếu {label_vi.lower()}.", f"The {label_en.lower()} is missing.")
        return None
    return validators.date_parse(value, field=field_name, label_vi=label_vi, label_en=label_en)


def _choice_map(choices: type[models.Choices], *aliases: tuple[str, Any]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for value, label in choices.choices:
        mapping[str(value)] = value
        mapping[str(value).casefold()] = value
        mapping[str(label).casefold()] = value
    for alias, value in aliases:
        mapping[alias.casefold()] = value
    return mapping


def _choice(value: str, mapping: dict[str, Any], *, label_vi: str, label_en: str, default: Any = None) -> Any:
    found = mapping.get(value)
    if found is not None:
        return found  # the canonical spelling: the common case in bulk imports
    text = value.strip()
    if not text:
        if default is not None:
            return default
        raise _rejected(f"Thiếu {label_vi}.", f"The {label_en} is missing.")
    found = mapping.get(unicodedata.normalize("NFC", text).casefold())
    if found is None:
        raise _rejected(
            f"{label_vi.capitalize()} '{text[:30]}' không có trong danh mục.",
            f"The {label_en} '{text[:30]}' is not a known value.",
        )
    return found


_email_validator = EmailValidator()


def _email(value: str) -> str:
    text = value.strip()
    if not text:
        return ""
    try:
        _email_validator(text)
    except ValidationError:
        raise _rejected(
            f"Thư điện tử '{text[:40]}' không hợp lệ.", f"The e-mail address '{text[:40]}' is invalid."
        ) from None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


_SEX = _choice_map(Sex, ("nu", Sex.FEMALE), ("male", Sex.MALE), ("female", Sex.FEMALE))
_ETHNICITY: dict[str, str] = {}
for _code, _name, _ in ETHNIC_GROUPS:
    _ETHNICITY[_code] = _code
    _ETHNICITY[str(int(_code))] = _code
    _ETHNICITY[_name.casefold()] = _code
    _ETHNICITY[_name.replace("-", " ").casefold()] = _code
    _ETHNICITY[_name.replace("-", "").casefold()] = _code
_ETHNICITY.update({"khmer": "05", "mông": "08", "h'mông": "08", "hmong": "08", "ê đê": "12"})
_RELATIONSHIP = _choice_map(Relationship, ("chu_ho", Relationship.HEAD), ("chủ hộ", Relationship.HEAD))
_ORG_STATUS = _choice_map(OrganisationStatus)
_LEGAL_FORM = _choice_map(LegalForm)
_DOC_STATUS = _choice_map(DocumentStatus)
_VEHICLE_TYPE = _choice_map(VehicleType)
_BENEFIT = _choice_map(BenefitLevel)
_HOUSEHOLD_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,19}")
_VSIC_RE = re.compile(r"[0-9]{4,5}")
_FACILITY_RE = re.compile(r"[0-9]{5}")
_DIGITS10_RE = re.compile(r"[0-9]{10}")
_DIGITS12_RE = re.compile(r"[0-9]{12}")
_NATIONALITY_RE = re.compile(r"[A-Z]{2}")


# --- Importers -------------------------------------------------------------------------------
class _Importer(abc.ABC):
    """One kind of CSV: its columns, the check of one row, and the write of one batch."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    required_columns: ClassVar[frozenset[str]]
    # Where and how the default write() upserts: the model, its natural key, the other columns.
    model: ClassVar[type[models.Model]]
    key: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]

    def __init__(self, *, today: date) -> None:
        self.today = today
        self.extra: dict[str, int] = {}
        self.communes: frozenset[str] = frozenset()
        self.agencies: dict[str, int] = {}

    def prepare(self) -> None:  # noqa: B027 (an optional hook: most importers need no tables)
        """Load the small lookup tables the rows are checked against."""

    @abc.abstractmethod
    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        """Check one row; return (the key for the duplicate check, the row to write)."""

    def write(
        self,
        batch: list[tuple[int, tuple[Any, ...]]],
        *,
        now: datetime,
        reject: Callable[[int, str, str], None],
    ) -> UpsertCounts:
        """Upsert the parsed rows on the natural key; importers that resolve references override it."""
        return bulk_upsert(
            model=self.model, key=self.key, fields=self.fields, rows=[r for _, r in batch], now=now
        )

    def _communes(self) -> frozenset[str]:
        codes = frozenset(
            AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list("code", flat=True)
        )
        if not codes:
            raise InvalidInput(
                "Chưa nạp danh mục đơn vị hành chính; hãy chạy 'manage.py registry_load_units' trước.",
                "The administrative units are not loaded; run 'manage.py registry_load_units' first.",
                code="import_units_missing",
            )
        return codes

    def _commune(self, value: str, *, label_vi: str, label_en: str, required: bool) -> str | None:
        code = value.strip()
        if not code:
            if required:
                raise _rejected(f"Thiếu mã {label_vi}.", f"The {label_en} code is missing.")
            return None
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)
        if code not in self.communes:
            raise _rejected(
                f"Mã {label_vi} '{code[:10]}' không có trong danh mục đơn vị hành chính cấp xã.",
                f"The {label_en} code '{code[:10]}' is not a known commune.",
            )
        return code

    def _agency(self, value: str) -> int | None:
        code = value.strip()
        if not code:
            return None
        agency_id = self.agencies.get(code)
        if agency_id is None:
            raise _rejected(
                f"Không có cơ quan mã '{code[:20]}'.", f"There is no agency with code '{code[:20]}'."
            )
        return agency_id

    def _personal_id(self, value: str, *, label_vi: str, label_en: str, **person: Any) -> str:
        personal_id = value.strip()
        if not personal_id:
            raise _rejected(f"Thiếu {label_vi}.", f"The {label_en} is missing.")
        validators.personal_id_validate(personal_id, **person)
        return personal_id


class CitizenImporter(_Importer):
    """``citizens.csv``: one row per person, keyed on ``personal_id``."""

    kind = "citizens"
    model = Citizen
    key = "personal_id"
    columns = (
        "personal_id",
        "full_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "nationality",
        "place_of_origin",
        "permanent_address",
        "permanent_commune",
        "temporary_address",
        "temporary_commune",
        "phone",
        "email",
    )
    required_columns = frozenset(
        {"personal_id", "full_name", "date_of_birth", "sex", "permanent_address", "permanent_commune"}
    )
    fields = (
        "full_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "nationality",
        "place_of_origin",
        "permanent_address",
        "permanent_commune",
        "temporary_address",
        "temporary_commune",
        "phone",
        "email",
    )

    def prepare(self) -> None:
        self.communes = self._communes()

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        (pid, name, dob_text, sex_text, ethnicity, nationality, origin, perm, perm_commune, temp, temp_commune,
         phone, email) = values  # fmt: skip
        full_name = validators.full_name_normalise(name)
        dob = _date(dob_text, field_name="date_of_birth", label_vi="Ngày sinh", label_en="Date of birth")
        assert dob is not None
        validators.date_of_birth_check(dob, today=self.today)
        sex = _choice(sex_text, _SEX, label_vi="giới tính", label_en="sex")
        personal_id = self._personal_id(
            pid, label_vi="số định danh cá nhân", label_en="personal ID number", date_of_birth=dob, sex=sex
        )
        ethnic = _choice(ethnicity, _ETHNICITY, label_vi="dân tộc", label_en="ethnicity", default="01")
        nation = nationality.strip().upper() or "VN"
        if not _NATIONALITY_RE.fullmatch(nation):
            raise _rejected(
                f"Quốc tịch '{nation[:10]}' phải là mã hai chữ cái ISO 3166 (ví dụ VN).",
                f"Nationality '{nation[:10]}' must be a two-letter ISO 3166 code (e.g. VN).",
            )
        temp_address = _text(temp, max_length=255, label_vi="nơi tạm trú", label_en="temporary address")
        temp_code = self._commune(
            temp_commune, label_vi="xã/phường tạm trú", label_en="temporary-residence commune", required=False
        )
        if bool(temp_address) != bool(temp_code):
            raise _rejected(
                "Nơi tạm trú cần cả địa chỉ và mã xã/phường.",
                "A temporary residence needs both the address and the commune code.",
            )
        row = (
            personal_id,
            full_name,
            dob,
            sex,
            ethnic,
            nation,
            _text(origin, max_length=255, label_vi="quê quán", label_en="place of origin"),
            _text(
                perm, max_length=255, label_vi="nơi thường trú", label_en="permanent address", required=True
            ),
            self._commune(
                perm_commune,
                label_vi="xã/phường thường trú",
                label_en="permanent-residence commune",
                required=True,
            ),
            temp_address,
            temp_code,
            validators.phone_normalise(phone) if phone.strip() else "",
            _email(email),
        )
        return int(personal_id), row


class HouseholdImporter(_Importer):
    """``households.csv``: one row per member, keyed on the member's ``personal_id``.

    The head's row (relationship ``head`` / "Chủ hộ") carries the household's address and
    commune and creates or updates the household; on the other members' rows those two columns
    are not read. A member's row needs its household to exist already or to be created by a
    head's row earlier in the same file (whatever the batch boundaries). A head who steps down
    is listed with the new relationship before the new head's row.
    """

    kind = "households"
    columns = ("household_code", "personal_id", "relationship", "address", "commune")
    required_columns = frozenset(columns)

    def prepare(self) -> None:
        self.communes = self._communes()
        self.extra = {"households_created": 0, "households_updated": 0}

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        code_text, pid, relationship_text, address, commune = values
        code = code_text.strip().upper()
        if not code:
            raise _rejected("Thiếu số hộ.", "The household code is missing.")
        if not _HOUSEHOLD_CODE_RE.fullmatch(code):
            raise _rejected(
                f"Số hộ '{code[:25]}' chỉ gồm chữ, số, '.', '/', '-' và tối đa 20 ký tự.",
                f"Household code '{code[:25]}' may hold letters, digits, '.', '/', '-' and 20 characters at most.",
            )
        personal_id = self._personal_id(pid, label_vi="số định danh cá nhân", label_en="personal ID number")
        relationship = _choice(
            relationship_text,
            _RELATIONSHIP,
            label_vi="quan hệ với chủ hộ",
            label_en="relationship to the head",
        )
        if relationship == Relationship.HEAD:
            row = (
                code,
                personal_id,
                relationship,
                _text(
                    address,
                    max_length=255,
                    label_vi="địa chỉ hộ",
                    label_en="household address",
                    required=True,
                ),
                self._commune(
                    commune, label_vi="xã/phường của hộ", label_en="household commune", required=True
                ),
            )
        else:
            row = (code, personal_id, relationship, "", None)
        return int(personal_id), row

    def write(
        self,
        batch: list[tuple[int, tuple[Any, ...]]],
        *,
        now: datetime,
        reject: Callable[[int, str, str], None],
    ) -> UpsertCounts:
        citizen_ids = lookup_ids(model=Citizen, key="personal_id", values=[row[1] for _, row in batch])
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for line, row in batch:
            if row[1] in citizen_ids:
                rows.append((line, row))
            else:
                reject(
                    line,
                    f"Không có công dân mang số định danh {row[1]} trong cơ sở dữ liệu dân cư.",
                    f"No citizen with personal ID {row[1]} in the population registry.",
                )
        counts = UpsertCounts()
        members = [(line, row) for line, row in rows if row[2] != Relationship.HEAD]
        heads = [(line, row) for line, row in rows if row[2] == Relationship.HEAD]
        known = lookup_ids(model=Household, key="code", values=list({row[0] for _, row in rows}))
        known_before = set(known)

        def upsert_members(accepted: list[tuple[int, tuple[Any, ...]]]) -> None:
            member_rows = [(citizen_ids[row[1]], known[row[0]], row[2]) for _, row in accepted]
            counts.add(
                bulk_upsert(
                    model=HouseholdMember,
                    key="citizen",
                    fields=("household", "relationship"),
                    rows=member_rows,
                    now=now,
                )
            )

        # Members of households that already exist go first, so that a head stepping down in
        # this batch frees the place before the new head's row is written (one head per
        # household is a unique index, checked row by row).
        upsert_members([(line, row) for line, row in members if row[0] in known_before])

        current_heads: dict[int, int] = dict(
            HouseholdMember.objects.filter(
                relationship=Relationship.HEAD,
                household_id__in=[known[row[0]] for _, row in heads if row[0] in known],
            ).values_list("household_id", "citizen_id")
        )
        accepted_heads: dict[str, tuple[int, tuple[Any, ...]]] = {}
        for line, row in heads:
            code, personal_id = row[0], row[1]
            if code in accepted_heads:
                reject(
                    line,
                    f"Hộ {code} đã có chủ hộ ở dòng {accepted_heads[code][0]}.",
                    f"Household {code} already has its head on line {accepted_heads[code][0]}.",
                )
                continue
            household_id = known.get(code)
            current = current_heads.get(household_id) if household_id is not None else None
            if current is not None and current != citizen_ids[personal_id]:
                reject(
                    line,
                    f"Hộ {code} đã có chủ hộ khác; hãy ghi người đó với quan hệ mới trước dòng này.",
                    f"Household {code} already has another head; list that person with their new "
                    "relationship before this line.",
                )
                continue
            accepted_heads[code] = (line, row)
        household_counts = bulk_upsert(
            model=Household,
            key="code",
            fields=("address_line", "commune"),
            rows=[(row[0], row[3], row[4]) for _, row in accepted_heads.values()],
            now=now,
        )
        self.extra["households_created"] += household_counts.created
        self.extra["households_updated"] += household_counts.updated
        known.update(
            lookup_ids(
                model=Household, key="code", values=[code for code in accepted_heads if code not in known]
            )
        )
        upsert_members(list(accepted_heads.values()))

        # Members whose household was created just now by its head's row in this batch.
        # A member's row counts only after its head's row, whatever the batch boundaries.
        late = [(line, row) for line, row in members if row[0] not in known_before]
        in_order = [
            (line, row) for line, row in late if row[0] in accepted_heads and accepted_heads[row[0]][0] < line
        ]
        in_order_lines = {line for line, _ in in_order}
        for line, row in late:
            if line not in in_order_lines:
                reject(
                    line,
                    f"Hộ {row[0]} chưa có: dòng của chủ hộ phải đứng trước các thành viên.",
                    f"Household {row[0]} does not exist: the head's row must come before the members'.",
                )
        upsert_members(in_order)
        return counts


class OrganisationImporter(_Importer):
    """``organisations.csv``: one row per enterprise or dependent unit, keyed on ``code``."""

    kind = "organisations"
    columns = (
        "code",
        "name",
        "english_name",
        "legal_form",
        "status",
        "founded_date",
        "address",
        "commune",
        "representative_personal_id",
        "phone",
        "email",
        "business_lines",
    )
    required_columns = frozenset({"code", "name", "founded_date", "address", "commune"})
    fields = (
        "name",
        "english_name",
        "legal_form",
        "status",
        "founded_date",
        "address_line",
        "commune",
        "representative",
        "phone",
        "email",
        "business_lines",
    )

    def prepare(self) -> None:
        self.communes = self._communes()

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        (code_text, name, english_name, legal_form, status, founded, address, commune, representative, phone, email,
         lines) = values  # fmt: skip
        if not code_text.strip():
            raise _rejected("Thiếu mã số doanh nghiệp.", "The enterprise code is missing.")
        code = validators.organisation_code_normalise(code_text)
        founded_date = _date(
            founded, field_name="founded_date", label_vi="Ngày thành lập", label_en="Founding date"
        )
        assert founded_date is not None
        if founded_date > self.today:
            raise _rejected(
                f"Ngày thành lập {founded_date:%d/%m/%Y} ở tương lai.",
                f"The founding date {founded_date:%d/%m/%Y} is in the future.",
            )
        representative_id = representative.strip()
        if representative_id:
            self._personal_id(
                representative_id, label_vi="số định danh người đại diện", label_en="representative's ID"
            )
        business_lines = [part.strip() for part in re.split(r"[;,\s]+", lines) if part.strip()]
        bad = [part for part in business_lines if not _VSIC_RE.fullmatch(part)]
        if bad:
            raise _rejected(
                f"Mã ngành '{bad[0][:10]}' không phải mã VSIC (4 hoặc 5 chữ số).",
                f"Business line '{bad[0][:10]}' is not a VSIC code (4 or 5 digits).",
            )
        row = (
            code,
            _text(
                name, max_length=255, label_vi="tên doanh nghiệp", label_en="enterprise name", required=True
            ),
            _text(english_name, max_length=255, label_vi="tên tiếng Anh", label_en="English name"),
            _choice(legal_form, _LEGAL_FORM, label_vi="loại hình", label_en="legal form", default="")
            if legal_form.strip()
            else "",
            _choice(
                status,
                _ORG_STATUS,
                label_vi="tình trạng",
                label_en="status",
                default=OrganisationStatus.ACTIVE,
            ),
            founded_date,
            _text(
                address,
                max_length=255,
                label_vi="địa chỉ trụ sở",
                label_en="head-office address",
                required=True,
            ),
            self._commune(commune, label_vi="xã/phường", label_en="commune", required=True),
            representative_id,
            validators.phone_normalise(phone, allow_landline=True) if phone.strip() else "",
            _email(email),
            ",".join(business_lines),
        )
        return code, row

    def write(
        self,
        batch: list[tuple[int, tuple[Any, ...]]],
        *,
        now: datetime,
        reject: Callable[[int, str, str], None],
    ) -> UpsertCounts:
        wanted = list({row[8] for _, row in batch if row[8]})
        representatives = lookup_ids(model=Citizen, key="personal_id", values=wanted)
        rows = []
        for line, row in batch:
            personal_id = row[8]
            if personal_id and personal_id not in representatives:
                reject(
                    line,
                    f"Không có công dân mang số định danh {personal_id} (người đại diện).",
                    f"No citizen with personal ID {personal_id} (the representative).",
                )
                continue
            rows.append((*row[:8], representatives.get(personal_id), *row[9:]))
        return bulk_upsert(model=Organisation, key="code", fields=self.fields, rows=rows, now=now)


class DriverLicenceImporter(_Importer):
    """``driver_licences.csv``: one row per licence, keyed on ``number``."""

    kind = "driver_licences"
    model = DriverLicence
    key = "number"
    columns = (
        "number",
        "holder_personal_id",
        "classes",
        "issue_date",
        "expiry_date",
        "issuing_agency",
        "status",
    )
    required_columns = frozenset({"number", "holder_personal_id", "classes", "issue_date"})
    fields = ("holder_personal_id", "classes", "issue_date", "expiry_date", "issuing_agency", "status")

    def prepare(self) -> None:
        self.agencies = dict(Agency.objects.values_list("code", "id"))

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        number_text, holder, classes, issued, expires, agency, status = values
        number = number_text.strip()
        if not _DIGITS12_RE.fullmatch(number):
            raise _rejected(
                f"Số giấy phép lái xe '{number[:20]}' phải có 12 chữ số.",
                f"Driving licence number '{number[:20]}' must have 12 digits.",
            )
        issue_date = _date(issued, field_name="issue_date", label_vi="Ngày cấp", label_en="Issue date")
        expiry_date = _date(
            expires, field_name="expiry_date", label_vi="Ngày hết hạn", label_en="Expiry date", required=False
        )
        assert issue_date is not None
        _check_period(issue_date, expiry_date, today=self.today)
        row = (
            number,
            self._personal_id(
                holder, label_vi="số định danh người được cấp", label_en="holder's personal ID"
            ),
            validators.driving_classes_normalise(classes),
            issue_date,
            expiry_date,
            self._agency(agency),
            _choice(
                status, _DOC_STATUS, label_vi="tình trạng", label_en="status", default=DocumentStatus.ACTIVE
            ),
        )
        return int(number), row


def _check_period(start: date, end: date | None, *, today: date) -> None:
    if start > today:
        raise _rejected(
            f"Ngày cấp {start:%d/%m/%Y} ở tương lai.", f"The issue date {start:%d/%m/%Y} is in the future."
        )
    if end is not None and end < start:
        raise _rejected(
            f"Ngày hết hạn {end:%d/%m/%Y} trước ngày cấp {start:%d/%m/%Y}.",
            f"The expiry date {end:%d/%m/%Y} is before the issue date {start:%d/%m/%Y}.",
        )


class VehicleImporter(_Importer):
    """``vehicles.csv``: one row per registered vehicle, keyed on ``plate``."""

    kind = "vehicles"
    model = VehicleRegistration
    key = "plate"
    columns = (
        "plate",
        "vehicle_type",
        "brand",
        "model",
        "colour",
        "chassis_number",
        "engine_number",
        "registration_date",
        "owner_id",
        "issuing_agency",
        "status",
    )
    required_columns = frozenset(
        {
            "plate",
            "vehicle_type",
            "brand",
            "colour",
            "chassis_number",
            "engine_number",
            "registration_date",
            "owner_id",
        }
    )
    fields = (
        "vehicle_type",
        "brand",
        "model",
        "colour",
        "chassis_number",
        "engine_number",
        "registration_date",
        "owner_identifier",
        "owner_kind",
        "issuing_agency",
        "status",
    )

    def prepare(self) -> None:
        self.agencies = dict(Agency.objects.values_list("code", "id"))

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        plate_text, vtype, brand, model, colour, chassis, engine, registered, owner, agency, status = values
        plate = validators.plate_normalise(plate_text)
        registration_date = _date(
            registered, field_name="registration_date", label_vi="Ngày đăng ký", label_en="Registration date"
        )
        assert registration_date is not None
        if registration_date > self.today:
            raise _rejected(
                f"Ngày đăng ký {registration_date:%d/%m/%Y} ở tương lai.",
                f"The registration date {registration_date:%d/%m/%Y} is in the future.",
            )
        owner_id = owner.strip()
        if _DIGITS12_RE.fullmatch(owner_id):
            validators.personal_id_validate(owner_id)
            owner_kind = OwnerKind.CITIZEN
        elif len(owner_id) in (10, 13, 14) and owner_id.replace("-", "").isdigit():
            owner_id = validators.organisation_code_normalise(owner_id)
            owner_kind = OwnerKind.ORGANISATION
        elif owner_id:
            raise _rejected(
                f"Chủ xe '{owner_id[:20]}' phải là số định danh cá nhân 12 chữ số hoặc mã số doanh nghiệp.",
                f"The owner '{owner_id[:20]}' must be a 12-digit personal ID or an enterprise code.",
            )
        else:
            raise _rejected(
                "Thiếu số định danh hoặc mã số doanh nghiệp của chủ xe.", "The owner's ID is missing."
            )
        row = (
            plate,
            _choice(vtype, _VEHICLE_TYPE, label_vi="loại xe", label_en="vehicle type"),
            _text(brand, max_length=50, label_vi="nhãn hiệu", label_en="brand", required=True),
            _text(model, max_length=50, label_vi="số loại", label_en="model"),
            _text(colour, max_length=30, label_vi="màu sơn", label_en="colour", required=True),
            _text(
                chassis, max_length=30, label_vi="số khung", label_en="chassis number", required=True
            ).upper(),
            _text(engine, max_length=30, label_vi="số máy", label_en="engine number", required=True).upper(),
            registration_date,
            owner_id,
            owner_kind,
            self._agency(agency),
            _choice(
                status, _DOC_STATUS, label_vi="tình trạng", label_en="status", default=DocumentStatus.ACTIVE
            ),
        )
        return plate, row


class HealthInsuranceCardImporter(_Importer):
    """``health_insurance_cards.csv``: one row per card, keyed on ``number``."""

    kind = "health_insurance_cards"
    model = HealthInsuranceCard
    key = "number"
    columns = (
        "number",
        "holder_personal_id",
        "benefit_level",
        "primary_care_facility_code",
        "primary_care_facility_name",
        "valid_from",
        "valid_to",
    )
    required_columns = frozenset(
        {"number", "holder_personal_id", "benefit_level", "primary_care_facility_code", "valid_from"}
    )
    fields = (
        "holder_personal_id",
        "benefit_level",
        "primary_care_facility_code",
        "primary_care_facility_name",
        "valid_from",
        "valid_to",
    )

    def parse(self, values: list[str]) -> tuple[Any, tuple[Any, ...]]:
        number_text, holder, level, facility_code, facility_name, valid_from_text, valid_to_text = values
        number = number_text.strip()
        if not _DIGITS10_RE.fullmatch(number):
            raise _rejected(
                f"Mã số thẻ bảo hiểm y tế '{number[:20]}' phải là mã số bảo hiểm xã hội 10 chữ số.",
                f"Health-insurance card number '{number[:20]}' must be the 10-digit social-insurance number.",
            )
        facility = facility_code.strip()
        if not _FACILITY_RE.fullmatch(facility):
            raise _rejected(
                f"Mã nơi khám chữa bệnh ban đầu '{facility[:10]}' phải có 5 chữ số.",
                f"Primary-care facility code '{facility[:10]}' must have 5 digits.",
            )
        valid_from = _date(
            valid_from_text, field_name="valid_from", label_vi="Ngày bắt đầu", label_en="Start date"
        )
        valid_to = _date(
            valid_to_text, field_name="valid_to", label_vi="Ngày hết hạn", label_en="End date", required=False
        )
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise _rejected(
                f"Ngày hết hạn {valid_to:%d/%m/%Y} trước ngày bắt đầu {valid_from:%d/%m/%Y}.",
                f"The end date {valid_to:%d/%m/%Y} is before the start date {valid_from:%d/%m/%Y}.",
            )
        row = (
            number,
            self._personal_id(holder, label_vi="số định danh người có thẻ", label_en="holder's personal ID"),
            _choice(level, _BENEFIT, label_vi="mức hưởng", label_en="benefit level"),
            facility,
            _text(facility_name, max_length=255, label_vi="tên nơi khám chữa bệnh", label_en="facility name"),
            valid_from,
            valid_to,
        )
        return int(number), row


IMPORTERS: dict[str, type[_Importer]] = {
    importer.kind: importer
    for importer in (
        CitizenImporter,
        HouseholdImporter,
        OrganisationImporter,
        DriverLicenceImporter,
        VehicleImporter,
        HealthInsuranceCardImporter,
    )
}


def _unknown_kind(kind: str) -> InvalidInput:
    known = ", ".join(IMPORTERS)
    return InvalidInput(
        f"Không có loại dữ liệu '{kind[:30]}' để nhập; các loại có: {known}.",
        f"There is no import kind '{kind[:30]}'; the kinds are: {known}.",
        code="import_kind",
    )


def _read_header(text: IO[str]) -> tuple[list[str], str]:
    first = text.readline()
    if not first.strip():
        raise InvalidInput(
            "Tệp trống hoặc thiếu dòng tiêu đề.",
            "The file is empty or has no header line.",
            code="import_header",
        )
    # Spreadsheets set to a Vietnamese or European locale save CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter))
    return [name.strip().lstrip("\ufeff").casefold() for name in header], delimiter


def _column_positions(importer: type[_Importer], header: list[str]) -> list[int]:
    unknown = [name for name in header if name not in importer.columns]
    missing = sorted(importer.required_columns - set(header))
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or duplicated:
        problems_vi, problems_en = [], []
        if missing:
            problems_vi.append(f"thiếu cột {', '.join(missing)}")
            problems_en.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems_vi.append(f"cột không biết {', '.join(n[:30] for n in unknown)}")
            problems_en.append(f"unknown column(s) {', '.join(n[:30] for n in unknown)}")
        if duplicated:
            problems_vi.append(f"cột lặp lại {', '.join(duplicated)}")
            problems_en.append(f"repeated column(s) {', '.join(duplicated)}")
        raise InvalidInput(
            f"Dòng tiêu đề (dòng 1) không đúng: {'; '.join(problems_vi)}. Các cột của '{importer.kind}': "
            f"{', '.join(importer.columns)}. Chưa có dòng nào được ghi.",
            f"The header (line 1) is wrong: {'; '.join(problems_en)}. The columns of '{importer.kind}' are: "
            f"{', '.join(importer.columns)}. Nothing was written.",
            code="import_header",
        )
    return [header.index(name) if name in header else -1 for name in importer.columns]


def _rows(
    text: IO[str],
    delimiter: str,
    width: int,
    positions: list[int],
    importer: _Importer,
    report: ImportReport,
    reject: Callable[[int, str, str], None],
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The accepted rows of the file with their line numbers; the others go to ``reject``."""
    reader = csv.reader(text, delimiter=delimiter)
    identity = positions == list(range(width))
    seen: set[Any] = set()
    previous_end = 1  # the header's line
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = previous_end + 1
            previous_end = reader.line_num + 1
            report.rows += 1
            reject(line, f"Dòng CSV hỏng ({error}).", f"Malformed CSV line ({error}).")
            continue
        line = previous_end + 1
        previous_end = reader.line_num + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue  # a blank line is no row
        report.rows += 1
        if len(values) != width:
            reject(
                line,
                f"Dòng có {len(values)} cột, nhưng dòng tiêu đề có {width} cột.",
                f"The line has {len(values)} columns, but the header has {width}.",
            )
            continue
        try:
            key, row = importer.parse(
                values if identity else [values[i] if i >= 0 else "" for i in positions]
            )
        except InvalidInput as error:
            reject(line, error.message_vi, error.message_en)
            continue
        if key in seen:
            reject(
                line,
                f"Trùng khóa {row[0]} với một dòng trước trong tệp; dòng này bị bỏ qua.",
                f"Duplicate key {row[0]}: an earlier line of the file has it; this line is skipped.",
            )
            continue
        seen.add(key)
        yield line, row


class _BatchWriter:
    """Hands batches to ``flush``: directly, or through a queue to a writer thread.

    The thread has its own database connection (closed when it ends), so parsing and the
    database's work overlap; at most two batches wait in the queue, which bounds memory. The
    first error in the thread stops the import and is raised in the caller's thread.
    """

    def __init__(self, flush: Callable[[list[tuple[int, tuple[Any, ...]]], bool], None], *, threaded: bool):
        self.flush = flush
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if threaded:
            self.queue: queue.Queue[tuple[list[tuple[int, tuple[Any, ...]]], bool] | None] = queue.Queue(
                maxsize=2
            )
            self.thread = threading.Thread(target=self._run, name="registry-import-writer", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.flush(*item)
                    except BaseException as error:  # handed over to the caller's thread
                        self.error = error
        finally:
            connections.close_all()

    def submit(self, batch: list[tuple[int, tuple[Any, ...]]], *, last: bool) -> None:
        if self.error is not None:
            raise self.error
        if self.thread is None:
            self.flush(batch, last)
        else:
            self.queue.put((batch, last))

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
            if self.error is not None:
                raise self.error


def import_csv(
    *,
    kind: str,
    stream: IO[bytes],
    file_name: str,
    actor: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rejects: IO[str] | None = None,
) -> ImportReport:
    """Import one CSV file of ``kind`` from a seekable binary ``stream`` (see the module doc)."""
    importer_class = IMPORTERS.get(kind)
    if importer_class is None:
        raise _unknown_kind(kind)
    started = time.monotonic()
    report = ImportReport(kind=kind, file_name=file_name)
    report.sha256 = scan_file(stream)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        header, delimiter = _read_header(text)
        positions = _column_positions(importer_class, header)
        importer = importer_class(today=timezone.localdate())
        importer.prepare()
        width = len(header)
        batch: list[tuple[int, tuple[Any, ...]]] = []
        reject_writer = csv.writer(rejects) if rejects is not None else None
        if reject_writer is not None:
            reject_writer.writerow(["line", "reason_vi", "reason_en"])
        lock = threading.Lock()

        def reject(line: int, reason_vi: str, reason_en: str) -> None:
            with lock:
                report.rejected += 1
                if len(report.rejections) < MAX_LISTED_REJECTIONS:
                    report.rejections.append(Rejection(line, reason_vi, reason_en))
                if reject_writer is not None:
                    reject_writer.writerow([line, reason_vi, reason_en])

        def flush(batch: list[tuple[int, tuple[Any, ...]]], last: bool) -> None:
            with transaction.atomic():
                counts = importer.write(batch, now=timezone.now(), reject=reject)
                report.created += counts.created
                report.updated += counts.updated
                report.unchanged += counts.unchanged
                if last:
                    report.extra = dict(importer.extra)
                    audit_record(
                        actor=actor,
                        action=f"registry.{kind}.import",
                        target_type="registry.import",
                        target_id=report.sha256,
                        details={
                            "kind": kind,
                            "file_name": file_name[:200],
                            "sha256": report.sha256,
                            **report.counts(),
                        },
                    )

        # Inside a caller's transaction every write must use the caller's connection; otherwise
        # a second thread writes batch n while this one parses batch n+1.
        writer = _BatchWriter(flush, threaded=not transaction.get_connection().in_atomic_block)
        try:
            for line, row in _rows(text, delimiter, width, positions, importer, report, reject):
                batch.append((line, row))
                if len(batch) >= batch_size:
                    writer.submit(batch, last=False)
                    batch = []
            writer.submit(batch, last=True)
        finally:
            writer.close()
        report.rejections.sort(key=lambda rejection: rejection.line)
    finally:
        text.detach()
    report.seconds = time.monotonic() - started
    return report

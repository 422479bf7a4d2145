"""Synthetic, realistic registry data for demos and benchmarks, deterministic for a seed.

The generator writes the six CSV files of the importer (``citizens.csv``, ``households.csv``,
``organisations.csv``, ``driver_licences.csv``, ``vehicles.csv``,
``health_insurance_cards.csv``) in one streaming pass, household by household, and the data
reaches the database through the importer (``services.registry_generate``). We chose files
plus the importer over writing rows directly because:

* there is one validated write path: every generated row passes the same checks as a real
  agency's file, so the generator cannot store what the importer would refuse, and a
  benchmark of the generator is a benchmark of the importer;
* memory stays flat for any N: a row is written as soon as it is made, and the ID numbers
  are unique by construction (a counter per ID prefix, scrambled by a bijection), so no set
  of issued numbers is kept;
* the files can be kept (``--out``) to load the same data elsewhere or to replay an import.

The same (seed, ``as_of`` date) always gives byte-identical files. Different seeds may
produce some of the same ID numbers; load one seed per database.
"""

from __future__ import annotations

import csv
import random
import time
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

import vietnam_provinces

from .choices import DocumentStatus, LegalForm, OrganisationStatus, Relationship, Sex, VehicleType
from .importing import IMPORTERS
from .reference import ETHNIC_GROUPS, FORMER_TO_CURRENT_PROVINCE, ID_PROVINCE_CODES, MOBILE_PREFIXES
from .validators import personal_id_build, tax_code_check_digit

FILES: dict[str, str] = {kind: f"{kind}.csv" for kind in IMPORTERS}
# The order the files must be imported in: households and organisations refer to citizens.
IMPORT_ORDER: tuple[str, ...] = (
    "citizens",
    "households",
    "organisations",
    "driver_licences",
    "vehicles",
    "health_insurance_cards",
)


class _Weighted:
    """Draw from a fixed population with weights, in O(log n)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


# Share of the population by family name (surveys of Vietnamese surnames; rounded).
_FAMILY = _Weighted(
    ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
     "Đinh", "Trương", "Mai", "Trịnh", "Đoàn", "Lương", "Cao", "Hà", "Lâm", "Tạ", "Châu", "Tô", "Quách"],
    [38.4, 12.1, 9.5, 7.0, 5.1, 4.5, 3.9, 2.1, 2.0, 1.4, 1.3, 1.3, 1.0, 0.5,
     0.5, 0.5, 0.4, 0.4, 0.4, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2, 0.1],
)  # fmt: skip
# Southern and south-central speech turned Hoàng into Huỳnh and Vũ into Võ.
_SOUTHERN_FORM = {"Hoàng": "Huỳnh", "Vũ": "Võ"}
_MIDDLE: dict[str, list[str]] = {
    Sex.MALE: ["Văn", "Đức", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Ngọc", "Hoàng", "Gia",
               "Tuấn", "Anh", "Bảo", "Trọng", "Quang", "Thế"],
    Sex.FEMALE: ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Mai", "Khánh", "Bảo", "Thúy", "Hải",
                 "Kim", "Diệu", "Ánh", "Thùy", "Bích", "Quỳnh"],
}  # fmt: skip
_TRADITIONAL_MIDDLE: dict[str, str] = {Sex.MALE: "Văn", Sex.FEMALE: "Thị"}
_GIVEN: dict[str, list[str]] = {
    Sex.MALE: ["An", "Anh", "Bảo", "Bình", "Cường", "Công", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng",
               "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Nhân",
               "Phong", "Phúc", "Quang", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
               "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Lộc", "Tín"],
    Sex.FEMALE: ["An", "Anh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hồng",
                 "Hương", "Huyền", "Lan", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
                 "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trâm", "Trinh",
                 "Tuyết", "Uyên", "Vân", "Vy", "Yến"],
}  # fmt: skip
_ETHNICITY = _Weighted([code for code, _, _ in ETHNIC_GROUPS], [weight for _, _, weight in ETHNIC_GROUPS])
_STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
            "Hùng Vương", "Phan Chu Trinh", "Điện Biên Phủ", "Võ Thị Sáu", "Nguyễn Trãi", "Lê Duẩn",
            "Trần Phú", "Nguyễn Văn Cừ", "Phạm Văn Đồng", "Lạc Long Quân", "Hoàng Diệu", "Bà Triệu"]  # fmt: skip
# Circular 24/2023/TT-BCA appendix: plate locality codes of the former provinces (first listed
# is used); synthetic plates take the code of the current province's namesake.
_PLATE_CODES = {
    "01": "29", "04": "11", "08": "22", "11": "27", "12": "25", "14": "26", "15": "24", "19": "20", "20": "12",
    "22": "14", "24": "99", "25": "19", "31": "15", "33": "89", "37": "35", "38": "36", "40": "37", "42": "38",
    "44": "74", "46": "75", "48": "43", "51": "76", "52": "81", "56": "79", "66": "47", "68": "49", "75": "60",
    "79": "51", "80": "70", "82": "66", "86": "64", "91": "67", "92": "65", "96": "69",
}  # fmt: skip
_MOTORBIKES = [("Honda", "Wave Alpha"), ("Honda", "Vision"), ("Honda", "Air Blade"), ("Yamaha", "Exciter"),
               ("Yamaha", "Sirius"), ("Honda", "SH Mode"), ("Suzuki", "Raider"), ("VinFast", "Evo200"),
               ("Piaggio", "Liberty"), ("SYM", "Elegant")]  # fmt: skip
_CARS = [("Toyota", "Vios"), ("Hyundai", "Accent"), ("Kia", "Morning"), ("Mazda", "3"), ("VinFast", "VF 5"),
         ("Ford", "Ranger"), ("Honda", "City"), ("Mitsubishi", "Xpander"), ("Toyota", "Innova"),
         ("Hyundai", "Porter")]  # fmt: skip
_COLOURS = ["Đen", "Trắng", "Đỏ", "Xanh", "Bạc", "Xám", "Vàng", "Nâu"]
_SERIES_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"
_BRAND_WORDS = ["Hòa Phát", "An Phát", "Thành Công", "Minh Long", "Đại Việt", "Phú Thái", "Tân Tiến",
                "Hưng Thịnh", "Sao Mai", "Bình Minh", "Hoàng Gia", "Trường Sơn", "Việt Tiến", "Phương Nam",
                "Đông Á", "Thiên Long", "Hải Âu", "Kim Ngân", "Mê Kông", "Hồng Hà", "Ánh Dương", "Tín Nghĩa"]  # fmt: skip
_SECTORS = [("Thương mại", "Trading", ["4610", "4649", "4690", "4711"]),
            ("Xây dựng", "Construction", ["4100", "4210", "4290", "4321"]),
            ("Công nghệ", "Technology", ["6201", "6202", "6209", "6311"]),
            ("Vận tải", "Transport", ["4933", "5229", "4932"]),
            ("Thực phẩm", "Food", ["1079", "1050", "4632", "5610"]),
            ("Du lịch", "Travel", ["7911", "5510", "7912"]),
            ("Dược phẩm", "Pharmaceutical", ["2100", "4649", "4772"]),
            ("Giáo dục", "Education", ["8559", "8560"]),
            ("Nông sản", "Agricultural Products", ["0150", "4620", "1061"])]  # fmt: skip
_LEGAL_FORMS = _Weighted(
    [(LegalForm.LIMITED_ONE, "Công ty TNHH", "Company Limited"),
     (LegalForm.LIMITED_MULTI, "Công ty TNHH", "Company Limited"),
     (LegalForm.JOINT_STOCK, "Công ty Cổ phần", "Joint Stock Company"),
     (LegalForm.PRIVATE, "Doanh nghiệp tư nhân", "Private Enterprise")],
    [45, 20, 30, 5],
)  # fmt: skip
_ORG_STATUS = _Weighted(
    [OrganisationStatus.ACTIVE, OrganisationStatus.SUSPENDED, OrganisationStatus.DISSOLVING,
     OrganisationStatus.DISSOLVED, OrganisationStatus.REVOKED],
    [85, 6, 2, 5, 2],
)  # fmt: skip
_ASCII = str.maketrans(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd",
)
# Multipliers coprime with 10^k: scramble a counter into a random-looking serial with no
# collision (a bijection of 0..10^k-1).
_SCRAMBLE_6 = 387_419
_SCRAMBLE_8 = 61_803_397
_SCRAMBLE_10 = 7_046_029_253


@dataclass
class GenerateReport:
    seed: int
    as_of: date
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Commune:
    code: str
    name: str
    province_code: str
    province_name: str
    is_rural: bool
    index_in_province: int


@dataclass
class _Person:
    personal_id: str
    family: str
    full_name: str
    sex: str
    date_of_birth: date
    ethnicity: str

    def age_on(self, day: date) -> int:
        birth = self.date_of_birth
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Generator:
    def __init__(self, *, seed: int, as_of: date, writers: dict[str, Any]):
        self.rng = random.Random(seed)
        self.seed = seed
        self.as_of = as_of
        self.writers = writers
        self.counts = dict.fromkeys(FILES, 0)
        self.counts["households"] = 0
        provinces = {f"{int(p.code):02d}": p.name for p in vietnam_provinces.Province.iter_all()}
        per_province: dict[str, int] = {}
        communes = []
        for ward in sorted(vietnam_provinces.Ward.iter_all(), key=lambda w: int(w.code)):
            province = f"{int(ward.province_code):02d}"
            index = per_province.get(province, 0)
            per_province[province] = index + 1
            communes.append(
                _Commune(
                    code=f"{int(ward.code):05d}",
                    name=ward.name,
                    province_code=province,
                    province_name=provinces[province],
                    is_rural=ward.division_type.value == "xã",
                    index_in_province=index,
                )
            )
        self.communes = communes
        self.former_of: dict[str, list[str]] = {}
        for former, current in sorted(FORMER_TO_CURRENT_PROVINCE.items()):
            self.former_of.setdefault(current, []).append(f"0{former}")
        self.id_provinces = sorted(ID_PROVINCE_CODES)
        self.id_counters: dict[tuple[str, int, int], int] = {}
        # Every counter starts at a seed-dependent offset so that two seeds rarely collide.
        self.offset = self.rng.randrange(1_000_000)
        self.tax_counters: dict[str, int] = {}
        self.licence_counter = self.rng.randrange(10**9)
        self.plate_counter = 0
        self.card_counters: dict[str, int] = {}
        self.mobile_prefixes = sorted(MOBILE_PREFIXES)

    # --- people ---------------------------------------------------------------------------
    def _birth_id_province(self, commune: _Commune) -> str:
        if self.rng.random() < 0.85:
            return self.rng.choice(self.former_of[commune.province_code])
        return self.rng.choice(self.id_provinces)

    def _personal_id(self, *, province: str, birth: date, sex: str) -> str:
        key = (province, birth.year, sex == Sex.FEMALE)
        count = self.id_counters.get(key, 0)
        self.id_counters[key] = count + 1
        # A per-prefix salt, so that the first person of every prefix does not share a serial.
        salt = (int(province) * 7_919 + birth.year * 104_729 + (sex == Sex.FEMALE) * 15_485_863) % 1_000_000
        serial = (count * _SCRAMBLE_6 + self.offset + salt) % 1_000_000
        return personal_id_build(province_code=province, date_of_birth=birth, sex=sex, serial=serial)

    def _birth_date(self, age: int) -> date:
        latest = date(self.as_of.year - age, self.as_of.month, min(self.as_of.day, 28))
        return latest - timedelta(days=self.rng.randrange(365))

    def _person(self, *, commune: _Commune, age: int, sex: str, family: str, ethnicity: str) -> _Person:
        rng = self.rng
        birth = self._birth_date(age)
        if birth.year < 1990 and rng.random() < 0.6:
            middle = _TRADITIONAL_MIDDLE[sex]
        else:
            middle = rng.choice(_MIDDLE[sex])
        given = rng.choice(_GIVEN[sex])
        name = f"{family} {middle} {given}"
        if rng.random() < 0.15:  # many younger people have two given names
            name = f"{family} {middle} {rng.choice(_GIVEN[sex])} {given}"
        return _Person(
            personal_id=self._personal_id(province=self._birth_id_province(commune), birth=birth, sex=sex),
            family=family,
            full_name=name,
            sex=sex,
            date_of_birth=birth,
            ethnicity=ethnicity,
        )

    def _family_name(self, commune: _Commune) -> str:
        family: str = _FAMILY.draw(self.rng)
        if int(commune.province_code) >= 44:  # from Quảng Trị southwards
            family = _SOUTHERN_FORM.get(family, family)
        return family

    def _address(self, commune: _Commune) -> str:
        rng = self.rng
        if commune.is_rural:
            hamlet = "Ấp" if int(commune.province_code) >= 75 else "Thôn"
            return f"{hamlet} {rng.randint(1, 12)}"
        if rng.random() < 0.4:
            return f"Số {rng.randint(1, 120)}, ngõ {rng.randint(1, 300)}, đường {rng.choice(_STREETS)}"
        return f"Số {rng.randint(1, 500)}, đường {rng.choice(_STREETS)}"

    def _phone(self) -> str:
        return f"{self.rng.choice(self.mobile_prefixes)}{self.rng.randrange(10_000_000):07d}"

    def _email(self, person: _Person) -> str:
        given = person.full_name.rsplit(" ", 1)[-1].lower().translate(_ASCII)
        family = person.family.lower().translate(_ASCII)
        return f"{given}.{family}{self.rng.randrange(1000)}@example.com"

    # --- households -----------------------------------------------------------------------
    def household(self, index: int, remaining: int) -> int:
        """Write one household (at most ``remaining`` people); return how many people it has."""
        rng = self.rng
        commune = self.communes[rng.randrange(len(self.communes))]
        ethnicity: str = _ETHNICITY.draw(rng)
        head_age = int(rng.triangular(20, 90, 42))
        head_sex = Sex.MALE if rng.random() < 0.7 else Sex.FEMALE
        head_family = self._family_name(commune)
        head = self._person(
            commune=commune, age=head_age, sex=head_sex, family=head_family, ethnicity=ethnicity
        )
        members: list[tuple[_Person, str]] = [(head, Relationship.HEAD)]
        father_family = head_family
        mother_age = head_age if head_sex == Sex.FEMALE else None
        if head_age >= 22 and rng.random() < 0.78 and len(members) < remaining:
            spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            spouse_age = max(
                18, head_age + (rng.randint(-8, 2) if spouse_sex == Sex.FEMALE else rng.randint(-2, 8))
            )
            spouse_family = self._family_name(commune)
            spouse = self._person(
                commune=commune, age=spouse_age, sex=spouse_sex, family=spouse_family, ethnicity=ethnicity
            )
            members.append((spouse, Relationship.WIFE if spouse_sex == Sex.FEMALE else Relationship.HUSBAND))
            if spouse_sex == Sex.MALE:
                father_family = spouse_family
            mother_age = spouse_age if spouse_sex == Sex.FEMALE else head_age
        if mother_age is not None and mother_age >= 19:
            children = rng.choices((0, 1, 2, 3, 4), weights=(22, 30, 32, 12, 4))[0]
            oldest = min(mother_age - 18, 40)
            for _ in range(children):
                if len(members) >= remaining:
                    break
                sex = Sex.MALE if rng.random() < 0.52 else Sex.FEMALE
                child = self._person(
                    commune=commune,
                    age=rng.randint(0, oldest),
                    sex=sex,
                    family=father_family,
                    ethnicity=ethnicity,
                )
                members.append((child, Relationship.CHILD))
        if head_age < 55 and rng.random() < 0.1 and len(members) < remaining:
            sex = Sex.MALE if rng.random() < 0.4 else Sex.FEMALE
            parent_family = head_family if sex == Sex.MALE else self._family_name(commune)
            parent = self._person(
                commune=commune,
                age=min(head_age + rng.randint(22, 35), 99),
                sex=sex,
                family=parent_family,
                ethnicity=ethnicity,
            )
            members.append((parent, Relationship.FATHER if sex == Sex.MALE else Relationship.MOTHER))
        members = members[:remaining]

        address = self._address(commune)
        code = f"HK{self.seed % 1000:03d}{index:09d}"
        origin = f"{commune.name}, {commune.province_name}"
        for person, relationship in members:
            self._write_citizen(person, commune=commune, address=address, origin=origin)
            is_head = relationship == Relationship.HEAD
            self.writers["households"].writerow(
                [
                    code,
                    person.personal_id,
                    relationship,
                    address if is_head else "",
                    commune.code if is_head else "",
                ]
            )
            self._documents(person, commune=commune)
        if rng.random() < 0.08 and 25 <= head_age <= 65:
            self._organisation(head, commune=commune)
        self.counts["households"] += 1
        return len(members)

    def _write_citizen(self, person: _Person, *, commune: _Commune, address: str, origin: str) -> None:
        rng = self.rng
        age = person.age_on(self.as_of)
        temporary_address, temporary_commune = "", ""
        if age >= 18 and rng.random() < 0.05:
            elsewhere = self.communes[rng.randrange(len(self.communes))]
            temporary_address, temporary_commune = self._address(elsewhere), elsewhere.code
        phone = self._phone() if age >= 16 and rng.random() < 0.9 else ""
        email = self._email(person) if age >= 18 and rng.random() < 0.2 else ""
        self.writers["citizens"].writerow(
            [
                person.personal_id,
                person.full_name,
                person.date_of_birth.isoformat(),
                person.sex,
                person.ethnicity,
                "VN",
                origin,
                address,
                commune.code,
                temporary_address,
                temporary_commune,
                phone,
                email,
            ]
        )
        self.counts["citizens"] += 1

    # --- documents ------------------------------------------------------------------------
    def _documents(self, person: _Person, *, commune: _Commune) -> None:
        rng = self.rng
        age = person.age_on(self.as_of)
        if age >= 18 and rng.random() < 0.45:
            self._licence(person, commune=commune)
        if age >= 18 and rng.random() < 0.55:
            self._vehicle(person, commune=commune)
        if rng.random() < 0.92:
            self._card(person, commune=commune, age=age)

    def _random_day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, max(span, 0)))

    def _licence(self, person: _Person, *, commune: _Commune) -> None:
        rng = self.rng
        adult = person.date_of_birth.replace(
            year=person.date_of_birth.year + 18, day=min(person.date_of_birth.day, 28)
        )
        issued = self._random_day_between(max(adult, date(1995, 1, 1)), self.as_of)
        new_law = issued >= date(2025, 1, 1)  # Road Traffic Order and Safety Law 2024
        draw = rng.random()
        if draw < 0.8:
            classes, years = "A1", None
        elif draw < 0.95:
            classes, years = ("A1,B" if new_law else "A1,B2"), 10
        else:
            classes, years = "C", 5
        expiry = issued.replace(year=issued.year + years, day=min(issued.day, 28)) if years else None
        self.licence_counter += 1
        number = f"{commune.province_code}{(self.licence_counter * _SCRAMBLE_10) % 10**10:010d}"
        self.writers["driver_licences"].writerow(
            [number, person.personal_id, classes, issued.isoformat(), expiry.isoformat() if expiry else "", "",
             DocumentStatus.ACTIVE]
        )  # fmt: skip
        self.counts["driver_licences"] += 1

    def _vehicle(self, person: _Person, *, commune: _Commune) -> None:
        rng = self.rng
        count = self.plate_counter
        self.plate_counter += 1
        number = (count * 7_919 + self.offset) % 100_000
        letter = _SERIES_LETTERS[(count // 100_000) % len(_SERIES_LETTERS)]
        locality = _PLATE_CODES[commune.province_code]
        if rng.random() < 0.85:
            series = f"{letter}{1 + (count // (100_000 * len(_SERIES_LETTERS))) % 9}"
            brand, model = rng.choice(_MOTORBIKES)
            vehicle_type = VehicleType.MOTORCYCLE
        else:
            # Car plates use their own series letter block so they never meet a motorcycle's.
            series = f"{letter}"
            brand, model = rng.choice(_CARS)
            vehicle_type = VehicleType.CAR
        plate = f"{locality}{series}-{number // 100:03d}.{number % 100:02d}"
        adult = date(person.date_of_birth.year + 18, 1, 1)
        registered = self._random_day_between(max(adult, date(2000, 1, 1)), self.as_of)
        chassis = f"RL{rng.randrange(16**12):012X}{count % 1000:03d}"
        engine = f"E{rng.randrange(10**9):09d}"
        self.writers["vehicles"].writerow(
            [plate, vehicle_type, brand, model, rng.choice(_COLOURS), chassis, engine, registered.isoformat(),
             person.personal_id, "", DocumentStatus.ACTIVE]
        )  # fmt: skip
        self.counts["vehicles"] += 1

    def _card(self, person: _Person, *, commune: _Commune, age: int) -> None:
        rng = self.rng
        province = commune.province_code
        count = self.card_counters.get(province, 0)
        self.card_counters[province] = count + 1
        number = (
            f"{province}{(count * _SCRAMBLE_8 + self.offset * 97 + int(province) * 1_299_709) % 10**8:08d}"
        )
        if age < 6:
            # Law on Health Insurance art. 12: children under six are insured by the state,
            # their card valid until the day before they turn six.
            level, valid_to = (
                1,
                person.date_of_birth.replace(
                    year=person.date_of_birth.year + 6, day=min(person.date_of_birth.day, 28)
                )
                - timedelta(days=1),
            )
            valid_from = person.date_of_birth
        else:
            level = rng.choices((1, 2, 3, 4, 5), weights=(5, 12, 10, 70, 3))[0]
            valid_from, valid_to = date(self.as_of.year, 1, 1), date(self.as_of.year, 12, 31)
        facility = f"{province}{commune.index_in_province % 1000:03d}"
        self.writers["health_insurance_cards"].writerow(
            [number, person.personal_id, level, facility, f"Trạm Y tế {commune.name}", valid_from.isoformat(),
             valid_to.isoformat()]
        )  # fmt: skip
        self.counts["health_insurance_cards"] += 1

    # --- organisations --------------------------------------------------------------------
    def _tax_code(self, province: str) -> str:
        while True:
            count = self.tax_counters.get(province, 0) + 1
            self.tax_counters[province] = count
            sequence = (count * 1_234_577 + self.offset) % 10**7
            if sequence == 0:
                continue
            first_nine = f"{province}{sequence:07d}"
            check = tax_code_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"

    def _organisation(self, representative: _Person, *, commune: _Commune) -> None:
        rng = self.rng
        code = self._tax_code(commune.province_code)
        legal_form, prefix, suffix_en = _LEGAL_FORMS.draw(rng)
        sector_vi, sector_en, lines = rng.choice(_SECTORS)
        brand = rng.choice(_BRAND_WORDS)
        brand_ascii = brand.translate(_ASCII).title()
        founded = self._random_day_between(date(1995, 1, 1), self.as_of)
        status = _ORG_STATUS.draw(rng)
        business = ",".join(sorted(rng.sample(lines, k=min(len(lines), rng.randint(1, 3)))))
        phone = self._phone()
        row = [code, f"{prefix} {sector_vi} {brand}", f"{brand_ascii} {sector_en} {suffix_en}", legal_form, status,
               founded.isoformat(), self._address(commune), commune.code, representative.personal_id, phone, "",
               business]  # fmt: skip
        self.writers["organisations"].writerow(row)
        self.counts["organisations"] += 1
        if rng.random() < 0.1:
            branch_commune = self.communes[rng.randrange(len(self.communes))]
            self.writers["organisations"].writerow(
                [f"{code}-001", f"Chi nhánh {prefix} {sector_vi} {brand} tại {branch_commune.province_name}", "",
                 LegalForm.BRANCH, status, self._random_day_between(founded, self.as_of).isoformat(),
                 self._address(branch_commune), branch_commune.code, representative.personal_id, "", "", business]
            )  # fmt: skip
            self.counts["organisations"] += 1


def generate_files(*, citizens: int, seed: int, out_dir: Path, as_of: date) -> GenerateReport:
    """Write ``citizens`` people (in households) and their documents as CSV files in ``out_dir``."""
    if citizens < 0:
        raise ValueError("citizens must not be negative")
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    report = GenerateReport(seed=seed, as_of=as_of)
    handles: dict[str, IO[str]] = {}
    try:
        writers: dict[str, Any] = {}
        for kind, name in FILES.items():
            path = out_dir / name
            handle = path.open("w", encoding="utf-8", newline="")
            handles[kind] = handle
            report.files[kind] = path
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(IMPORTERS[kind].columns)
            writers[kind] = writer
        generator = _Generator(seed=seed, as_of=as_of, writers=writers)
        made = 0
        index = 0
        while made < citizens:
            index += 1
            made += generator.household(index, citizens - made)
        report.counts = dict(generator.counts)
    finally:
        for opened in handles.values():
            opened.close()
    report.seconds = time.monotonic() - started
    return report

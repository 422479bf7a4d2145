"""Reference data of the registries: code lists fixed by law, kept as data, not logic.

Everything here is a published list; where a list changes (a new ethnic-group code, a new
vehicle class) it changes in this file and nowhere else.
"""

from __future__ import annotations

from types import MappingProxyType

# Circular 07/2016/TT-BCA appendix 1: the province-of-birth-registration codes that open a
# personal identification number ("PPP"). They stay valid in ID numbers after the 2025
# merger of provinces (vietnam.md section 4), so they are NOT the 34 current provinces.
ID_PROVINCE_CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa-Vũng Tàu",
        "079": "TP Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

# Resolution 202/2025/QH15 (in force 12/6/2025): which of today's 34 provinces each of the 63
# former provinces was merged into, by two-digit province code. Used to place people where
# they were born; the ID number itself keeps the old code.
FORMER_TO_CURRENT_PROVINCE: MappingProxyType[str, str] = MappingProxyType(
    {
        "01": "01", "02": "08", "04": "04", "06": "19", "08": "08", "10": "15", "11": "11",
        "12": "12", "14": "14", "15": "15", "17": "25", "19": "19", "20": "20", "22": "22",
        "24": "24", "25": "25", "26": "25", "27": "24", "30": "31", "31": "31", "33": "33",
        "34": "33", "35": "37", "36": "37", "37": "37", "38": "38", "40": "40", "42": "42",
        "44": "44", "45": "44", "46": "46", "48": "48", "49": "48", "51": "51", "52": "52",
        "54": "66", "56": "56", "58": "56", "60": "68", "62": "51", "64": "52", "66": "66",
        "67": "68", "68": "68", "70": "75", "72": "80", "74": "79", "75": "75", "77": "79",
        "79": "79", "80": "80", "82": "82", "83": "86", "84": "86", "86": "86", "87": "82",
        "89": "91", "91": "91", "92": "92", "93": "92", "94": "92", "95": "96", "96": "96",
    }
)  # fmt: skip

# Decision 121-TCTK/PPCĐ (2/3/1979), list of Vietnam's 54 ethnic groups with their codes,
# and each group's population in thousands at the 2019 census (rounded; used only to weight
# synthetic data).
ETHNIC_GROUPS: tuple[tuple[str, str, float], ...] = (
    ("01", "Kinh", 82085.8),
    ("02", "Tày", 1845.5),
    ("03", "Thái", 1820.9),
    ("04", "Hoa", 749.5),
    ("05", "Khơ-me", 1319.7),
    ("06", "Mường", 1452.1),
    ("07", "Nùng", 1083.3),
    ("08", "Hmông", 1393.5),
    ("09", "Dao", 891.2),
    ("10", "Gia-rai", 513.9),
    ("11", "Ngái", 1.6),
    ("12", "Ê-đê", 398.7),
    ("13", "Ba-na", 286.9),
    ("14", "Xơ-đăng", 212.3),
    ("15", "Sán Chay", 201.4),
    ("16", "Cơ-ho", 200.8),
    ("17", "Chăm", 178.9),
    ("18", "Sán Dìu", 183.0),
    ("19", "Hrê", 149.5),
    ("20", "Mnông", 127.3),
    ("21", "Ra-glai", 146.6),
    ("22", "Xtiêng", 100.8),
    ("23", "Bru-Vân Kiều", 94.6),
    ("24", "Thổ", 91.4),
    ("25", "Giáy", 67.9),
    ("26", "Cơ-tu", 74.2),
    ("27", "Gié-Triêng", 63.3),
    ("28", "Mạ", 50.3),
    ("29", "Khơ-mú", 90.6),
    ("30", "Co", 40.4),
    ("31", "Tà-ôi", 52.4),
    ("32", "Chơ-ro", 29.5),
    ("33", "Kháng", 16.2),
    ("34", "Xinh-mun", 29.5),
    ("35", "Hà Nhì", 25.5),
    ("36", "Chu-ru", 23.2),
    ("37", "Lào", 17.5),
    ("38", "La Chí", 15.1),
    ("39", "La Ha", 10.2),
    ("40", "Phù Lá", 12.5),
    ("41", "La Hủ", 12.1),
    ("42", "Lự", 6.8),
    ("43", "Lô Lô", 4.8),
    ("44", "Chứt", 7.5),
    ("45", "Mảng", 4.6),
    ("46", "Pà Thẻn", 8.2),
    ("47", "Cơ Lao", 4.0),
    ("48", "Cống", 2.7),
    ("49", "Bố Y", 3.2),
    ("50", "Si La", 0.9),
    ("51", "Pu Péo", 0.9),
    ("52", "Brâu", 0.5),
    ("53", "Ơ Đu", 0.4),
    ("54", "Rơ-măm", 0.6),
)

# Vietnam's numbering plan after the 2018 change from 11 to 10 digits (Circular
# 22/2014/TT-BTTTT as amended): mobile numbers are 10 digits and start with one of these.
MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"03{d}" for d in "23456789"]
    + ["052", "055", "056", "058", "059"]
    + ["070", "076", "077", "078", "079"]
    + [f"08{d}" for d in "123456789"]
    + [f"09{d}" for d in "0123456789"]
)

# Road Traffic Order and Safety Law 2024 art. 57 (in force 1/1/2025) ...
DRIVING_CLASSES_2024: tuple[str, ...] = (
    "A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE",
)  # fmt: skip
# ... and the classes of the Road Traffic Law 2008 art. 59, still on licences issued before.
DRIVING_CLASSES_2008: tuple[str, ...] = (
    "A2", "A3", "A4", "B2", "E", "FB2", "FC", "FD", "FE",
)  # fmt: skip
DRIVING_CLASSES: frozenset[str] = frozenset(DRIVING_CLASSES_2024 + DRIVING_CLASSES_2008)

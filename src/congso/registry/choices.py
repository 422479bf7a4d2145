"""Enumerations of the registries, shared by models, validators, the importer and the generator."""

from __future__ import annotations

from django.db import models

from .reference import ETHNIC_GROUPS


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


# Decision 121-TCTK/PPCĐ: the two-digit code of each of the 54 ethnic groups.
ETHNICITY_CHOICES: list[tuple[str, str]] = [(code, name) for code, name, _ in ETHNIC_GROUPS]


class AgencyLevel(models.TextChoices):
    MINISTRY = "ministry", "Bộ, ngành trung ương"
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", "Ủy ban nhân dân"
    POLICE = "police", "Công an"
    JUSTICE = "justice", "Tư pháp"
    TRANSPORT = "transport", "Giao thông vận tải, xây dựng"
    SOCIAL_INSURANCE = "social_insurance", "Bảo hiểm xã hội"
    TAX = "tax", "Thuế"
    FINANCE = "finance", "Tài chính, đăng ký kinh doanh"
    HEALTH = "health", "Y tế"
    OTHER = "other", "Khác"


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class DivisionType(models.TextChoices):
    """Types of units of the two-tier local government in force since 1/7/2025."""

    PROVINCE = "tỉnh", "Tỉnh"
    CENTRAL_CITY = "thành phố trung ương", "Thành phố trực thuộc trung ương"
    COMMUNE = "xã", "Xã"
    WARD = "phường", "Phường"
    SPECIAL_ZONE = "đặc khu", "Đặc khu"


class Relationship(models.TextChoices):
    """Relationship of a household member to the head ("quan hệ với chủ hộ")."""

    HEAD = "head", "Chủ hộ"
    WIFE = "wife", "Vợ"
    HUSBAND = "husband", "Chồng"
    CHILD = "child", "Con"
    FATHER = "father", "Cha"
    MOTHER = "mother", "Mẹ"
    GRANDFATHER = "grandfather", "Ông"
    GRANDMOTHER = "grandmother", "Bà"
    GRANDCHILD = "grandchild", "Cháu"
    OLDER_BROTHER = "older_brother", "Anh"
    OLDER_SISTER = "older_sister", "Chị"
    YOUNGER_SIBLING = "younger_sibling", "Em"
    DAUGHTER_IN_LAW = "daughter_in_law", "Con dâu"
    SON_IN_LAW = "son_in_law", "Con rể"
    OTHER = "other", "Khác"


class OrganisationStatus(models.TextChoices):
    # Law on Enterprises 2020 arts. 206-212 and the Law on Bankruptcy 2014.
    ACTIVE = "active", "Đang hoạt động"
    SUSPENDED = "suspended", "Tạm ngừng kinh doanh"
    DISSOLVING = "dissolving", "Đang làm thủ tục giải thể"
    DISSOLVED = "dissolved", "Đã giải thể"
    REVOKED = "revoked", "Bị thu hồi giấy chứng nhận đăng ký"
    BANKRUPT = "bankrupt", "Đã phá sản"


class LegalForm(models.TextChoices):
    # Law on Enterprises 2020 arts. 46, 74, 111, 177, 188 and art. 44 (dependent units).
    LIMITED_ONE = "limited_one", "Công ty TNHH một thành viên"
    LIMITED_MULTI = "limited_multi", "Công ty TNHH hai thành viên trở lên"
    JOINT_STOCK = "joint_stock", "Công ty cổ phần"
    PARTNERSHIP = "partnership", "Công ty hợp danh"
    PRIVATE = "private", "Doanh nghiệp tư nhân"
    BRANCH = "branch", "Chi nhánh"
    REPRESENTATIVE_OFFICE = "representative_office", "Văn phòng đại diện"
    BUSINESS_LOCATION = "business_location", "Địa điểm kinh doanh"
    OTHER = "other", "Khác"


class DocumentStatus(models.TextChoices):
    ACTIVE = "active", "Còn hiệu lực"
    SUSPENDED = "suspended", "Tạm đình chỉ"
    REVOKED = "revoked", "Đã thu hồi"


class VehicleType(models.TextChoices):
    CAR = "car", "Ô tô con"
    TRUCK = "truck", "Ô tô tải"
    COACH = "coach", "Ô tô khách"
    MOTORCYCLE = "motorcycle", "Mô tô"
    MOPED = "moped", "Xe gắn máy"
    TRAILER = "trailer", "Rơ moóc, sơ mi rơ moóc"
    SPECIALISED = "specialised", "Xe máy chuyên dùng"
    OTHER = "other", "Khác"


class OwnerKind(models.TextChoices):
    CITIZEN = "citizen", "Cá nhân"
    ORGANISATION = "organisation", "Tổ chức"


class BenefitLevel(models.IntegerChoices):
    # Decision 1351/QĐ-BHXH (2015) on health-insurance card codes: the benefit level digit.
    LEVEL_1 = 1, "Mức 1 (100%)"
    LEVEL_2 = 2, "Mức 2 (100%, có giới hạn trần dịch vụ kỹ thuật cao)"
    LEVEL_3 = 3, "Mức 3 (95%)"
    LEVEL_4 = 4, "Mức 4 (80%)"
    LEVEL_5 = 5, "Mức 5 (100%)"


class RegistryKind(models.TextChoices):
    """The base registries, each owned by one agency."""

    POPULATION = "population", "Cơ sở dữ liệu quốc gia về dân cư"
    ORGANISATIONS = "organisations", "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"
    DRIVER_LICENCES = "driver_licences", "Cơ sở dữ liệu giấy phép lái xe"
    VEHICLES = "vehicles", "Cơ sở dữ liệu đăng ký phương tiện"
    HEALTH_INSURANCE = "health_insurance", "Cơ sở dữ liệu bảo hiểm y tế"

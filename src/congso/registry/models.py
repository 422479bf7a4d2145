"""The base registries ("cơ sở dữ liệu nền"): agencies, administrative units, population,
organisations, and the issuer registries keyed to a person's ID number.

Reads that depend on who is asking go through ``Model.objects.visible_to(user)``; writes go
through ``services.py``; the bulk path is ``importing.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from congso.core.errors import InvalidInput

from . import validators
from .choices import (
    ETHNICITY_CHOICES,
    AgencyKind,
    AgencyLevel,
    BenefitLevel,
    DivisionType,
    DocumentStatus,
    LegalForm,
    OrganisationStatus,
    OwnerKind,
    RegistryKind,
    Relationship,
    Sex,
    UnitLevel,
    VehicleType,
)


def _can_view_all(user: Any, model: type[models.Model]) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    )


def _as_validation_error(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field or "__all__": error.message})


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        abstract = True


# --- Administrative units and agencies -------------------------------------------------------
class AdministrativeUnit(models.Model):
    """A province or commune of the two-tier local government ("đơn vị hành chính").

    The primary key is the official code (Decision 19/2025/QĐ-TTg: two digits for a province,
    five for a commune), so a CSV row can name a commune by its code with no lookup.
    """

    code = models.CharField("mã", max_length=5, primary_key=True)
    name = models.CharField("tên", max_length=100)
    division_type = models.CharField("loại đơn vị", max_length=30, choices=DivisionType.choices)
    level = models.CharField("cấp", max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="thuộc tỉnh",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    codename = models.CharField("tên không dấu", max_length=100, blank=True)

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"], name="registry_unit_level_name")]

    def __str__(self) -> str:
        if self.level == UnitLevel.COMMUNE and self.parent_id:
            return f"{self.name}, {self.parent.name if self.parent else self.parent_id}"
        return self.name


class Agency(models.Model):
    """A state agency ("cơ quan") in the tree ministry → province → commune."""

    code = models.CharField("mã định danh cơ quan", max_length=20, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    level = models.CharField("cấp", max_length=10, choices=AgencyLevel.choices)
    kind = models.CharField("lĩnh vực", max_length=20, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="địa bàn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        try:
            validators.agency_code_validate(self.code)
        except InvalidInput as error:
            raise _as_validation_error(error) from None


class Registry(models.Model):
    """Which agency owns (is the data controller of) each base registry."""

    kind = models.CharField("cơ sở dữ liệu", max_length=20, choices=RegistryKind.choices, unique=True)
    owner = models.ForeignKey(
        Agency, verbose_name="cơ quan chủ quản", on_delete=models.PROTECT, related_name="registries"
    )

    class Meta:
        verbose_name = "cơ sở dữ liệu nền"
        verbose_name_plural = "cơ sở dữ liệu nền"

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Population -------------------------------------------------------------------------------
class CitizenQuerySet(models.QuerySet["Citizen"]):
    def visible_to(self, user: Any) -> CitizenQuerySet:
        """Officers with the view right see everyone; a person sees only their own record."""
        if _can_view_all(user, Citizen):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(personal_id=user.get_username())
        return self.none()


class Citizen(TimestampedModel):
    """A person in the national population database ("công dân")."""

    personal_id = models.CharField("số định danh cá nhân", max_length=12, unique=True)
    full_name = models.CharField("họ và tên", max_length=100)
    date_of_birth = models.DateField("ngày sinh")
    sex = models.CharField("giới tính", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("dân tộc", max_length=2, choices=ETHNICITY_CHOICES, default="01")
    nationality = models.CharField("quốc tịch", max_length=2, default="VN")
    place_of_origin = models.CharField("quê quán", max_length=255, blank=True)
    permanent_address = models.CharField("nơi thường trú", max_length=255)
    permanent_commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="xã/phường thường trú",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": UnitLevel.COMMUNE},
    )
    temporary_address = models.CharField("nơi tạm trú", max_length=255, blank=True)
    temporary_commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="xã/phường tạm trú",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": UnitLevel.COMMUNE},
        db_index=False,  # see Meta.indexes: most people have no temporary residence
    )
    phone = models.CharField("số điện thoại", max_length=10, blank=True)
    email = models.EmailField("thư điện tử", blank=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = "công dân"
        verbose_name_plural = "công dân"
        ordering = ["personal_id"]
        indexes = [
            models.Index(
                fields=["temporary_commune"],
                condition=Q(temporary_commune__isnull=False),
                name="registry_citizen_temp_commune",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"

    def clean(self) -> None:
        try:
            validators.personal_id_validate(self.personal_id, date_of_birth=self.date_of_birth, sex=self.sex)
            if self.date_of_birth:
                validators.date_of_birth_check(self.date_of_birth, today=timezone.localdate())
            self.full_name = validators.full_name_normalise(self.full_name)
            if self.phone:
                self.phone = validators.phone_normalise(self.phone)
        except InvalidInput as error:
            raise _as_validation_error(error) from None
        if bool(self.temporary_address) != bool(self.temporary_commune_id):
            raise ValidationError(
                {"temporary_address": "Nơi tạm trú cần cả địa chỉ và xã/phường (both address and commune)."}
            )


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, user: Any) -> HouseholdQuerySet:
        """Officers with the view right see every household; a person sees their own."""
        if _can_view_all(user, Household):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(members__citizen__personal_id=user.get_username())
        return self.none()


class Household(TimestampedModel):
    """A household ("hộ gia đình") registered at one permanent residence (Law on Residence 2020)."""

    code = models.CharField("số hộ", max_length=20, unique=True)
    address_line = models.CharField("địa chỉ", max_length=255)
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="xã/phường",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": UnitLevel.COMMUNE},
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "hộ gia đình"
        verbose_name_plural = "hộ gia đình"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def head(self) -> Citizen | None:
        member = self.members.filter(relationship=Relationship.HEAD).select_related("citizen").first()
        return member.citizen if member else None


class HouseholdMember(TimestampedModel):
    """A person's place in a household; one household per person, one head per household."""

    household = models.ForeignKey(
        Household, verbose_name="hộ gia đình", on_delete=models.CASCADE, related_name="members"
    )
    citizen = models.OneToOneField(
        Citizen, verbose_name="công dân", on_delete=models.CASCADE, related_name="household_membership"
    )
    relationship = models.CharField("quan hệ với chủ hộ", max_length=20, choices=Relationship.choices)

    class Meta:
        verbose_name = "thành viên hộ"
        verbose_name_plural = "thành viên hộ"
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="head"),
                name="registry_household_one_head",
                violation_error_message="Mỗi hộ chỉ có một chủ hộ (a household has one head).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.citizen} — {self.get_relationship_display()}"


# --- Organisations ----------------------------------------------------------------------------
class Organisation(TimestampedModel):
    """An enterprise or dependent unit in the business registry ("doanh nghiệp").

    The business registration portal publishes the fields in ``PUBLIC_FIELDS``; the rest
    (representative, contacts) is personal or private data and leaves only through the
    exchange under a granted right.
    """

    PUBLIC_FIELDS: tuple[str, ...] = (
        "code",
        "name",
        "english_name",
        "legal_form",
        "status",
        "founded_date",
        "address_line",
        "commune",
    )

    # Public.
    code = models.CharField("mã số doanh nghiệp", max_length=14, unique=True)
    name = models.CharField("tên doanh nghiệp", max_length=255)
    english_name = models.CharField("tên tiếng Anh", max_length=255, blank=True)
    legal_form = models.CharField("loại hình", max_length=30, choices=LegalForm.choices, blank=True)
    status = models.CharField(
        "tình trạng", max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    founded_date = models.DateField("ngày thành lập")
    address_line = models.CharField("địa chỉ trụ sở", max_length=255)
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="xã/phường",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": UnitLevel.COMMUNE},
    )
    business_lines = models.CharField(
        "ngành nghề kinh doanh (mã VSIC)",
        max_length=500,
        blank=True,
        help_text="Mã ngành VSIC, cách nhau bởi dấu phẩy.",
    )
    # Private.
    representative = models.ForeignKey(
        Citizen,
        verbose_name="người đại diện theo pháp luật",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="represented_organisations",
    )
    phone = models.CharField("số điện thoại", max_length=11, blank=True)
    email = models.EmailField("thư điện tử", blank=True)

    class Meta:
        verbose_name = "doanh nghiệp, tổ chức"
        verbose_name_plural = "doanh nghiệp, tổ chức"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_branch(self) -> bool:
        return "-" in self.code

    def clean(self) -> None:
        try:
            self.code = validators.organisation_code_normalise(self.code)
        except InvalidInput as error:
            raise _as_validation_error(error) from None


# --- Issuer registries, keyed to the holder's ID number -----------------------------------------
# Each belongs to another ministry's database, which knows a person only by the personal ID
# number (Decree 69/2024 art. 9); so they hold the number, not a foreign key to Citizen.
class HolderQuerySet(models.QuerySet[Any]):
    holder_field = "holder_personal_id"

    def visible_to(self, user: Any) -> HolderQuerySet:
        """Officers with the view right see every document; a person sees their own."""
        if _can_view_all(user, self.model):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(**{self.holder_field: user.get_username()})
        return self.none()

    def for_holder(self, personal_id: str) -> HolderQuerySet:
        return self.filter(**{self.holder_field: personal_id})


class VehicleQuerySet(HolderQuerySet):
    holder_field = "owner_identifier"


class DriverLicence(TimestampedModel):
    """A driving licence ("giấy phép lái xe")."""

    number = models.CharField("số giấy phép", max_length=12, unique=True)
    holder_personal_id = models.CharField("số định danh người được cấp", max_length=12, db_index=True)
    classes = models.CharField("hạng", max_length=60, help_text="Ví dụ: A1,B")
    issue_date = models.DateField("ngày cấp")
    expiry_date = models.DateField("có giá trị đến", null=True, blank=True)
    issuing_agency = models.ForeignKey(
        Agency, verbose_name="cơ quan cấp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        "tình trạng", max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.ACTIVE
    )

    objects = HolderQuerySet.as_manager()

    class Meta:
        verbose_name = "giấy phép lái xe"
        verbose_name_plural = "giấy phép lái xe"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.classes})"

    def is_valid_on(self, day: date) -> bool:
        return self.status == DocumentStatus.ACTIVE and (self.expiry_date is None or day <= self.expiry_date)


class VehicleRegistration(TimestampedModel):
    """A vehicle registration ("đăng ký xe"); the owner is a person or an organisation."""

    plate = models.CharField("biển số", max_length=12, unique=True)
    vehicle_type = models.CharField("loại xe", max_length=20, choices=VehicleType.choices)
    brand = models.CharField("nhãn hiệu", max_length=50)
    model = models.CharField("số loại", max_length=50, blank=True)
    colour = models.CharField("màu sơn", max_length=30)
    chassis_number = models.CharField("số khung", max_length=30)
    engine_number = models.CharField("số máy", max_length=30)
    registration_date = models.DateField("ngày đăng ký")
    owner_identifier = models.CharField(
        "số định danh / mã số doanh nghiệp chủ xe", max_length=14, db_index=True
    )
    owner_kind = models.CharField("chủ xe là", max_length=20, choices=OwnerKind.choices)
    issuing_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan đăng ký",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "tình trạng", max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.ACTIVE
    )

    objects = VehicleQuerySet.as_manager()

    class Meta:
        verbose_name = "đăng ký xe"
        verbose_name_plural = "đăng ký xe"
        ordering = ["plate"]

    def __str__(self) -> str:
        return f"{self.plate} — {self.brand} {self.model}".strip()


class HealthInsuranceCard(TimestampedModel):
    """A health-insurance card ("thẻ bảo hiểm y tế").

    Since 1/4/2021 the card number is the holder's 10-digit social-insurance number
    (Decision 1666/QĐ-BHXH, 2020); the benefit level is printed beside it.
    """

    number = models.CharField("mã số thẻ", max_length=10, unique=True)
    holder_personal_id = models.CharField("số định danh người có thẻ", max_length=12, db_index=True)
    benefit_level = models.PositiveSmallIntegerField("mức hưởng", choices=BenefitLevel.choices)
    primary_care_facility_code = models.CharField("mã nơi đăng ký khám chữa bệnh ban đầu", max_length=5)
    primary_care_facility_name = models.CharField("nơi đăng ký khám chữa bệnh ban đầu", max_length=255)
    valid_from = models.DateField("giá trị sử dụng từ")
    valid_to = models.DateField("giá trị sử dụng đến", null=True, blank=True)

    objects = HolderQuerySet.as_manager()

    class Meta:
        verbose_name = "thẻ bảo hiểm y tế"
        verbose_name_plural = "thẻ bảo hiểm y tế"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

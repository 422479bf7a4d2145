"""The procedure catalog ("danh mục thủ tục hành chính").

A :class:`Procedure` carries everything an applicant needs before applying: the documents to
bring (and which of them the State already holds), the fees, the statutory time in working
days, the online level and the application form. Reads go through ``selectors.py``, writes
through ``services.py`` or the admin (which audits like the services do).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from congso.registry.choices import AgencyKind, RegistryKind

from .choices import FILE_TYPES, AssuranceLevel, OnlineLevel, ProcedureLevel, ResultType
from .formschema import form_problems
from .text import search_normalise, slug_from

# The national procedure database's codes: a digit, a dot, six digits ("1.001193"), and for
# local variants more dot-separated parts ("1.004227.000.00.00.H12").
CODE_PATTERN = re.compile(r"[0-9]\.[0-9]{6}(?:\.[0-9A-Z]{1,6})*", re.ASCII)


def lines(text: str) -> list[str]:
    """The non-empty lines of a one-item-per-line text field."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProcedureField(models.Model):
    """A field of state management ("lĩnh vực"): Hộ tịch, Cư trú, Chứng thực..."""

    code = models.SlugField("mã lĩnh vực", max_length=50, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The field's name is part of every one of its procedures' search text.
        for procedure in self.procedures.all():
            procedure.field = self
            procedure.search_refresh()
            Procedure.objects.filter(pk=procedure.pk).update(search_text=procedure.search_text)


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def published(self) -> ProcedureQuerySet:
        """What the public sees: published procedures only."""
        return self.filter(published=True)


class Procedure(models.Model):
    """An administrative procedure ("thủ tục hành chính")."""

    code = models.CharField(
        "mã thủ tục",
        max_length=40,
        unique=True,
        help_text="Mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.001193",
    )
    name = models.CharField("tên thủ tục", max_length=500)
    slug = models.SlugField("đường dẫn", max_length=200, editable=False, blank=True)
    field = models.ForeignKey(
        ProcedureField, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField("cấp thực hiện", max_length=10, choices=ProcedureLevel.choices)
    agency_kind = models.CharField(
        "loại cơ quan thực hiện",
        max_length=20,
        choices=AgencyKind.choices,
        help_text="Cơ quan cấp này, thuộc ngành này, giải quyết thủ tục (khi không chỉ định cơ quan cụ thể)",
    )
    agencies = models.ManyToManyField(
        "registry.Agency",
        verbose_name="cơ quan thực hiện cụ thể",
        blank=True,
        related_name="+",
        help_text="Để trống nếu mọi cơ quan cùng cấp, cùng ngành đều giải quyết",
    )
    description = models.TextField("mô tả", blank=True)
    steps = models.TextField("trình tự thực hiện", blank=True, help_text="Mỗi bước một dòng")
    legal_basis = models.TextField("căn cứ pháp lý", help_text="Mỗi văn bản một dòng")
    keywords = models.CharField(
        "từ khóa tìm kiếm", max_length=500, blank=True, help_text="Tên gọi khác, ví dụ: làm giấy khai sinh"
    )
    processing_days = models.PositiveSmallIntegerField(
        "thời hạn giải quyết (ngày làm việc)", help_text="Thời hạn theo luật, tính bằng ngày làm việc"
    )
    processing_note = models.CharField("ghi chú thời hạn", max_length=500, blank=True)
    result_type = models.CharField("loại kết quả", max_length=20, choices=ResultType.choices)
    result_name = models.CharField("kết quả", max_length=300, help_text="Ví dụ: Giấy khai sinh (bản chính)")
    online_level = models.CharField(
        "mức độ dịch vụ công trực tuyến", max_length=10, choices=OnlineLevel.choices
    )
    assurance_level = models.PositiveSmallIntegerField(
        "mức định danh điện tử yêu cầu", choices=AssuranceLevel.choices, default=AssuranceLevel.LEVEL_2
    )
    # "Đối tượng thực hiện": people always; organisations and enterprises only where it says so.
    for_organisations = models.BooleanField(
        "tổ chức, doanh nghiệp được thực hiện",
        default=False,
        help_text="Đối tượng thực hiện gồm cả tổ chức, doanh nghiệp (không chỉ cá nhân)",
    )
    form_schema = models.JSONField("biểu mẫu (JSON Schema 2020-12)", default=dict)
    form_ui = models.JSONField("gợi ý hiển thị biểu mẫu", default=dict, blank=True)
    published = models.BooleanField("đã công bố", default=False)
    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)
    # Diacritic-free, lower-case copies for the public search (text.search_normalise), kept by save().
    search_name = models.TextField("tên không dấu", editable=False, blank=True, default="")
    search_text = models.TextField("nội dung tìm kiếm", editable=False, blank=True, default="")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["name"]
        indexes = [models.Index(fields=["published", "level", "field"], name="catalog_proc_filters")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = slug_from(self.name)[:200]
        self.search_refresh()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "slug", "search_name", "search_text"}
        super().save(*args, **kwargs)

    @property
    def legal_basis_list(self) -> list[str]:
        return lines(self.legal_basis)

    @property
    def steps_list(self) -> list[str]:
        return lines(self.steps)

    def search_refresh(self) -> None:
        """Recompute the diacritic-free text the public search matches (name first)."""
        field_name = self.field.name if self.field_id else ""
        parts = (self.name, self.code, self.keywords, self.result_name, field_name)
        # Padded with spaces so that a query word matches from the start of a word (" word").
        self.search_name = f" {search_normalise(self.name)} "
        self.search_text = f" {search_normalise(' '.join(parts))} "

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.code and not CODE_PATTERN.fullmatch(self.code):
            errors["code"] = [
                "Mã thủ tục có dạng 1.001193 (a digit, a dot and six digits, e.g. 1.001193)",
            ]
        if not self.legal_basis_list:
            errors["legal_basis"] = ["Cần ít nhất một văn bản căn cứ (at least one legal basis is required)"]
        for problem in form_problems(self.form_schema, self.form_ui):
            key = "form_ui" if problem.path.startswith("ui") else "form_schema"
            errors.setdefault(key, []).append(problem.message)
        if errors:
            raise ValidationError(errors)


def file_types_validate(value: str) -> None:
    unknown = [item for item in file_types_split(value) if item not in FILE_TYPES]
    if unknown:
        raise ValidationError(
            f"Không hỗ trợ loại tệp {', '.join(unknown)}; dùng: {', '.join(FILE_TYPES)} "
            f"(unsupported file types; use: {', '.join(FILE_TYPES)})"
        )


def file_types_split(value: str) -> list[str]:
    return [item.strip().lower().lstrip(".") for item in value.split(",") if item.strip()]


class RequiredDocument(models.Model):
    """A document of the dossier ("thành phần hồ sơ")."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("tên giấy tờ", max_length=500)
    description = models.TextField("mô tả", blank=True)
    copies = models.PositiveSmallIntegerField("số lượng", default=1)
    mandatory = models.BooleanField("bắt buộc", default=True)
    registry_source = models.CharField(
        "cơ sở dữ liệu đã có",
        max_length=20,
        choices=RegistryKind.choices,
        blank=True,
        help_text="Nhà nước đã có thông tin này trong cơ sở dữ liệu nào: người nộp không phải nộp lại",
    )
    # Decree 45/2020 art. 9: a declaration filled in as the procedure's online form is not
    # uploaded again as a document.
    online_form = models.BooleanField(
        "điền trực tuyến",
        default=False,
        help_text="Tờ khai, đơn đề nghị này chính là biểu mẫu điện tử: người nộp không phải tải lên",
    )
    file_types = models.CharField(
        "loại tệp chấp nhận",
        max_length=100,
        default="pdf,jpg,jpeg,png",
        blank=True,
        validators=[file_types_validate],
        help_text="Cách nhau bằng dấu phẩy, ví dụ: pdf,jpg,png",
    )

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def file_types_list(self) -> list[str]:
        return file_types_split(self.file_types)


class FeeItem(models.Model):
    """A fee or charge ("phí, lệ phí") of the procedure; a fee-free procedure has none."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("tên khoản phí", max_length=300)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    condition = models.CharField("áp dụng khi", max_length=500, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} đ"

"""Operator screens of the catalog: procedures with their documents and fees, JSON import/export.

Every save and deletion is audited in the admin's transaction. The form schema and UI hints
are checked by ``Procedure.clean()``, so an invalid JSON Schema or an unknown prefill source
is shown next to the field and never saved.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from congso.core.audit import audit_record

from .formschema import PREFILL_SOURCES, WIDGETS
from .models import FeeItem, Procedure, ProcedureField, RequiredDocument
from .selectors import procedure_export
from .services import ImportRejected, procedure_import_file
from .text import search_words

IMPORT_MAX_BYTES = 5 * 1024 * 1024


@admin.register(ProcedureField)
class ProcedureFieldAdmin(admin.ModelAdmin[ProcedureField]):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="catalog.field.update" if change else "catalog.field.create",
            target=obj,
            details={"fields": sorted(form.changed_data), "via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="catalog.field.delete", target=obj, details={"via": "admin"})
        super().delete_model(request, obj)


class RequiredDocumentInline(admin.StackedInline[RequiredDocument, Procedure]):
    model = RequiredDocument
    extra = 0
    fields = (
        ("order", "name"),
        "description",
        ("copies", "mandatory"),
        ("registry_source", "online_form"),
        "file_types",
    )


class FeeItemInline(admin.TabularInline[FeeItem, Procedure]):
    model = FeeItem
    extra = 0
    fields = ("order", "name", "amount", "condition")


class ProcedureAdminForm(forms.ModelForm[Procedure]):
    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)
        widgets = {
            "form_schema": forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
            "form_ui": forms.Textarea(attrs={"rows": 16, "cols": 100, "spellcheck": "false"}),
            "legal_basis": forms.Textarea(attrs={"rows": 4, "cols": 100}),
            "steps": forms.Textarea(attrs={"rows": 5, "cols": 100}),
        }
        help_texts = {
            "form_ui": (
                'Dạng {"order": [...], "fields": {"tên_trường": {"widget": ..., "prefill": ..., "label_en": ...}}}. '
                f"Widget: {', '.join(WIDGETS)}. Prefill: {', '.join(PREFILL_SOURCES)}."
            ),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp JSON (JSON file)")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
    form = ProcedureAdminForm
    inlines = (RequiredDocumentInline, FeeItemInline)
    list_display = (
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "processing_days",
        "published",
        "version",
    )
    list_filter = ("published", "level", "online_level", "field")
    list_select_related = ("field",)
    search_fields = ("code", "name")
    autocomplete_fields = ("agencies",)
    readonly_fields = ("version", "created_at", "updated_at")
    actions = ("export_json",)
    change_list_template = "admin/catalog/procedure/change_list.html"
    fieldsets = (
        (None, {"fields": ("code", "name", "field", "published", "version", "created_at", "updated_at")}),
        ("Cơ quan thực hiện (implementing agencies)", {"fields": ("level", "agency_kind", "agencies")}),
        (
            "Nội dung (content)",
            {"fields": ("description", "steps", "legal_basis", "keywords", "result_type", "result_name")},
        ),
        (
            "Thời hạn, mức độ (time and online level)",
            {
                "fields": (
                    "processing_days",
                    "processing_note",
                    "online_level",
                    "assurance_level",
                    "for_organisations",
                )
            },
        ),
        ("Biểu mẫu (application form)", {"fields": ("form_schema", "form_ui")}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str
    ) -> tuple[QuerySet[Procedure], bool]:
        # The same diacritic-free matching as the public search: "khai sinh" finds "Khai sinh".
        for word in search_words(search_term):
            queryset = queryset.filter(search_text__icontains=f" {word}")
        return queryset, False

    def save_model(self, request: HttpRequest, obj: Procedure, form: ModelForm[Any], change: bool) -> None:
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        procedure = form.instance
        audit_record(
            actor=request.user,
            action="catalog.procedure.update" if change else "catalog.procedure.create",
            target=procedure,
            details={
                "version": procedure.version,
                "via": "admin",
                "fields": sorted(form.changed_data),
                "documents_changed": any(f.has_changed() for f in formsets if f.model is RequiredDocument),
                "fees_changed": any(f.has_changed() for f in formsets if f.model is FeeItem),
            },
        )

    def delete_model(self, request: HttpRequest, obj: Procedure) -> None:
        audit_record(
            actor=request.user, action="catalog.procedure.delete", target=obj, details={"via": "admin"}
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for obj in queryset:
            audit_record(
                actor=request.user, action="catalog.procedure.delete", target=obj, details={"via": "admin"}
            )
        super().delete_queryset(request, queryset)

    @admin.action(description="Xuất JSON các thủ tục đã chọn (export as JSON)")
    def export_json(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        data = procedure_export(codes=queryset.values_list("code", flat=True))
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="thu-tuc-{stamp}.json"'
        return response

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_procedure_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an interchange file; all of it is imported, or nothing and every problem is listed."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[Any] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > IMPORT_MAX_BYTES:
                form.add_error("file", "Tệp lớn hơn 5 MB (the file is larger than 5 MB)")
            else:
                try:
                    report = procedure_import_file(
                        content=upload.read(), actor=request.user, source=upload.name
                    )
                except ImportRejected as error:
                    problems = error.problems
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    self.message_user(request, report.message, messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:catalog_procedure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Nhập thủ tục từ tệp JSON (import procedures from JSON)",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/catalog/procedure/import.html", context)

"""Operator screens of the dossier domain.

- Processing steps ("quy trình nội bộ"): one at a time, or all the steps of a procedure on one
  page (``…/processstep/procedure/<id>/``), where the order and the leader at the last step
  are checked together. Every change is audited.
- Dossiers and their history: read only. A dossier changes only through its services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm, inlineformset_factory
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from congso.catalog.models import Procedure
from congso.core.audit import audit_record

from .choices import OPEN_STATUSES, StepRole
from .models import Dossier, DossierEvent, ProcessStep

STEP_FIELDS = ("order", "name", "name_en", "role", "working_days")
# Rows are renumbered through these orders while saving, so that swapping two steps does not
# trip the (procedure, order) uniqueness half-way (a smallint holds up to 32767).
_PARKING_ORDER = 30000


def _steps_changed(procedure: Procedure) -> list[dict[str, Any]]:
    return [
        {"order": step.order, "name": step.name, "role": step.role, "working_days": step.working_days}
        for step in ProcessStep.objects.filter(procedure=procedure).order_by("order")
    ]


class StepForm(forms.ModelForm[ProcessStep]):
    class Meta:
        model = ProcessStep
        fields = STEP_FIELDS
        widgets = {
            "name": forms.TextInput(attrs={"size": 40}),
            "name_en": forms.TextInput(attrs={"size": 30}),
        }

    def _get_validation_exclusions(self) -> set[str]:
        # The formset checks the orders across the whole procedure, so that two steps may swap.
        return {*super()._get_validation_exclusions(), "order"}  # type: ignore[misc]


class ProcedureStepsFormSet(BaseInlineFormSet[ProcessStep, Procedure, StepForm]):
    """All the steps of one procedure: distinct orders, and the last one a leader's."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("name")
        ]
        orders = [data["order"] for data in kept]
        if len(orders) != len(set(orders)):
            raise ValidationError(
                "Hai bước không được trùng thứ tự (two steps cannot have the same order).", code="order"
            )
        if kept and max(kept, key=lambda data: data["order"])["role"] != StepRole.LEADER:
            # workflow: the decision is taken at the last step, and only a leader decides.
            raise ValidationError(
                "Bước cuối phải do lãnh đạo thực hiện, vì quyết định được ra ở bước cuối "
                "(the last step must be a leader's: the decision is taken there).",
                code="last_step",
            )


StepsFormSet = inlineformset_factory(
    Procedure,
    ProcessStep,
    form=StepForm,
    formset=ProcedureStepsFormSet,
    fields=STEP_FIELDS,
    extra=2,
    can_delete=True,
)


@admin.register(ProcessStep)
class ProcessStepAdmin(admin.ModelAdmin[ProcessStep]):
    list_display = ("procedure", "order", "name", "role", "working_days", "all_steps")
    list_display_links = ("name",)
    list_filter = ("role",)
    list_select_related = ("procedure",)
    search_fields = ("procedure__code", "procedure__name", "name")
    autocomplete_fields = ("procedure",)
    ordering = ("procedure__code", "order")
    fields = ("procedure", *STEP_FIELDS)

    @admin.display(description="Sửa cả quy trình (edit all steps)")
    def all_steps(self, obj: ProcessStep) -> str:
        url = reverse("admin:dossiers_processstep_procedure", args=[obj.procedure_id])
        return format_html('<a href="{}">{}</a>', url, "Các bước của thủ tục (steps of the procedure)")

    def save_model(self, request: HttpRequest, obj: ProcessStep, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="dossiers.process_step.update" if change else "dossiers.process_step.create",
            target=obj,
            details={"procedure": obj.procedure.code, "fields": sorted(form.changed_data), "via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: ProcessStep) -> None:
        audit_record(
            actor=request.user,
            action="dossiers.process_step.delete",
            target=obj,
            details={"procedure": obj.procedure.code, "via": "admin"},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProcessStep]) -> None:
        for obj in queryset.select_related("procedure"):
            audit_record(
                actor=request.user,
                action="dossiers.process_step.delete",
                target=obj,
                details={"procedure": obj.procedure.code, "via": "admin"},
            )
        super().delete_queryset(request, queryset)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "procedure/<int:procedure_id>/",
                self.admin_site.admin_view(self.procedure_steps_view),
                name="dossiers_processstep_procedure",
            )
        ]
        return extra + super().get_urls()

    def procedure_steps_view(self, request: HttpRequest, procedure_id: int) -> HttpResponse:
        """Every step of one procedure on one page."""
        if not (
            self.has_view_permission(request)
            and (
                request.method != "POST"
                or (self.has_change_permission(request) and self.has_add_permission(request))
            )
        ):
            raise PermissionDenied
        procedure = Procedure.objects.filter(pk=procedure_id).first()
        if procedure is None:
            raise Http404(procedure_id)
        formset = StepsFormSet(request.POST or None, instance=procedure, prefix="steps")
        if request.method == "POST" and formset.is_valid():
            self._steps_save(request, procedure, formset)
            self.message_user(
                request,
                f"Đã lưu các bước xử lý của thủ tục {procedure.code} (the steps were saved).",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:dossiers_processstep_procedure", args=[procedure.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Các bước xử lý: {procedure.name} ({procedure.code})",
            "procedure": procedure,
            "formset": formset,
            "open_dossiers": Dossier.objects.filter(procedure=procedure, status__in=OPEN_STATUSES).count(),
            "can_change": self.has_change_permission(request) and self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/dossiers/processstep/procedure_steps.html", context)

    @transaction.atomic
    def _steps_save(self, request: HttpRequest, procedure: Procedure, formset: Any) -> None:
        before = _steps_changed(procedure)
        for form in formset.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        kept = [
            form
            for form in formset.forms
            if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        for parking, form in enumerate(form for form in kept if form.instance.pk):
            ProcessStep.objects.filter(pk=form.instance.pk).update(order=_PARKING_ORDER + parking)
        for form in kept:
            form.instance.procedure = procedure
            form.save()
        audit_record(
            actor=request.user,
            action="dossiers.process_steps.update",
            target=procedure,
            details={
                "procedure": procedure.code,
                "before": before,
                "after": _steps_changed(procedure),
                "via": "admin",
            },
        )


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Operators look; only the services change a dossier or its history."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "procedure", "agency", "status", "received_on", "due_on", "holder")
    list_filter = ("status", "channel")
    list_select_related = ("procedure", "agency", "holder")
    search_fields = ("code", "applicant_personal_id")
    date_hierarchy = "received_on"
    ordering = ("-submitted_at",)
    show_full_result_count = False


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "at", "action", "from_status", "to_status", "actor_name", "step_name")
    list_filter = ("action",)
    list_select_related = ("dossier",)
    search_fields = ("dossier__code",)
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False

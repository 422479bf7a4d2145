"""Operator screens: message wording (editable) and the outbox (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core.errors import InvalidInput

from . import services
from .defaults import TEMPLATE_FIELDS, template_default_get
from .models import Message, MessageTemplate
from .rendering import template_source_check

_HELP = "Để trống để dùng nội dung mặc định (leave blank for the default): "


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("key", "description", *TEMPLATE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = self.instance.key if self.instance and self.instance.pk else ""
        default = template_default_get(key)
        for name in TEMPLATE_FIELDS:
            field = self.fields[name]
            text = getattr(default, name, "") if default else ""
            if text:
                field.widget.attrs["placeholder"] = text
                field.help_text = _HELP + text
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in TEMPLATE_FIELDS:
            try:
                template_source_check(cleaned.get(name) or "")
            except InvalidInput as exc:
                self.add_error(name, exc.message)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("key", "description", "customised", "updated_at")
    search_fields = ("key", "description")
    actions = ["reset_to_default"]
    fieldsets = (
        (None, {"fields": ("key", "description")}),
        ("SMS", {"fields": ("sms_vi", "sms_en")}),
        (
            "Thư điện tử (e-mail)",
            {"fields": ("email_subject_vi", "email_body_vi", "email_subject_en", "email_body_en")},
        ),
        (
            "Hộp thư trên cổng (in-app)",
            {"fields": ("inapp_title_vi", "inapp_body_vi", "inapp_title_en", "inapp_body_en")},
        ),
    )

    @admin.display(description="đã sửa", boolean=True)
    def customised(self, obj: MessageTemplate) -> bool:
        return any(getattr(obj, name) for name in TEMPLATE_FIELDS)

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: forms.ModelForm, change: bool
    ) -> None:
        services.template_save(template=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: MessageTemplate) -> None:
        services.template_delete(template=obj, actor=request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk deletion would bypass the audit; delete one template at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Khôi phục nội dung mặc định (reset to default)")
    def reset_to_default(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        for template in queryset:
            services.template_reset(template=template, actor=request.user)
        self.message_user(request, f"Đã khôi phục {queryset.count()} mẫu.", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "template_key",
        "channel",
        "to",
        "user",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "language", "template_key")
    search_fields = ("to", "template_key", "provider_message_id", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class CongsoUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Cổng Số", {"fields": ("full_name",)}))  # type: ignore[misc]
    list_display = ("username", "full_name", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")

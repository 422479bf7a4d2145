"""Existing organisation accounts keep their enterprise: its code and name are copied, and the
representative's account, where the person has one, is linked."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _copy_codes(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("identity", "User")
    Organisation = apps.get_model("registry", "Organisation")
    for account in User.objects.filter(kind="organisation"):
        organisation = Organisation.objects.filter(pk=account.organisation_id).first()
        if organisation is None:
            account.organisation_code = account.username
        else:
            account.organisation_code = organisation.code
            account.full_name = organisation.name
            account.representative = (
                User.objects.filter(kind="person", citizen_id=organisation.representative_id).first()
                if organisation.representative_id
                else None
            )
        account.save(update_fields=["organisation_code", "full_name", "representative"])


def _restore_links(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("identity", "User")
    Organisation = apps.get_model("registry", "Organisation")
    for account in User.objects.filter(kind="organisation"):
        account.organisation = Organisation.objects.filter(code=account.organisation_code).first()
        account.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0004_organisation_code"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(_copy_codes, _restore_links)]

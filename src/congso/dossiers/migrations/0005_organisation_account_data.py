"""Each dossier and draft made for an organisation points to identity's account of it, made
here where none existed yet (an account nobody can log in to, as identity makes them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import migrations


def _account_for(apps: Any, organisation_id: int, cache: dict[int, Any]) -> Any:
    if organisation_id in cache:
        return cache[organisation_id]
    User = apps.get_model("identity", "User")
    Organisation = apps.get_model("registry", "Organisation")
    organisation = Organisation.objects.get(pk=organisation_id)
    account = User.objects.filter(organisation_code=organisation.code).first()
    if account is None:
        account = User.objects.create(
            username=organisation.code,
            full_name=organisation.name,
            kind="organisation",
            organisation_code=organisation.code,
            password=make_password(None),
            representative=User.objects.filter(
                kind="person", citizen_id=organisation.representative_id
            ).first()
            if organisation.representative_id
            else None,
        )
    cache[organisation_id] = account
    return account


def _to_accounts(apps: Any, schema_editor: Any) -> None:
    cache: dict[int, Any] = {}
    for name in ("Dossier", "DossierDraft"):
        model = apps.get_model("dossiers", name)
        for row in model.objects.filter(organisation__isnull=False).only("pk", "organisation_id"):
            row.organisation_account = _account_for(apps, row.organisation_id, cache)
            row.save(update_fields=["organisation_account"])


def _to_registry(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("registry", "Organisation")
    for name in ("Dossier", "DossierDraft"):
        model = apps.get_model("dossiers", name)
        for row in model.objects.filter(organisation_account__isnull=False).select_related(
            "organisation_account"
        ):
            row.organisation = Organisation.objects.get(code=row.organisation_account.organisation_code)
            row.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0004_organisation_account"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(_to_accounts, _to_registry)]

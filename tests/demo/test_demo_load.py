"""`make demo` loads this data set; what the printout promises must be true."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from congso.catalog.models import Procedure
from congso.demo.services import DEMO_CITIZENS, PEOPLE
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.registry.models import Agency, Citizen, Household, Organisation


@pytest.mark.django_db(transaction=True)
def test_demo_load_prints_working_accounts_and_is_idempotent() -> None:
    first = io.StringIO()
    call_command("demo_load", stdout=first)
    citizens = Citizen.objects.count()
    assert citizens >= DEMO_CITIZENS
    assert Household.objects.exists()
    assert Organisation.objects.exists()
    assert Agency.objects.filter(level="ministry").exists()
    assert Agency.objects.filter(level="province").values("administrative_unit").distinct().count() == 2
    assert Procedure.objects.count() >= 10

    printed = first.getvalue()
    for person in PEOPLE:
        assert person.personal_id in printed
    # Every printed login works with the printed password.
    lines = [line.split() for line in printed.splitlines() if line.strip()[:12].isdigit()]
    assert len(lines) == len(PEOPLE)
    for username, password, *_ in lines:
        assert authenticate(username=username, password=password) is not None, username

    # The officer's queue is not empty: sample applications went through the wizard's services,
    # and every demo procedure can be filed somewhere.
    dossiers = Dossier.objects.count()
    assert dossiers >= 3
    assert Dossier.objects.filter(status=Status.PROCESSING, holder__isnull=False).exists()
    assert not Procedure.objects.filter(published=True, agencies__isnull=True).exists()

    second = io.StringIO()
    call_command("demo_load", stdout=second)
    assert Citizen.objects.count() == citizens
    assert Dossier.objects.count() == dossiers
    assert "đã có sẵn / already present" in second.getvalue()

"""Agency data crosses agencies only through the exchange (ARCHITECTURE.md, rule 2).

The base registries' person and enterprise records may be read only by the registry itself
and by the exchange's provider adapters (``exchange/registry_adapters.py``), which the
gateway reaches after checking the right and the consent and logging the call. Anywhere else,
calling one of the registry's read selectors, querying one of those models' managers, or
fetching them with ``apps.get_model`` is a direct read. Importing a model class for a type
annotation or a foreign key is not.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
# The registry, the exchange's adapters, and the demo loader, which seeds every registry.
ALLOWED_FILES = ("congso/registry/", "congso/exchange/registry_adapters.py", "congso/demo/")

PERSON_MODELS = frozenset(
    {
        "Citizen",
        "Household",
        "HouseholdMember",
        "Organisation",
        "DriverLicence",
        "VehicleRegistration",
        "HealthInsuranceCard",
    }
)
PERSON_SELECTORS = frozenset(
    {
        "citizen_get_by_personal_id",
        "household_get_for_citizen",
        "organisation_get_by_code",
        "driver_licences_for",
        "vehicles_for",
        "health_insurance_card_for",
    }
)
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})

# Direct reads that exist today, each with the reason it is tolerated. The list must match
# exactly: a new direct read fails the test, and so does an exception that is no longer used
# (remove it here). Identity is the electronic-identity system that the owner of the population
# registry operates (VNeID, Decree 69/2024), so its reads of that registry stay inside one
# agency. Whom a person represents is the business registry's, another agency's: identity asks
# it through the exchange (``identity.services.representation_refresh``).
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("congso/identity/services.py", "citizen_get_by_personal_id"): "eID and population registry: one agency",
    ("congso/identity/selectors.py", "Citizen.objects"): "eID and population registry: one agency",
}


def direct_reads(source: str) -> set[str]:
    """What in ``source`` reads the person or enterprise registries directly."""
    tree = ast.parse(source)
    module_aliases: set[str] = set()  # names bound to congso.registry.selectors / .models
    model_names: dict[str, str] = {}  # local name -> model
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "congso.registry.selectors":
                found.update(alias.name for alias in node.names if alias.name in PERSON_SELECTORS)
            elif node.module == "congso.registry.models":
                for alias in node.names:
                    if alias.name in PERSON_MODELS:
                        model_names[alias.asname or alias.name] = alias.name
            elif node.module == "congso.registry":
                module_aliases.update(
                    alias.asname or alias.name
                    for alias in node.names
                    if alias.name in {"selectors", "models"}
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in {"congso.registry.selectors", "congso.registry.models"}:
                    module_aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = ast.unparse(node.value)
            if owner in module_aliases and node.attr in PERSON_SELECTORS:
                found.add(node.attr)
            if node.attr in _MANAGERS:
                target = node.value
                name = (
                    target.attr
                    if isinstance(target, ast.Attribute) and ast.unparse(target.value) in module_aliases
                    else None
                )
                if isinstance(target, ast.Name):
                    name = model_names.get(target.id)
                if name in PERSON_MODELS:
                    found.add(f"{name}.objects")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
        ):
            values = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            if values[:1] == ["registry"] and len(values) > 1 and values[1] in PERSON_MODELS:
                found.add(f"{values[1]}.objects")
            if values and isinstance(values[0], str) and values[0].startswith("registry."):
                model = values[0].split(".", 1)[1]
                if model in PERSON_MODELS:
                    found.add(f"{model}.objects")
    return found


def _violations() -> dict[tuple[str, str], int]:
    result: dict[tuple[str, str], int] = {}
    for path in sorted((SRC / "congso").rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in relative or relative.startswith(ALLOWED_FILES):
            continue
        for read in direct_reads(path.read_text(encoding="utf-8")):
            result[(relative, read)] = 1
    return result


def test_no_domain_reads_another_agencys_registry_directly() -> None:
    violations = set(_violations())

    new = sorted(violations - set(KNOWN_EXCEPTIONS))
    stale = sorted(set(KNOWN_EXCEPTIONS) - violations)
    assert not new, f"read these through congso.exchange.client instead: {new}"
    assert not stale, f"these exceptions are gone: remove them from KNOWN_EXCEPTIONS: {stale}"


def test_the_checker_sees_every_kind_of_direct_read() -> None:
    source = """
from django.apps import apps
from congso.registry import selectors as reg, models
from congso.registry.models import Citizen as Person, Agency
from congso.registry.selectors import vehicles_for
import congso.registry.selectors

def reads(pid):
    reg.citizen_get_by_personal_id(personal_id=pid)
    congso.registry.selectors.driver_licences_for(personal_id=pid)
    Person.objects.filter(personal_id=pid)
    models.HealthInsuranceCard.objects.all()
    apps.get_model("registry", "Household").objects.all()
    Agency.objects.all()  # the agency tree is public reference data
    reg.registry_owner_get(kind="population")

def typed(person: Person) -> None: ...
"""
    assert direct_reads(source) == {
        "citizen_get_by_personal_id",
        "driver_licences_for",
        "vehicles_for",
        "Citizen.objects",
        "HealthInsuranceCard.objects",
        "Household.objects",
    }


def test_the_exchange_reads_registries_only_in_its_adapters() -> None:
    for path in sorted((SRC / "congso" / "exchange").rglob("*.py")):
        if path.name == "registry_adapters.py" or "migrations" in path.parts:
            continue
        assert not direct_reads(path.read_text(encoding="utf-8")), path.name


# Links from other domains' tables into the person and enterprise registries, each tolerated
# for its reason. A link lets the ORM read across with no exchange call in sight (a join, a
# lazy attribute), so a new one fails this test as a direct read would.
KNOWN_LINKS: dict[str, str] = {
    "identity.User.citizen": "eID and population registry: one agency",
    "identity.OneTimeCode.citizen": "eID and population registry: one agency (activation)",
    "exchange.Member.organisation": "the exchange's own register of its members",
}


def test_no_other_domain_links_its_tables_to_another_agencys_registry() -> None:
    from django.apps import apps

    links = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label != "registry"
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and field.related_model._meta.app_label == "registry"
        and field.related_model.__name__ in PERSON_MODELS
    }

    assert links == set(KNOWN_LINKS)

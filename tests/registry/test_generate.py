"""The synthetic data generator: valid, consistent, deterministic."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from congso.registry.generate import generate_files
from congso.registry.models import Citizen, DriverLicence, HealthInsuranceCard, Household, Organisation
from congso.registry.services import administrative_units_load, registry_generate
from congso.registry.validators import (
    organisation_code_normalise,
    personal_id_validate,
    phone_normalise,
    plate_normalise,
)

AS_OF = date(2026, 1, 15)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    report = generate_files(citizens=1500, seed=7, out_dir=tmp_path_factory.mktemp("gen"), as_of=AS_OF)
    return {kind: rows(path) for kind, path in report.files.items()}


def test_exactly_n_people_with_valid_unique_ids(generated: dict[str, list[dict[str, str]]]) -> None:
    people = generated["citizens"]

    assert len(people) == 1500
    assert len({person["personal_id"] for person in people}) == 1500
    for person in people:
        born = date.fromisoformat(person["date_of_birth"])
        personal_id_validate(person["personal_id"], date_of_birth=born, sex=person["sex"])
        assert born <= AS_OF
        if person["phone"]:
            assert phone_normalise(person["phone"]) == person["phone"]


def test_people_look_vietnamese(generated: dict[str, list[dict[str, str]]]) -> None:
    people = generated["citizens"]
    families = Counter(person["full_name"].split()[0] for person in people)
    ethnicities = Counter(person["ethnicity"] for person in people)

    assert families.most_common(1)[0][0] == "Nguyễn"
    assert 0.25 < families["Nguyễn"] / len(people) < 0.5
    assert 0.75 < ethnicities["01"] / len(people) < 0.95  # Kinh, about 85% at the 2019 census
    assert len(ethnicities) > 5
    women = [person for person in people if person["sex"] == "F"]
    assert any(" Thị " in person["full_name"] for person in women)
    assert not any(" Thị " in person["full_name"] for person in people if person["sex"] == "M")


def test_households_are_consistent(generated: dict[str, list[dict[str, str]]]) -> None:
    people = {person["personal_id"]: person for person in generated["citizens"]}
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for member in generated["households"]:
        households[member["household_code"]].append(member)

    assert sorted(member["personal_id"] for member in generated["households"]) == sorted(people)
    for members in households.values():
        assert members[0]["relationship"] == "head"  # the head's row comes first
        assert [m["relationship"] for m in members].count("head") == 1
        head = people[members[0]["personal_id"]]
        assert members[0]["commune"] == head["permanent_commune"]
        assert all(
            people[m["personal_id"]]["permanent_commune"] == head["permanent_commune"] for m in members
        )
        for member in members[1:]:
            person = people[member["personal_id"]]
            if member["relationship"] in ("wife", "husband"):
                assert person["sex"] != head["sex"]
            if member["relationship"] == "child":
                assert person["date_of_birth"] > head["date_of_birth"] or head["sex"] == "M"
    sizes = [len(members) for members in households.values()]
    assert 2.5 < sum(sizes) / len(sizes) < 4.5  # Vietnam: 3.5 people a household in 2019


def test_documents_and_organisations_are_valid(generated: dict[str, list[dict[str, str]]]) -> None:
    people = {person["personal_id"] for person in generated["citizens"]}
    assert generated["organisations"]
    assert generated["driver_licences"]
    assert generated["vehicles"]
    for organisation in generated["organisations"]:
        assert organisation_code_normalise(organisation["code"]) == organisation["code"]
        assert organisation["representative_personal_id"] in people
    for vehicle in generated["vehicles"]:
        assert plate_normalise(vehicle["plate"]) == vehicle["plate"]
        assert vehicle["owner_id"] in people
    assert len({vehicle["plate"] for vehicle in generated["vehicles"]}) == len(generated["vehicles"])
    assert {licence["holder_personal_id"] for licence in generated["driver_licences"]} <= people
    assert 0.85 < len(generated["health_insurance_cards"]) / len(people) <= 1


def test_the_same_seed_gives_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    first = generate_files(citizens=300, seed=11, out_dir=tmp_path / "a", as_of=AS_OF)
    second = generate_files(citizens=300, seed=11, out_dir=tmp_path / "b", as_of=AS_OF)
    other = generate_files(citizens=300, seed=12, out_dir=tmp_path / "c", as_of=AS_OF)

    for kind in first.files:
        assert first.files[kind].read_bytes() == second.files[kind].read_bytes()
    assert first.files["citizens"].read_bytes() != other.files["citizens"].read_bytes()


@pytest.mark.django_db
def test_generating_into_the_database_goes_through_the_importer() -> None:
    administrative_units_load()

    generated, imports = registry_generate(citizens=400, seed=3, as_of=AS_OF)

    assert Citizen.objects.count() == 400
    assert all(report.rejected == 0 for report in imports), [list(report.lines()) for report in imports]
    assert Household.objects.count() == generated.counts["households"]
    assert Organisation.objects.count() == generated.counts["organisations"]
    assert DriverLicence.objects.count() == generated.counts["driver_licences"]
    assert HealthInsuranceCard.objects.count() == generated.counts["health_insurance_cards"]
    assert all(household.head is not None for household in Household.objects.all()[:50])

    registry_generate(citizens=400, seed=3, as_of=AS_OF)
    assert Citizen.objects.count() == 400  # the same seed again adds nobody


@pytest.mark.django_db
def test_the_command_writes_files_to_a_folder(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("registry_generate", "--citizens", "50", "--seed", "1", "--out", str(tmp_path), stdout=out)

    assert "citizens: 50" in out.getvalue()
    assert len(rows(tmp_path / "citizens.csv")) == 50
    assert not Citizen.objects.exists()

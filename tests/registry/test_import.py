"""CSV import: row-level refusals with line numbers, idempotent re-import, whole-file refusals."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from congso.core.errors import InvalidInput
from congso.registry.choices import Relationship, Sex
from congso.registry.models import (
    Citizen,
    DriverLicence,
    HealthInsuranceCard,
    Household,
    HouseholdMember,
    Organisation,
    VehicleRegistration,
)
from congso.registry.services import registry_import

from . import factories
from .conftest import AuditSpy

pytestmark = pytest.mark.django_db

CITIZEN_HEADER = (
    "personal_id,full_name,date_of_birth,sex,ethnicity,nationality,place_of_origin,permanent_address,"
    "permanent_commune,temporary_address,temporary_commune,phone,email"
)
WriteCsv = Callable[..., Path]


def citizen_line(
    pid: str, name: str = "Nguyễn Văn An", born: str = "1990-05-17", sex: str = "M", **extra: str
) -> str:
    values = {
        "ethnicity": "Kinh",
        "nationality": "VN",
        "origin": "Nam Định",
        "address": "Số 1, phố Tràng Tiền",
        "commune": "00070",
        "temp_address": "",
        "temp_commune": "",
        "phone": "0912 345 678",
        "email": "",
        **extra,
    }
    return ",".join(
        [pid, name, born, sex, values["ethnicity"], values["nationality"], f'"{values["origin"]}"',
         f'"{values["address"]}"', values["commune"], values["temp_address"], values["temp_commune"],
         values["phone"], values["email"]]
    )  # fmt: skip


def reasons(report: Any) -> dict[int, str]:
    return {rejection.line: rejection.reason_vi for rejection in report.rejections}


@pytest.fixture
def people() -> list[str]:
    return [factories.personal_id(born=date(1990, 5, 17)) for _ in range(3)]


def test_good_rows_go_in_and_broken_rows_are_reported_by_line(
    units: dict, people: list[str], write_csv: WriteCsv, audit: AuditSpy
) -> None:
    woman = factories.personal_id(born=date(2000, 2, 28), sex=Sex.FEMALE)
    path = write_csv(
        "\n".join(
            [
                CITIZEN_HEADER,
                citizen_line(people[0]),  # line 2: good
                citizen_line("001090ABC123"),  # line 3: not digits
                citizen_line(people[1], born="31/02/1990"),  # line 4: no 31 February
                citizen_line(people[2], name=""),  # line 5: no name
                citizen_line(people[0], name="Nguyễn Văn Trùng"),  # line 6: same ID as line 2
                "001090000999,Thiếu Cột,1990-05-17",  # line 7: three columns
                citizen_line(woman, name="Lê Thị Hoa", born="28/02/2000", sex="Nữ"),  # line 8: good
                citizen_line(factories.personal_id(), commune="99999"),  # line 9: unknown commune
                citizen_line(factories.personal_id(), born="1990-05-17", sex="F"),  # line 10: a man's ID
            ]
        )
        + "\n"
    )

    report = registry_import(kind="citizens", path=path, batch_size=2)

    assert (report.rows, report.created, report.rejected) == (9, 2, 7)
    found = reasons(report)
    assert sorted(found) == [3, 4, 5, 6, 7, 9, 10]
    assert "chỉ gồm chữ số" in found[3]
    assert "31/02/1990" in found[4]
    assert "không phải ngày có thật" in found[4]
    assert "Thiếu họ và tên" in found[5]
    assert "Trùng khóa" in found[6]
    assert "3 cột" in found[7]
    assert "13 cột" in found[7]
    assert "99999" in found[9]
    assert "nam" in found[10]
    english = {rejection.line: rejection.reason_en for rejection in report.rejections}
    assert "not a real date" in english[4]
    assert set(Citizen.objects.values_list("personal_id", flat=True)) == {people[0], woman}
    # The first occurrence wins.
    assert Citizen.objects.get(personal_id=people[0]).full_name == "Nguyễn Văn An"
    assert Citizen.objects.get(personal_id=woman).phone == "0912345678"


def test_reimporting_the_same_file_changes_nothing(
    units: dict, people: list[str], write_csv: WriteCsv, audit: AuditSpy
) -> None:
    path = write_csv("\n".join([CITIZEN_HEADER, *(citizen_line(pid) for pid in people)]) + "\n")

    first = registry_import(kind="citizens", path=path)
    before = list(Citizen.objects.order_by("pk").values_list("pk", "personal_id", "updated_at"))
    second = registry_import(kind="citizens", path=path)

    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert list(Citizen.objects.order_by("pk").values_list("pk", "personal_id", "updated_at")) == before


def test_a_changed_row_is_updated_in_place(units: dict, people: list[str], write_csv: WriteCsv) -> None:
    registry_import(kind="citizens", path=write_csv("\n".join([CITIZEN_HEADER, *map(citizen_line, people)])))
    pk = Citizen.objects.get(personal_id=people[1]).pk
    moved = citizen_line(people[1], commune="00004", address="Số 9, phố Kim Mã")

    report = registry_import(
        kind="citizens",
        path=write_csv("\n".join([CITIZEN_HEADER, citizen_line(people[0]), moved]), name="b.csv"),
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    moved_citizen = Citizen.objects.get(personal_id=people[1])
    assert (moved_citizen.pk, moved_citizen.permanent_commune_id) == (pk, "00004")
    assert moved_citizen.permanent_address == "Số 9, phố Kim Mã"
    assert Citizen.objects.count() == 3


def test_one_audit_entry_per_import_with_counts_and_hash(
    units: dict, people: list[str], write_csv: WriteCsv, audit: AuditSpy
) -> None:
    path = write_csv("\n".join([CITIZEN_HEADER, *map(citizen_line, people), citizen_line("1")]) + "\n")

    report = registry_import(kind="citizens", path=path, batch_size=1)

    assert len(audit.calls) == 1
    entry = audit.calls[0]
    assert entry["action"] == "registry.citizens.import"
    assert entry["details"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256
    assert entry["details"]["file_name"] == "data.csv"
    assert {key: entry["details"][key] for key in ("rows", "created", "rejected")} == {
        "rows": 4,
        "created": 3,
        "rejected": 1,
    }


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_file_not_in_utf8_is_refused_whole(
    units: dict, people: list[str], write_csv: WriteCsv, encoding: str, audit: AuditSpy
) -> None:
    # Good ASCII rows first, in batches of one: none of them may be stored.
    ascii_only = {"origin": "Nam Dinh", "address": "So 1 Trang Tien"}
    lines = [
        CITIZEN_HEADER,
        citizen_line(people[0], name="Nguyen Van An", **ascii_only),
        citizen_line(people[1], name="Tran Van Binh", **ascii_only),
        citizen_line(people[2], name="Lê Văn Tâm" if encoding == "cp1258" else "José Ferrão", **ascii_only),
    ]
    path = write_csv("\n".join(lines) + "\n", encoding=encoding)

    with pytest.raises(InvalidInput) as caught:
        registry_import(kind="citizens", path=path, batch_size=1)

    assert "UTF-8" in caught.value.message_vi
    assert "dòng 4" in caught.value.message_vi
    assert "line 4" in caught.value.message_en
    assert "Nothing was written" in caught.value.message_en
    assert not Citizen.objects.exists()
    assert audit.calls == []


def test_a_utf16_file_is_named_as_such(units: dict, people: list[str], write_csv: WriteCsv) -> None:
    path = write_csv(CITIZEN_HEADER + "\n" + citizen_line(people[0]) + "\n", encoding="utf-16")
    with pytest.raises(InvalidInput, match="UTF-16"):
        registry_import(kind="citizens", path=path)


def test_a_bom_and_semicolons_from_a_spreadsheet_are_accepted(
    units: dict, people: list[str], write_csv: WriteCsv
) -> None:
    text = CITIZEN_HEADER.replace(",", ";") + "\r\n" + citizen_line(people[0]).replace(",", ";") + "\r\n"
    report = registry_import(kind="citizens", path=write_csv(text, encoding="utf-8-sig"))
    assert (report.created, report.rejected) == (1, 0)


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(
    units: dict, people: list[str], write_csv: WriteCsv
) -> None:
    text = "full_name,personal_id,sex,date_of_birth,permanent_commune,permanent_address\n"
    text += f'Hồ Văn Nam,{people[0]},M,17/05/1990,00070,"Số 2, phố Huế"\n'

    report = registry_import(kind="citizens", path=write_csv(text))

    citizen = Citizen.objects.get(personal_id=people[0])
    assert report.created == 1
    assert (citizen.full_name, citizen.ethnicity, citizen.nationality) == ("Hồ Văn Nam", "01", "VN")


def test_a_wrong_header_refuses_the_file_before_any_write(
    units: dict, people: list[str], write_csv: WriteCsv
) -> None:
    text = (
        "personal_id,fullname,date_of_birth,sex,permanent_address,permanent_commune\n"
        + f"{people[0]},A,B,C,D,E\n"
    )
    with pytest.raises(InvalidInput) as caught:
        registry_import(kind="citizens", path=write_csv(text))
    assert "full_name" in caught.value.message_vi
    assert "fullname" in caught.value.message_en
    with pytest.raises(InvalidInput, match="trống"):
        registry_import(kind="citizens", path=write_csv("", name="empty.csv"))
    with pytest.raises(InvalidInput, match="passports"):
        registry_import(kind="passports", path=write_csv(text))
    assert not Citizen.objects.exists()


def test_the_units_must_be_loaded_first(people: list[str], write_csv: WriteCsv) -> None:
    with pytest.raises(InvalidInput, match="registry_load_units"):
        registry_import(kind="citizens", path=write_csv(CITIZEN_HEADER + "\n" + citizen_line(people[0])))


def test_every_rejection_can_be_written_to_a_csv(units: dict, write_csv: WriteCsv) -> None:
    rows = [citizen_line(f"00109000{n:04d}", born="1990-13-01") for n in range(1200)]
    rejects = io.StringIO()

    report = registry_import(
        kind="citizens", path=write_csv("\n".join([CITIZEN_HEADER, *rows])), rejects=rejects
    )

    assert report.rejected == 1200
    assert len(report.rejections) == 1000  # the report keeps the first thousand
    assert list(report.lines())[-1].endswith("(and 200 more rejected rows).")
    written = rejects.getvalue().splitlines()
    assert written[0] == "line,reason_vi,reason_en"
    assert len(written) == 1201
    assert written[-1].startswith("1201,")


def test_households_are_built_from_member_rows(units: dict, write_csv: WriteCsv, audit: AuditSpy) -> None:
    head, wife, son, stranger = (factories.citizen(commune=units["hoan_kiem"]) for _ in range(4))
    lodger = factories.personal_id()  # not in the population registry
    text = "\n".join(
        [
            "household_code,personal_id,relationship,address,commune",
            f"HK100,{son.personal_id},con,,",  # line 2: before its head: HK100 does not exist yet
            f'HK100,{head.personal_id},Chủ hộ,"Số 1, phố Tràng Tiền",00070',  # line 3
            f"HK100,{wife.personal_id},vợ,,",  # line 4
            f"HK100,{lodger},other,,",  # line 5: unknown person
            f"HK100,{stranger.personal_id},head,Số 9,00070",  # line 6: a second head
            f"HK200,{factories.personal_id()},anh họ,,",  # line 7: unknown relationship
        ]
    )

    report = registry_import(kind="households", path=write_csv(text))

    found = reasons(report)
    assert sorted(found) == [2, 5, 6, 7]
    assert "chủ hộ phải đứng trước" in found[2]
    assert lodger in found[5]
    assert "đã có chủ hộ ở dòng 3" in found[6]
    assert "anh họ" in found[7]
    household = Household.objects.get(code="HK100")
    assert household.head == head
    assert household.address_line == "Số 1, phố Tràng Tiền"
    assert dict(household.members.values_list("citizen_id", "relationship")) == {
        head.pk: Relationship.HEAD,
        wife.pk: Relationship.WIFE,
    }
    assert report.extra["households_created"] == 1

    again = registry_import(kind="households", path=write_csv(text, name="again.csv"))
    assert (again.created, again.updated, again.unchanged) == (1, 0, 2)  # the son's row now finds HK100
    assert HouseholdMember.objects.filter(household=household).count() == 3


def test_a_new_head_replaces_the_old_one_listed_before_him(units: dict, write_csv: WriteCsv) -> None:
    father, son = (factories.citizen(commune=units["hoan_kiem"]) for _ in range(2))
    header = "household_code,personal_id,relationship,address,commune\n"
    registry_import(
        kind="households",
        path=write_csv(header + f"HK1,{father.personal_id},head,Số 1,00070\nHK1,{son.personal_id},child,,\n"),
    )

    report = registry_import(
        kind="households",
        path=write_csv(
            header + f"HK1,{father.personal_id},father,,\nHK1,{son.personal_id},head,Số 1,00070\n",
            name="b.csv",
        ),
    )

    assert (report.updated, report.rejected) == (2, 0)
    assert Household.objects.get(code="HK1").head == son


def test_organisations_need_a_known_representative(units: dict, write_csv: WriteCsv) -> None:
    boss = factories.citizen(commune=units["saigon"])
    good, branch, unknown = factories.tax_code(), None, factories.tax_code()
    branch = f"{good}-001"
    text = "\n".join(
        [
            "code,name,english_name,legal_form,status,founded_date,address,commune,representative_personal_id,"
            "phone,email,business_lines",
            f'{good},Công ty Cổ phần Mê Kông,Mekong JSC,joint_stock,active,2010-01-01,"Số 1, Lê Lợi",26734,'
            f"{boss.personal_id},028 3822 1234,info@mekong.example.com,4610;6201",
            f"{branch},Chi nhánh Mê Kông tại Hà Nội,,branch,Đang hoạt động,01/06/2015,Số 2,00070,,,,",
            f"{unknown},Công ty Ma,,,active,2010-01-01,Số 3,26734,{factories.personal_id()},,,",
            f"{good[:9]}0,Sai Mã,,,active,2010-01-01,Số 4,26734,,,,",
            f"{factories.tax_code()},Ngành Lạ,,,active,2010-01-01,Số 4,26734,,,,47-11",
        ]
    )

    report = registry_import(kind="organisations", path=write_csv(text))

    found = reasons(report)
    assert report.created == 2
    assert sorted(found) == [4, 5, 6]
    assert "người đại diện" in found[4]
    assert "VSIC" in found[6]
    mekong = Organisation.objects.get(code=good)
    assert (mekong.representative, mekong.phone, mekong.business_lines) == (boss, "02838221234", "4610,6201")
    assert Organisation.objects.get(code=branch).is_branch


def test_issuer_registries_import_with_their_own_checks(write_csv: WriteCsv) -> None:
    holder = factories.personal_id()
    licences = registry_import(
        kind="driver_licences",
        path=write_csv(
            "number,holder_personal_id,classes,issue_date,expiry_date,issuing_agency,status\n"
            f"010123456789,{holder},A1;B,2020-01-01,2030-01-01,,active\n"
            f"010123456780,{holder},B,2020-01-01,2019-01-01,,\n"
            f"010123456781,{holder},A1,2020-01-01,,G99,\n",
            name="licences.csv",
        ),
    )
    vehicles = registry_import(
        kind="vehicles",
        path=write_csv(
            "plate,vehicle_type,brand,model,colour,chassis_number,engine_number,registration_date,owner_id\n"
            f"29B1-234.56,Mô tô,Honda,Vision,Đỏ,rlh123,e1,2021-03-04,{holder}\n"
            f"29B1 23456,motorcycle,Honda,Vision,Đỏ,rlh124,e2,2021-03-04,{holder}\n"
            "30A-999.99,car,Kia,Morning,Trắng,k1,e3,2021-03-04,123\n",
            name="vehicles.csv",
        ),
    )
    cards = registry_import(
        kind="health_insurance_cards",
        path=write_csv(
            "number,holder_personal_id,benefit_level,primary_care_facility_code,primary_care_facility_name,"
            "valid_from,valid_to\n"
            f"0123456789,{holder},4,01001,Trạm Y tế Phường Hoàn Kiếm,2026-01-01,2026-12-31\n"
            f"012345678,{holder},4,01001,X,2026-01-01,\n"
            f"0123456780,{holder},9,01001,X,2026-01-01,\n",
            name="cards.csv",
        ),
    )

    assert (licences.created, sorted(reasons(licences))) == (1, [3, 4])
    assert "G99" in reasons(licences)[4]
    assert DriverLicence.objects.get().classes == "A1,B"
    assert (vehicles.created, sorted(reasons(vehicles))) == (1, [3, 4])
    assert "Trùng khóa 29B1-234.56" in reasons(vehicles)[3]
    assert "số định danh cá nhân 12 chữ số hoặc mã số doanh nghiệp" in reasons(vehicles)[4]
    assert VehicleRegistration.objects.get().vehicle_type == "motorcycle"
    assert (cards.created, sorted(reasons(cards))) == (1, [3, 4])
    assert HealthInsuranceCard.objects.get().primary_care_facility_name == "Trạm Y tế Phường Hoàn Kiếm"


def test_the_command_prints_the_report(units: dict, people: list[str], write_csv: WriteCsv) -> None:
    path = write_csv("\n".join([CITIZEN_HEADER, citizen_line(people[0]), citizen_line("x")]) + "\n")
    out = io.StringIO()

    call_command("registry_import", "citizens", str(path), stdout=out)

    printed = out.getvalue()
    assert "tạo mới (created): 1" in printed
    assert "Dòng 3:" in printed
    assert "Line 3:" in printed


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_are_written_by_a_second_thread(
    units: dict, write_csv: WriteCsv, audit: AuditSpy
) -> None:
    pids = [factories.personal_id(born=date(1991, 1, 1)) for _ in range(25)]
    rows = [citizen_line(pid, born="1991-01-01") for pid in pids] + [citizen_line("bad")]

    report = registry_import(
        kind="citizens", path=write_csv("\n".join([CITIZEN_HEADER, *rows])), batch_size=4
    )

    assert (report.created, report.rejected) == (25, 1)
    assert Citizen.objects.count() == 25
    assert audit.actions() == ["registry.citizens.import"]


def test_a_file_that_cannot_be_opened_is_a_clear_command_error(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không mở được tệp"):
        call_command("registry_import", "citizens", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="Cannot open file"):
        call_command("registry_import", "citizens", str(tmp_path))  # a folder

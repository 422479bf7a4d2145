"""The whole life of a dossier in Chromium, as the people involved see it.

A citizen applies with a prefilled form; the ward's officer asks for a supplement; the citizen
supplies it; the officer receives and processes it; the leader approves; the citizen
downloads the signed result, whose signature pyHanko validates; the public verification page
confirms it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.signing.selectors import pdf_verify
from tests.dossiers import factories
from tests.e2e.test_apply import DATABASE, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def action_form(page: Page, button: str) -> Any:
    """The back-office form whose submit button reads ``button``."""
    return page.locator("form", has=page.get_by_role("button", name=button, exact=True))


def test_a_dossier_from_application_to_a_verified_signed_result(
    new_page: Callable[..., Page], live_server: Any, world: factories.World, tmp_path: Path
) -> None:
    citizen = new_page()
    officer = new_page()
    leader = new_page()
    log_in(citizen, live_server, world.applicant)
    log_in(officer, live_server, world.officer)
    log_in(leader, live_server, world.leader)
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(factories.PDF)

    # The citizen applies: consent, the name the registry holds, one upload, submit.
    citizen.goto(f"{live_server.url}/thu-tuc/{world.procedure.code}/nop-ho-so/")
    citizen.get_by_role("button", name="Bắt đầu").click()
    expect(citizen.get_by_role("heading", name=f"Cho phép lấy dữ liệu từ {DATABASE}")).to_be_visible()
    citizen.get_by_role("button", name="Đồng ý: lấy dữ liệu của tôi").click()
    expect(citizen.locator(".summary-list")).to_contain_text(world.person.full_name)
    citizen.get_by_label("Ngày sinh").fill("2026-11-02")
    citizen.get_by_role("group", name="Giới tính").get_by_label("Nữ").check()
    citizen.get_by_label("Tôi cam đoan khai đúng sự thật").check()
    citizen.get_by_role("button", name="Lưu và tiếp tục").click()
    citizen.get_by_label("Tải tệp lên – Giấy chứng sinh").set_input_files(str(certificate))
    citizen.get_by_role("button", name="Tải lên – Giấy chứng sinh").click()
    citizen.get_by_role("button", name="Tiếp tục").click()
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    dossier = Dossier.objects.get()
    code = dossier.code

    # The officer finds it in the queue and asks, once, for what is missing.
    officer.goto(f"{live_server.url}/mot-cua/")
    officer.get_by_role("link", name=code).click()
    form = action_form(officer, "Gửi yêu cầu bổ sung")
    form.locator("textarea[name='request_supplement-missing']").fill("Giấy chứng sinh bản chụp rõ nét")
    form.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    expect(officer.get_by_role("button", name="Gửi yêu cầu bổ sung", exact=True)).to_have_count(0)
    assert Dossier.objects.get().status == Status.SUPPLEMENT_REQUESTED

    # The citizen sees the request on the dossier's page and sends the clearer copy.
    citizen.goto(f"{live_server.url}/ho-so/{code}/")
    expect(citizen.get_by_text("Giấy chứng sinh bản chụp rõ nét")).to_be_visible()
    clearer = tmp_path / "giay-chung-sinh-ro-net.pdf"
    clearer.write_bytes(factories.PDF.replace(b"trailer", b"%clear\ntrailer"))
    citizen.locator("input[type=file][name=attachments]").set_input_files(str(clearer))
    citizen.get_by_role("button", name="Gửi bổ sung").click()
    expect(citizen.get_by_role("button", name="Gửi bổ sung")).to_have_count(0)
    assert Dossier.objects.get().status == Status.NEW

    # Reception, assignment to the officer, forward to the leader.
    officer.goto(f"{live_server.url}/mot-cua/ho-so/{code}/")
    expect(officer.get_by_text("giay-chung-sinh-ro-net.pdf")).to_be_visible()
    action_form(officer, "Tiếp nhận").get_by_role("button", name="Tiếp nhận").click()
    assign = action_form(officer, "Phân công")
    assign.get_by_label("Cán bộ", exact=True).select_option(str(world.officer.pk))
    assign.get_by_role("button", name="Phân công").click()
    forward = action_form(officer, "Chuyển")
    forward.get_by_label("Chuyển hồ sơ cho").select_option(str(world.leader.pk))
    forward.get_by_role("button", name="Chuyển").click()
    expect(officer.get_by_role("button", name="Chuyển", exact=True)).to_have_count(0)

    # The leader approves: the result is signed with the ward's key.
    leader.goto(f"{live_server.url}/mot-cua/ho-so/{code}/")
    decide = action_form(leader, "Ký số và phát hành kết quả")
    decide.get_by_label("Quyết định").select_option(label="Chấp thuận")
    decide.get_by_role("button", name="Ký số và phát hành kết quả").click()
    expect(leader.get_by_role("button", name="Ghi nhận trả kết quả", exact=True)).to_be_visible()
    leader.get_by_role("button", name="Ghi nhận trả kết quả", exact=True).click()
    assert Dossier.objects.get().status == Status.RETURNED

    # The citizen downloads the result; pyHanko finds the signature valid, by the ward.
    citizen.goto(f"{live_server.url}/ho-so/{code}/")
    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name="Tải kết quả").click()
    signed = Path(download_info.value.path()).read_bytes()
    report = pdf_verify(pdf=signed)
    assert report.valid, report.problems
    assert report.intact
    assert report.trusted
    assert report.signer_agency_code == world.ward.code
    assert hashlib.sha256(signed).hexdigest() == Dossier.objects.get().result_sha256

    # Anyone holding the paper can check it on the verification page.
    citizen.goto(f"{live_server.url}/verify/{code}")
    expect(citizen.locator("main")).to_contain_text(world.ward.name)
    expect(citizen.locator("main")).not_to_contain_text(world.person.full_name)
    copy = tmp_path / "ket-qua.pdf"
    copy.write_bytes(signed)
    citizen.locator("input[type=file]").set_input_files(str(copy))
    citizen.locator("main form button[type=submit]").click()
    expect(citizen.locator("main")).to_contain_text(hashlib.sha256(signed).hexdigest())

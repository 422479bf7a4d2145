"""Acting for an enterprise in Chromium: its legal representative, as the business registry
names them through the exchange, authorises an employee, who then applies on its behalf."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from congso.dossiers.models import DossierDraft
from congso.exchange.models import MessageLogEntry
from tests.dossiers import factories
from tests.e2e.conftest import axe_scan, describe_violations
from tests.e2e.test_apply import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_representative_authorises_an_employee_who_applies_for_the_enterprise(
    page: Page, new_page: Any, live_server: Any, world: factories.World
) -> None:
    enterprise = world.data["enterprise"]  # the registry names world.applicant its representative
    employee = world.stranger
    world.procedure.for_organisations = True  # "đối tượng thực hiện" includes enterprises
    world.procedure.save(update_fields=["for_organisations"])
    log_in(page, live_server, world.applicant)

    page.goto(f"{live_server.url}/tai-khoan/to-chuc/")
    row = page.get_by_role("row", name=re.compile(enterprise.code))
    expect(row).to_contain_text("Người đại diện theo pháp luật")
    expect(page.get_by_text("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")).to_be_visible()
    violations = axe_scan(page)
    assert not violations, describe_violations(violations)
    assert MessageLogEntry.objects.filter(
        service__endswith="/represented-enterprises", data_subject=world.applicant.username
    ).exists()

    row.get_by_role("link", name=enterprise.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(enterprise.name)
    page.get_by_label("Số định danh cá nhân của người được ủy quyền").fill(employee.username)
    page.get_by_label(re.compile("Nộp và theo dõi hồ sơ")).check()
    until = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Có hiệu lực đến hết ngày").fill(until.isoformat())
    page.get_by_role("button", name="Ủy quyền", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Người được ủy quyền đã có thể thay mặt tổ chức.")
    expect(page.get_by_role("row", name=re.compile(employee.full_name))).to_contain_text(
        until.strftime("%d/%m/%Y")
    )
    violations = axe_scan(page)
    assert not violations, describe_violations(violations)

    staff = new_page(bypass_csp=True)  # axe-core is injected as an inline script
    log_in(staff, live_server, employee)
    staff.goto(f"{live_server.url}/thu-tuc/{world.procedure.code}/nop-ho-so/")
    applying_for = staff.get_by_role("group", name="Nộp hồ sơ cho")
    expect(applying_for.get_by_label(re.compile("Bản thân tôi"))).to_be_checked()
    applying_for.get_by_label(f"{enterprise.name} ({enterprise.code})").check()
    violations = axe_scan(staff)
    assert not violations, describe_violations(violations)
    staff.get_by_role("button", name="Bắt đầu").click()

    expect(staff.get_by_role("heading", name=re.compile("Cho phép lấy dữ liệu"))).to_be_visible()
    draft = DossierDraft.objects.get(applicant=employee)
    assert draft.organisation is not None
    assert draft.organisation.organisation_code == enterprise.code

"""The public enterprise lookup page, /tra-cuu/doanh-nghiep/: a plain GET form."""

from __future__ import annotations

import pytest
from django.test import Client

from congso.registry.models import Organisation

from . import factories

pytestmark = pytest.mark.django_db

URL = "/tra-cuu/doanh-nghiep/"


@pytest.fixture
def organisation(units: dict) -> Organisation:
    boss = factories.citizen(commune=units["hoan_kiem"], phone="0987654321")
    return factories.organisation(commune=units["hoan_kiem"], representative=boss)


def test_the_empty_page_offers_a_labelled_get_form(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tra cứu doanh nghiệp</h1>" in html
    assert '<form method="get"' in html
    assert '<label class="label" for="code">Mã số doanh nghiệp</label>' in html
    assert 'id="code" name="ma_so"' in html
    assert "<script" not in html  # it works without JavaScript


def test_an_enterprise_is_shown_without_its_private_fields(
    client: Client, organisation: Organisation
) -> None:
    response = client.get(URL, {"ma_so": organisation.code})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Công ty TNHH Thương mại Hòa Bình" in html
    assert "Đang hoạt động" in html
    assert "04/03/2012" in html
    assert "Số 8, phố Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội" in html
    assert organisation.representative is not None
    for private in (organisation.representative.personal_id, organisation.representative.full_name, "0987654321",
                    organisation.phone, organisation.email):  # fmt: skip
        assert private not in html


def test_an_unknown_code_says_no_enterprise_was_found(client: Client, units: dict) -> None:
    code = factories.tax_code()

    response = client.get(URL, {"ma_so": code})

    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy doanh nghiệp" in html
    assert f"Không có doanh nghiệp mang mã số {code}" in html
    assert f'value="{code}"' in html  # the form keeps what was typed


@pytest.mark.parametrize("code", ["123", "công ty", "<script>alert(1)</script>", "9" * 150])
def test_a_malformed_code_is_explained_next_to_the_field(client: Client, code: str) -> None:
    response = client.get(URL, {"ma_so": code})

    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Lỗi: Tra cứu doanh nghiệp" in html
    assert "form-group--error" in html
    assert 'aria-describedby="code-hint code-error"' in html
    assert "10 chữ số" in html
    assert "<script>alert(1)</script>" not in html


def test_only_get_is_allowed(client: Client) -> None:
    assert client.post(URL, {"ma_so": "0101234567"}).status_code == 405

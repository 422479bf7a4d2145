"""The public page that checks a signed PDF: /xac-minh-chu-ky/ ("Kiểm tra chữ ký số")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from congso.registry.models import Agency
from congso.signing.services import pdf_sign

pytestmark = pytest.mark.django_db

URL = "/xac-minh-chu-ky/"


def _upload(content: bytes, name: str = "ket-qua.pdf") -> dict[str, SimpleUploadedFile]:
    return {"tai_lieu": SimpleUploadedFile(name, content, content_type="application/pdf")}


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _token(client: Client) -> str:
    page = client.get(URL).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def _post(client: Client, content: bytes, name: str = "ket-qua.pdf") -> Any:
    return client.post(URL, {"csrfmiddlewaretoken": _token(client), **_upload(content, name)})


def test_the_page_offers_an_upload_form_that_needs_no_javascript(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Kiểm tra chữ ký số</h1>" in html
    assert '<form method="post" action="/xac-minh-chu-ky/" enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label class="label" for="tai_lieu">Tài liệu PDF</label>' in html
    assert 'type="file"' in html
    assert 'name="tai_lieu"' in html
    assert "không quá 10 MB" in html
    assert "<script" not in html


def test_a_signed_pdf_is_reported_valid_with_its_agency(
    csrf_client: Client, agency: Agency, receipt_pdf: bytes
) -> None:
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký giấy tiếp nhận")

    response = _post(csrf_client, signed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Chữ ký số hợp lệ" in html
    assert f"Tài liệu do {agency.name} ký số và chưa bị thay đổi kể từ khi ký." in html
    assert agency.code in html
    assert "Ký giấy tiếp nhận" in html
    assert "tag--demo" in html  # the demo CA is named as such
    assert "notification--success" in html


def test_a_tampered_pdf_is_reported_changed(csrf_client: Client, agency: Agency, receipt_pdf: bytes) -> None:
    signed = bytearray(pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký"))
    signed[signed.index(b"/Title (") + 9] ^= 0x01

    response = _post(csrf_client, bytes(signed))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Chữ ký số không hợp lệ" in html
    assert "Nội dung tài liệu đã bị sửa sau khi ký" in html
    assert "The document was altered after it was signed" in html
    assert "notification--success" not in html


def test_an_unsigned_pdf_is_reported_unsigned(csrf_client: Client, receipt_pdf: bytes) -> None:
    html = _post(csrf_client, receipt_pdf).content.decode()

    assert "Tài liệu chưa được ký số" in html


def test_a_file_that_is_not_a_pdf_is_refused_with_a_clear_message(csrf_client: Client) -> None:
    response = _post(csrf_client, b"PK\x03\x04 a zip file", name="ket-qua.pdf")

    assert response.status_code == 422
    html = response.content.decode()
    assert "Tệp đã chọn không phải là tệp PDF" in html
    assert "The selected file is not a PDF" in html
    assert 'class="error-summary"' in html


def test_no_file_is_refused(csrf_client: Client) -> None:
    response = csrf_client.post(URL, {"csrfmiddlewaretoken": _token(csrf_client)})

    assert response.status_code == 422
    assert "Hãy chọn một tệp PDF." in response.content.decode()


@pytest.mark.parametrize("size", [64 * 1024 + 1, 512 * 1024], ids=["while-reading", "before-reading"])
def test_an_oversize_file_is_refused(csrf_client: Client, size: int) -> None:
    with override_settings(CONGSO_SIGNING_VERIFY_MAX_BYTES=64 * 1024):
        response = _post(csrf_client, b"%PDF-1.7\n" + b"0" * size)

    assert response.status_code == 413
    html = response.content.decode()
    assert "Tệp lớn hơn 64 KB" in html
    assert "The file is larger than 64 KB" in html


def test_a_file_over_10_mb_is_refused(csrf_client: Client) -> None:
    response = _post(csrf_client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))

    assert response.status_code == 413
    assert "Tệp lớn hơn 10 MB" in response.content.decode()


def test_a_post_without_the_csrf_token_is_refused(csrf_client: Client, receipt_pdf: bytes) -> None:
    response = csrf_client.post(URL, _upload(receipt_pdf))

    assert response.status_code == 403


def test_checks_are_limited_per_address(csrf_client: Client, receipt_pdf: bytes) -> None:
    with override_settings(CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR=2):
        statuses = [_post(csrf_client, receipt_pdf).status_code for _ in range(3)]
        last = _post(csrf_client, receipt_pdf)

    assert statuses == [200, 200, 429]
    assert "Bạn đã kiểm tra quá nhiều tệp" in last.content.decode()


def test_the_page_speaks_english_on_request(client: Client, agency: Agency, receipt_pdf: bytes) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký")

    html = client.post(URL, _upload(signed)).content.decode()

    assert "The signature is valid" in html
    assert "Check a digital signature" in html

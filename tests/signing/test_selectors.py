"""Checking signed PDFs: what pdf_verify reports for genuine, altered, foreign and unsigned files."""

from __future__ import annotations

import pytest

from congso.registry.models import Agency
from congso.signing.selectors import pdf_verify
from congso.signing.services import pdf_sign

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_pdf(agency: Agency, receipt_pdf: bytes) -> bytes:
    return pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký giấy tiếp nhận", location="Bắc Ninh")


def test_signed_document_is_valid_trusted_and_names_the_agency(agency: Agency, signed_pdf: bytes) -> None:
    report = pdf_verify(pdf=signed_pdf)

    assert report.signed
    assert report.intact
    assert report.trusted
    assert report.valid
    assert report.problems == []
    assert report.signer_agency_code == agency.code
    assert report.signer_agency_name == agency.name
    assert report.signer_name == agency.name
    assert report.reason == "Ký giấy tiếp nhận"
    assert report.signed_at is not None
    assert report.signature_count == 1
    assert report.demo  # signed with the demo CA's certificate
    assert len(report.document_sha256) == 64


def test_a_byte_changed_after_signing_breaks_integrity(signed_pdf: bytes) -> None:
    # The title in the document information, inside the signed byte range.
    position = signed_pdf.index(b"/Title (")
    tampered = bytearray(signed_pdf)
    tampered[position + 9] ^= 0x01

    report = pdf_verify(pdf=bytes(tampered))

    assert report.signed
    assert not report.intact
    assert not report.valid
    assert "altered" in report.problem_codes
    assert any("sửa sau khi ký" in problem and "altered" in problem for problem in report.problems)


def test_a_byte_changed_in_the_page_content_breaks_integrity(signed_pdf: bytes) -> None:
    # A byte inside the first compressed stream (page content or font), still the same length.
    position = signed_pdf.index(b"stream\n") + len(b"stream\n") + 20
    tampered = bytearray(signed_pdf)
    tampered[position] ^= 0xFF

    report = pdf_verify(pdf=bytes(tampered))

    assert not report.intact
    assert not report.valid


def test_content_added_after_signing_is_reported(signed_pdf: bytes) -> None:
    report = pdf_verify(pdf=factories.append_annotation(signed_pdf))

    assert report.signed
    assert not report.intact
    assert not report.valid
    assert "added_after_signing" in report.problem_codes


def test_a_second_signature_keeps_the_document_valid(agency: Agency, signed_pdf: bytes) -> None:
    other = factories.agency(name="UBND phường Hoàn Kiếm")

    report = pdf_verify(pdf=pdf_sign(agency=other, pdf=signed_pdf, reason="Phê duyệt"))

    assert report.valid, report.problems
    assert report.signature_count == 2
    assert report.signer_agency_code == other.code


def test_signature_from_a_foreign_ca_is_not_trusted(receipt_pdf: bytes) -> None:
    # Same name and agency code as a real agency, but issued by a CA the platform does not trust.
    forged = factories.sign_with_foreign(receipt_pdf, factories.foreign_signer(agency_code="H15.50"))

    report = pdf_verify(pdf=forged)

    assert report.signed
    assert report.intact
    assert not report.trusted
    assert not report.valid
    assert "untrusted" in report.problem_codes
    assert report.signer_agency_code == ""  # an untrusted certificate names no agency
    assert report.signer_name == "Sở Tư pháp tỉnh Bắc Ninh"


def test_foreign_signature_stays_untrusted_beside_the_platform_ca(agency: Agency, receipt_pdf: bytes) -> None:
    pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký")  # the demo CA exists and is trusted

    report = pdf_verify(pdf=factories.sign_with_foreign(receipt_pdf, factories.foreign_signer()))

    assert not report.trusted
    assert not report.valid


def test_unsigned_pdf_is_reported_unsigned(receipt_pdf: bytes) -> None:
    report = pdf_verify(pdf=receipt_pdf)

    assert not report.signed
    assert not report.valid
    assert report.problem_codes == ["unsigned"]


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n%%EOF", b"\x00" * 100])
def test_garbage_is_reported_not_raised(data: bytes) -> None:
    report = pdf_verify(pdf=data)

    assert not report.signed
    assert not report.valid
    assert report.problem_codes in (["not_pdf"], ["unsigned"])


def test_damaged_signature_container_is_reported(signed_pdf: bytes) -> None:
    start = signed_pdf.index(b"/Contents <") + len(b"/Contents <")
    damaged = signed_pdf[:start] + b"00" * 40 + signed_pdf[start + 80 :]

    report = pdf_verify(pdf=damaged)

    assert report.signed
    assert not report.intact
    assert not report.valid
    assert report.problem_codes == ["signature_damaged"]

"""Rendering official documents: layout text, fonts, QR link, metadata, signer's box."""

from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from congso.signing.errors import PdfFontMissing
from congso.signing.pdf import NATIONAL_MOTTO, NATIONAL_NAME, SIGNATURE_FIELD, date_line

from . import factories


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name → whether its program is embedded in the file."""
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    found = {}
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
        found[str(font["/BaseFont"])] = embedded
    return found


def test_receipt_shows_its_vietnamese_text() -> None:
    text = factories.pdf_text(factories.receipt_pdf())

    assert NATIONAL_NAME in text
    assert NATIONAL_MOTTO in text
    assert "SỞ TƯ PHÁP TỈNH BẮC NINH" in text
    assert "UBND TỈNH BẮC NINH" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Bắc Ninh, ngày 05 tháng 02 năm 2026" in text
    assert "Số: 1234/GTN-STP" in text
    assert "ôngNguyễnVănÂn" in text.replace(" ", "")  # justified body text is set word by word
    assert "Ngày hẹn trả kết quả" in text
    assert "CÁN BỘ TIẾP NHẬN" in text
    assert "Trần Thị Bình" in text
    assert "Cổng Số – tra cứu hồ sơ trực tuyến" in text


def test_fonts_are_embedded_dejavu_only() -> None:
    fonts = _fonts(factories.receipt_pdf())

    assert fonts, "the page uses fonts"
    assert all("DejaVuSerif" in name for name in fonts), fonts
    assert all(fonts.values()), "every font program is embedded"


def test_qr_code_links_to_the_url_and_prints_it() -> None:
    pdf = factories.receipt_pdf()

    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    uris = [
        str(annot.get_object()["/A"]["/URI"])
        for annot in page["/Annots"]
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    assert uris == [factories.TRACKING_URL]
    text = factories.pdf_text(pdf).replace(" ", "")
    assert factories.TRACKING_URL in text  # the caption prints it (it may wrap)
    assert "Quétmãđểtracứuhồsơ" in text


def test_metadata_names_the_document_and_agency() -> None:
    reader = PdfFileReader(io.BytesIO(factories.receipt_pdf()))
    info = reader.trailer["/Info"]

    assert str(info["/Title"]) == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert str(info["/Author"]) == "Sở Tư pháp tỉnh Bắc Ninh"
    assert str(info["/CreationDate"]) == "D:20260205083000+07'00'"


def test_same_document_renders_to_the_same_bytes() -> None:
    assert factories.receipt_pdf() == factories.receipt_pdf()


def test_signer_box_is_an_empty_signature_field_on_the_last_page() -> None:
    reader = PdfFileReader(io.BytesIO(factories.receipt_pdf()))

    found = [(name, value) for name, value, _ in enumerate_sig_fields(reader)]
    assert found == [(SIGNATURE_FIELD, None)]


def test_no_signer_box_when_the_document_asks_for_none() -> None:
    reader = PdfFileReader(io.BytesIO(factories.receipt_pdf(signature_box=False)))

    assert list(enumerate_sig_fields(reader)) == []


def test_long_document_flows_onto_more_pages_with_numbers() -> None:
    paragraphs = [
        f"Điều {number}. Nội dung quy định thứ {number} của quyết định này." * 3 for number in range(60)
    ]
    pdf = factories.receipt_pdf(paragraphs=paragraphs, title="Quyết định")

    reader = PdfFileReader(io.BytesIO(pdf))
    assert int(reader.root["/Pages"]["/Count"]) >= 3
    assert "Điều 59." in factories.pdf_text(pdf)


def test_text_is_not_read_as_markup() -> None:
    pdf = factories.receipt_pdf(paragraphs=["Ông <b>A</b> & bà B"])

    # Justified lines are set word by word, so compare without spaces.
    assert "Ông<b>A</b>&bàB" in factories.pdf_text(pdf).replace(" ", "")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "Hà Nội, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "Hà Nội, ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2026"),
        (date(2026, 12, 10), "Hà Nội, ngày 10 tháng 12 năm 2026"),
    ],
)
def test_date_line_follows_decree_30(day: date, expected: str) -> None:
    assert date_line("Hà Nội", day) == expected


def test_missing_fonts_fail_with_a_clear_message(tmp_path: Path) -> None:
    with override_settings(CONGSO_PDF_FONT_DIR=tmp_path), pytest.raises(PdfFontMissing) as caught:
        factories.receipt_pdf()

    assert "fonts-dejavu-core" in caught.value.message_en
    assert "CONGSO_PDF_FONT_DIR" in caught.value.message_vi
    assert str(tmp_path) in caught.value.message


def test_documents_rendered_in_parallel_threads_come_out_whole() -> None:
    # reportlab is not thread-safe; threaded workers render one document at a time.
    expected = factories.receipt_pdf()
    results: list[bytes] = []
    errors: list[BaseException] = []

    def render() -> None:
        try:
            results.extend(factories.receipt_pdf() for _ in range(5))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [expected] * 20

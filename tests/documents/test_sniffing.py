"""Uploads are judged by their content: each accepted format passes, disguises are refused."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from congso.core.errors import InvalidInput
from congso.documents import services
from congso.documents.models import StoredDocument
from congso.identity.models import User

from . import factories
from .factories import SAMPLES, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extension", sorted(SAMPLES))
def test_every_accepted_type_is_stored_with_its_sniffed_content_type(
    citizen_user: User, extension: str
) -> None:
    content = SAMPLES[extension]
    # The browser's content type is ignored either way.
    document = services.document_upload(
        owner=citizen_user, uploaded_file=upload(f"giay-to.{extension.upper()}", content, "text/html")
    )

    expected = {
        "pdf": "application/pdf",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xml": "application/xml",
        "dwg": "image/vnd.dwg",
    }[extension]
    assert document.content_type == expected
    assert document.extension == extension
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.file.name.endswith(f"/{document.public_id}.{extension}")


def _refusal(owner: User, name: str, content: bytes, **kwargs: object) -> InvalidInput:
    before = StoredDocument.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.document_upload(owner=owner, uploaded_file=upload(name, content), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == "file"
    assert StoredDocument.objects.count() == before
    return caught.value


def test_a_png_named_pdf_is_refused_saying_what_it_is(citizen_user: User) -> None:
    error = _refusal(citizen_user, "x.pdf", factories.png_bytes())

    assert error.code == "file_type"
    assert error.message_vi == "Tệp 'x.pdf' không phải PDF: nội dung là ảnh PNG"
    assert error.message_en == "File 'x.pdf' is not a PDF: its content is a PNG image"


@pytest.mark.parametrize(
    ("content", "described_en"),
    [
        (factories.elf_bytes(), "an executable program (ELF)"),
        (factories.exe_bytes(), "an executable program (EXE)"),
        (factories.html_bytes(), "an HTML web page"),
    ],
)
def test_programs_and_web_pages_renamed_pdf_are_refused(
    citizen_user: User, content: bytes, described_en: str
) -> None:
    error = _refusal(citizen_user, "ho-chieu.pdf", content)

    assert error.code == "file_type"
    assert error.message_en == f"File 'ho-chieu.pdf' is not a PDF: its content is {described_en}"
    assert error.message_vi.startswith("Tệp 'ho-chieu.pdf' không phải PDF: nội dung là ")


def test_a_zip_without_a_word_document_named_docx_is_refused(citizen_user: User) -> None:
    content = factories.zip_bytes({"[Content_Types].xml": b"<Types/>", "payload.js": b"alert(1)"})

    error = _refusal(citizen_user, "don.docx", content)

    assert error.code == "file_type"
    assert error.message_en == "File 'don.docx' is not a Word (.docx) document: its content is a ZIP archive"


def test_a_damaged_zip_named_docx_is_refused(citizen_user: User) -> None:
    error = _refusal(citizen_user, "don.docx", b"PK\x03\x04" + b"\x00" * 100)

    assert error.message_en.endswith("its content is a damaged ZIP archive")


@pytest.mark.parametrize(
    "content",
    [
        # Billion laughs: refused at the DOCTYPE, nothing is expanded.
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>',
        # XXE: the external entity is never fetched.
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
        b'<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
    ],
)
def test_xml_with_a_doctype_is_refused(citizen_user: User, content: bytes) -> None:
    error = _refusal(citizen_user, "to-khai.xml", content)

    assert error.code == "file_type"
    assert error.message_en == (
        "File 'to-khai.xml' is refused: it declares a DOCTYPE or entities, which are refused for safety"
    )


def test_malformed_xml_is_refused_with_where_it_breaks(citizen_user: User) -> None:
    error = _refusal(citizen_user, "to-khai.xml", b"<?xml version='1.0'?>\n<a>\n  <b></a>\n")

    assert error.message_en.startswith("File 'to-khai.xml' is not well-formed XML: error at line 3, column")
    assert "mismatched tag" in error.message_en


def test_xml_is_checked_across_chunks(citizen_user: User) -> None:
    """The parser is fed chunk by chunk; a DOCTYPE-free file larger than a chunk passes."""
    rows = b"".join(b"<row n='%d'>gi\xe1\xba\xa5y t\xe1\xbb\x9d</row>\n" % n for n in range(20_000))
    content = b"<?xml version='1.0' encoding='UTF-8'?>\n<rows>\n" + rows + b"</rows>\n"
    assert len(content) > 3 * 64 * 1024

    document = services.document_upload(owner=citizen_user, uploaded_file=upload("bang-ke.xml", content))

    assert document.size == len(content)


def test_a_pdf_named_xml_says_it_is_a_pdf(citizen_user: User) -> None:
    error = _refusal(citizen_user, "to-khai.xml", factories.pdf_bytes())

    assert error.message_vi == "Tệp 'to-khai.xml' không phải XML hợp lệ: nội dung là tài liệu PDF"


def test_an_empty_file_is_refused(citizen_user: User) -> None:
    error = _refusal(citizen_user, "trong.pdf", b"")

    assert error.code == "file_empty"
    assert error.message_en == "File 'trong.pdf' is empty (0 bytes); choose the right file"


def test_a_file_over_the_limit_is_refused(citizen_user: User) -> None:
    error = _refusal(citizen_user, "lon.pdf", factories.pdf_bytes() + b"x" * 200, max_bytes=100)

    assert error.code == "file_too_large"
    assert error.message_en.startswith("File 'lon.pdf' is too large (")
    assert error.message_en.endswith("the limit is 100 bytes")


def test_the_limit_holds_even_when_the_declared_size_lies(citizen_user: User) -> None:
    uploaded = upload("lon.pdf", factories.pdf_bytes() + b"x" * 200)
    uploaded.size = 10  # what a misbehaving source might report

    with pytest.raises(InvalidInput) as caught:
        services.document_upload(owner=citizen_user, uploaded_file=uploaded, max_bytes=100)

    assert caught.value.code == "file_too_large"
    assert caught.value.message_en == "File 'lon.pdf' is larger than the 100 bytes limit"


def test_the_default_limit_is_the_setting(citizen_user: User, settings: object) -> None:
    settings.CONGSO_UPLOAD_MAX_BYTES = 50  # type: ignore[attr-defined]

    error = _refusal(citizen_user, "lon.pdf", factories.pdf_bytes())

    assert error.code == "file_too_large"


def test_a_type_the_procedure_does_not_accept_is_refused(citizen_user: User) -> None:
    error = _refusal(citizen_user, "anh.png", factories.png_bytes(), allowed_types=["pdf", "jpg"])

    assert error.code == "file_type"
    assert error.message_vi == "Tệp 'anh.png' không thuộc loại được nhận; chỉ nhận tệp PDF, JPG"


def test_jpg_and_jpeg_are_one_format(citizen_user: User) -> None:
    document = services.document_upload(
        owner=citizen_user, uploaded_file=upload("anh.jpeg", factories.jpeg_bytes()), allowed_types=["jpg"]
    )

    assert document.content_type == "image/jpeg"
    assert document.extension == "jpeg"


@pytest.mark.parametrize("name", ["virus.exe", "khong-duoi", "anh.gif", "anh.pdf.exe"])
def test_names_without_an_accepted_extension_are_refused(citizen_user: User, name: str) -> None:
    error = _refusal(citizen_user, name, factories.pdf_bytes())

    assert error.code == "file_type"


def test_a_name_over_200_characters_is_refused(citizen_user: User) -> None:
    error = _refusal(citizen_user, "a" * 197 + ".pdf", factories.pdf_bytes())

    assert error.code == "file_name_too_long"


def test_the_name_loses_folders_and_invisible_characters(citizen_user: User) -> None:
    # U+202E (right-to-left override) makes "x\u202efdp.exe" look like "xexe.pdf".
    document = services.document_upload(
        owner=citizen_user,
        uploaded_file=upload(
            f"C:\\fakepath\\{unicodedata.normalize('NFD', 'Giấy')}\u200b tờ.pdf", factories.pdf_bytes()
        ),
    )

    assert document.original_name == "Giấy tờ.pdf"  # also NFC, as macOS sends NFD
    assert document.title == "Giấy tờ"

    error = _refusal(citizen_user, "x\u202efdp.exe", factories.pdf_bytes())
    assert "'xfdp.exe'" in error.message_en


def test_unknown_allowed_types_are_a_programming_error(citizen_user: User) -> None:
    with pytest.raises(ValueError, match="allowed_types"):
        services.document_upload(
            owner=citizen_user, uploaded_file=upload("a.pdf", factories.pdf_bytes()), allowed_types=["exe"]
        )

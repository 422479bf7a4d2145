"""Sample files of every accepted format (only as much of each as sniffing looks at, plus
a little), and stored documents built through the services."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from congso.documents import services
from congso.documents.models import StoredDocument


def pdf_bytes(text: str = "Giấy khai sinh") -> bytes:
    body = text.encode("utf-8")
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def doc_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"\xec\xa5\xc1\x00" + b"\x00" * 512


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body/></w:document>',
        }
    )


def xml_bytes() -> bytes:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<giayTo><hoTen>Nguyễn Thị Lan</hoTen></giayTo>\n'.encode()


def dwg_bytes() -> bytes:
    return b"AC1032" + b"\x00" * 122


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def html_bytes() -> bytes:
    return b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"


SAMPLES: dict[str, bytes] = {
    "pdf": pdf_bytes(),
    "jpg": jpeg_bytes(),
    "jpeg": jpeg_bytes(),
    "png": png_bytes(),
    "doc": doc_bytes(),
    "docx": docx_bytes(),
    "xml": xml_bytes(),
    "dwg": dwg_bytes(),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as the browser sends it; the content type is whatever it claims."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored(
    owner: Any, *, name: str = "giay-khai-sinh.pdf", content: bytes | None = None, **kwargs: Any
) -> StoredDocument:
    return services.document_upload(owner=owner, uploaded_file=upload(name, content or pdf_bytes()), **kwargs)

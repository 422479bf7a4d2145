"""What a file really is, from its bytes: never from its name or the browser's word.

:class:`ContentInspector` takes the file in chunks, once: it hashes them, counts them, keeps
the first bytes for the magic numbers and, for XML, feeds a strict parser as they come. Then
:meth:`ContentInspector.verdict` says which accepted format the content is, or why it is not
the one the file name promises.

The accepted formats are those a procedure may ask for (``congso.catalog.choices.FILE_TYPES``):

========  ======================================================================
pdf       starts with ``%PDF-``
jpg/jpeg  starts with ``FF D8 FF``
png       starts with the 8-byte PNG signature
doc       an OLE2 compound file (``D0 CF 11 E0 A1 B1 1A E1``)
docx      a ZIP archive holding ``word/document.xml``
xml       well-formed XML without any DOCTYPE (so without entity declarations)
dwg       starts with ``AC10`` (AutoCAD R13 and later)
========  ======================================================================

XML is checked with the standard library's expat parser rather than defusedxml (not a
dependency): any DOCTYPE is refused outright, and without a DTD there is nothing to expand
(no "billion laughs") and nothing external to fetch (no XXE). No tree is built, so a 10 MB
file costs no more memory than a chunk. Anything else is described with the ``filetype``
package so that the refusal can say what the content is ("its content is an executable
program (ELF)").
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

import filetype

HEAD_BYTES = 8192


@dataclass(frozen=True)
class Format:
    """An accepted file format, with how a refusal names it in both languages."""

    name: str
    content_type: str
    extensions: tuple[str, ...]
    # "Tệp 'x.pdf' không phải <short_vi>" / "File 'x.pdf' is not <short_en>"
    short_vi: str
    short_en: str
    # "... nội dung là <long_vi>" / "... its content is <long_en>"
    long_vi: str
    long_en: str


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("pdf", "application/pdf", ("pdf",), "PDF", "a PDF", "tài liệu PDF", "a PDF document"),
        Format("jpeg", "image/jpeg", ("jpg", "jpeg"), "ảnh JPEG", "a JPEG image", "ảnh JPEG", "a JPEG image"),
        Format("png", "image/png", ("png",), "ảnh PNG", "a PNG image", "ảnh PNG", "a PNG image"),
        Format(
            "doc",
            "application/msword",
            ("doc",),
            "văn bản Word (.doc)",
            "a Word (.doc) document",
            "tệp Office 97-2003 (.doc, .xls, .ppt)",
            "an Office 97-2003 file (.doc, .xls, .ppt)",
        ),
        Format(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
            "văn bản Word (.docx)",
            "a Word (.docx) document",
            "văn bản Word (.docx)",
            "a Word (.docx) document",
        ),
        Format(
            "xml", "application/xml", ("xml",), "XML hợp lệ", "well-formed XML", "dữ liệu XML", "XML data"
        ),
        Format(
            "dwg", "image/vnd.dwg", ("dwg",), "bản vẽ DWG", "a DWG drawing", "bản vẽ DWG", "a DWG drawing"
        ),
    )
}
FORMAT_BY_EXTENSION: dict[str, Format] = {ext: fmt for fmt in FORMATS.values() for ext in fmt.extensions}

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_DWG = b"AC10"
_DOCX_PART = "word/document.xml"
_MAGIC = {"pdf": _PDF, "jpeg": _JPEG, "png": _PNG, "doc": _OLE2, "dwg": _DWG}

# How a refusal names content that is none of the accepted formats (filetype's extension →
# Vietnamese, English). Anything else is "a <EXT> file".
_OTHER_CONTENT: dict[str, tuple[str, str]] = {
    "exe": ("chương trình chạy được (EXE)", "an executable program (EXE)"),
    "elf": ("chương trình chạy được (ELF)", "an executable program (ELF)"),
    "zip": ("tệp nén ZIP", "a ZIP archive"),
    "rar": ("tệp nén RAR", "a RAR archive"),
    "7z": ("tệp nén 7z", "a 7z archive"),
    "gz": ("tệp nén gzip", "a gzip archive"),
    "gif": ("ảnh GIF", "a GIF image"),
    "bmp": ("ảnh BMP", "a BMP image"),
    "tif": ("ảnh TIFF", "a TIFF image"),
    "webp": ("ảnh WebP", "a WebP image"),
    "heic": ("ảnh HEIC", "a HEIC image"),
    "xlsx": ("bảng tính Excel (.xlsx)", "an Excel (.xlsx) workbook"),
    "pptx": ("bản trình chiếu PowerPoint (.pptx)", "a PowerPoint (.pptx) presentation"),
    "odt": ("văn bản OpenDocument (.odt)", "an OpenDocument (.odt) text"),
    "mp4": ("video MP4", "an MP4 video"),
    "mp3": ("âm thanh MP3", "an MP3 audio file"),
}


@dataclass(frozen=True)
class Verdict:
    """What the content is: ``format`` if it is the expected one, else why not (vi, en)."""

    format: Format | None
    reason_vi: str = ""
    reason_en: str = ""
    # "xml_doctype" / "xml_malformed" for XML refusals, "" otherwise.
    problem: str = ""


class _XmlRefused(Exception):
    pass


class _XmlCheck:
    """A streaming, tree-less, DTD-less well-formedness check."""

    def __init__(self) -> None:
        self.problem = ""
        self.line = 0
        self.column = 0
        self.detail = ""
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._entity
        self._parser.ExternalEntityRefHandler = self._external
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _doctype(self, *args: Any) -> None:
        raise _XmlRefused("xml_doctype")

    def _entity(self, *args: Any) -> None:
        raise _XmlRefused("xml_doctype")

    def _external(self, *args: Any) -> int:
        raise _XmlRefused("xml_doctype")

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if self.problem:
            return
        try:
            self._parser.Parse(chunk, final)
        except _XmlRefused as refused:
            self.problem = str(refused)
        except expat.ExpatError as error:
            self.problem = "xml_malformed"
            self.line, self.column = error.lineno, error.offset + 1
            self.detail = expat.ErrorString(error.code) or ""


def file_name_clean(raw: str | None) -> str:
    """The file name alone (no folder a browser may send), NFC, without control characters.

    NFC because macOS sends Vietnamese names decomposed: "Giấy" would otherwise not match
    what the person typed or sees elsewhere.
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf"})
    return name.strip()


def _magic_format(head: bytes) -> Format | None:
    """The accepted binary format whose magic number ``head`` starts with (a ZIP is not one)."""
    for name, magic in _MAGIC.items():
        if head.startswith(magic):
            return FORMATS[name]
    return None


def _describe(head: bytes) -> tuple[str, str]:
    """What the content is, for a refusal: ("nội dung là ...", "its content is ...")."""
    fmt = _magic_format(head)
    if fmt is not None:
        return f"nội dung là {fmt.long_vi}", f"its content is {fmt.long_en}"
    kind = filetype.guess(head)
    if kind is not None:
        upper = kind.extension.upper()
        vi, en = _OTHER_CONTENT.get(kind.extension, (f"tệp {upper}", f"a {upper} file"))
        return f"nội dung là {vi}", f"its content is {en}"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "nội dung là trang web HTML", "its content is an HTML web page"
    if start.startswith((b"<?xml", b"<svg")):
        return "nội dung là dữ liệu XML", "its content is XML data"
    if _looks_like_text(head):
        return "nội dung là văn bản thuần", "its content is plain text"
    return "không nhận ra được nội dung", "its content is not recognised"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the head is still text.
        return error.start >= len(head) - 3
    return True


def _zip_names(file: IO[bytes]) -> list[str] | None:
    """The member names of a ZIP archive (its central directory only), or None if damaged."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    finally:
        file.seek(0)


class ContentInspector:
    """Hash, count and sniff a file's content in one pass over its chunks.

    ``expected`` is the format the file name promises; the XML check runs only for XML.
    """

    def __init__(self, expected: Format) -> None:
        self.expected = expected
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._head = bytearray()
        self._xml = _XmlCheck() if expected.name == "xml" else None

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._sha256.update(chunk)
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
        if self._xml is not None:
            self._xml.feed(chunk)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    def verdict(self, file: IO[bytes]) -> Verdict:
        """Whether the content is the expected format. Call after the last chunk. ``file`` is
        read again only for a ZIP's central directory (a .docx), and left at its start."""
        expected, head = self.expected, self.head
        if expected.name == "xml":
            return self._xml_verdict(head)
        if expected.name == "docx":
            if head.startswith(_ZIP):
                names = _zip_names(file)
                if names is None:
                    return _mismatch(
                        ("nội dung là tệp nén ZIP bị hỏng", "its content is a damaged ZIP archive")
                    )
                if _DOCX_PART in names:
                    return Verdict(expected)
        elif _magic_format(head) == expected:
            return Verdict(expected)
        return _mismatch(_describe(head))

    def _xml_verdict(self, head: bytes) -> Verdict:
        assert self._xml is not None
        # A PNG or a PDF named .xml: say what it is rather than where the parser stopped.
        if _magic_format(head) is not None or filetype.guess(head) is not None:
            return _mismatch(_describe(head))
        self._xml.feed(b"", final=True)
        if self._xml.problem == "xml_doctype":
            return Verdict(
                None,
                "có khai báo DOCTYPE hoặc thực thể (entity), không được nhận vì lý do an toàn",
                "it declares a DOCTYPE or entities, which are refused for safety",
                problem="xml_doctype",
            )
        if self._xml.problem:
            xml = self._xml
            return Verdict(
                None,
                f"lỗi ở dòng {xml.line}, cột {xml.column} ({xml.detail})",
                f"error at line {xml.line}, column {xml.column} ({xml.detail})",
                problem="xml_malformed",
            )
        return Verdict(self.expected)


def _mismatch(described: tuple[str, str]) -> Verdict:
    return Verdict(None, described[0], described[1])


def content_check(*, content: bytes, fmt: Format) -> bool:
    """Whether bytes the platform itself produced are of ``fmt`` (for issued documents)."""
    inspector = ContentInspector(fmt)
    inspector.feed(content)
    return inspector.verdict(io.BytesIO(content)).format is not None

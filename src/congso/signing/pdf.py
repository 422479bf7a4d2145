"""Official documents as PDF: receipts, decisions, results and letters of an agency.

:func:`pdf_render` lays out one :class:`PdfDocument` on A4 after the administrative-document
format of Decree 30/2020/NĐ-CP (Appendix I): the issuing agency top-left, the national motto
top-right, the place and date under it, the title centred in capitals, the body, then the
closing block with the recipients and a QR code on the left and the signer on the right. The
signer's block holds an empty signature field, so that :func:`congso.signing.services.pdf_sign`
draws the agency's visible signature exactly there.

Text is set in DejaVu Serif (embedded, subset, with a ToUnicode map so that the text can be
copied and searched), the only widely packaged free font with every Vietnamese letter;
``CONGSO_PDF_FONT_DIR`` says where its files are.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .conf import setting
from .errors import PdfFontMissing

__all__ = ["SIGNATURE_FIELD", "PdfDocument", "date_line", "pdf_render", "stamp_render"]

# The empty signature field of the signer's block; pdf_sign signs into it when present.
SIGNATURE_FIELD = "ChuKySoCoQuan"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# Decree 30/2020 Appendix I: margins top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm;
# body text 13-14 pt.
_MARGINS = {"topMargin": 20 * mm, "bottomMargin": 22 * mm, "leftMargin": 30 * mm, "rightMargin": 18 * mm}
_BODY_SIZE = 13
_SIGNATURE_BOX = (72 * mm, 24 * mm)
_QR_SIZE = 30 * mm
# Debian's fonts-dejavu-core has the upright faces only; italics (fonts-dejavu-extra) are used
# when present, else the upright face stands in.
_FONT_FILES = {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf"}
_OPTIONAL_FONT_FILES = {
    "italic": ("DejaVuSerif-Italic.ttf", "regular"),
    "bold_italic": ("DejaVuSerif-BoldItalic.ttf", "bold"),
}


@dataclass(frozen=True)
class PdfDocument:
    """What one official document says; :func:`pdf_render` decides how it looks.

    The same shape serves a receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), a decision
    or result, and a letter: leave out what a document does not have.

    - ``agency_name``: the issuing agency, top-left in capitals; ``parent_agency_name`` is
      its governing body, printed above it (e.g. "UBND TỈNH BẮC NINH" above "SỞ TƯ PHÁP").
    - ``number``: the document's number and symbol, printed as "Số: <number>".
    - ``place`` and ``issued_on``: printed top-right as "<place>, ngày 05 tháng 3 năm 2026".
    - ``title`` (printed in capitals) and ``subtitle`` (one line under it, e.g. a summary).
    - ``paragraphs``: the body before the table; ``rows``: a two-column key/value table;
      ``paragraphs_after``: the body after it. Plain text, no markup.
    - ``qr_url``: a link (e.g. the dossier's tracking or verification page) printed as a QR
      code with ``qr_caption`` under it, and clickable in the PDF.
    - ``recipients``: the "Nơi nhận" list of a letter or decision.
    - ``signer_title`` / ``signer_name``: the signer's block (e.g. "CÁN BỘ TIẾP NHẬN");
      with ``signature_box`` it reserves room for the agency's visible digital signature.
    - ``footer``: one line at the bottom of every page.
    - Metadata: ``author`` (default the agency), ``subject``, ``keywords`` and
      ``created_at`` (default now). The same document with the same ``created_at`` renders
      to the same bytes.
    """

    agency_name: str
    title: str
    parent_agency_name: str = ""
    number: str = ""
    place: str = ""
    issued_on: date | None = None
    subtitle: str = ""
    paragraphs: Sequence[str] = ()
    rows: Sequence[tuple[str, str]] = ()
    paragraphs_after: Sequence[str] = ()
    qr_url: str = ""
    qr_caption: str = ""
    recipients: Sequence[str] = ()
    signer_title: str = ""
    signer_name: str = ""
    signature_box: bool = True
    footer: str = ""
    author: str = ""
    subject: str = ""
    keywords: Sequence[str] = field(default=())
    created_at: datetime | None = None


def date_line(place: str, day: date) -> str:
    """ "Hà Nội, ngày 05 tháng 3 năm 2026": Decree 30/2020 Appendix I writes a zero before
    days under 10 and before months 1 and 2, and no other."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


# reportlab keeps per-font subsetting state in module globals and is not thread-safe: two
# documents built at once in one process (threaded workers) corrupt each other. One at a time.
_render_lock = threading.Lock()

# --- Fonts ------------------------------------------------------------------------------------
_fonts_lock = threading.Lock()
_fonts_by_dir: dict[Path, dict[str, str]] = {}


def _fonts() -> dict[str, str]:
    """The registered font names for each style, registered once per font directory."""
    directory = Path(setting("CONGSO_PDF_FONT_DIR"))
    with _fonts_lock:
        names = _fonts_by_dir.get(directory)
        if names is not None:
            return names
        missing = [name for name in _FONT_FILES.values() if not (directory / name).is_file()]
        if missing:
            raise PdfFontMissing(directory, missing)
        suffix = len(_fonts_by_dir)
        names = {style: f"CongsoSerif{suffix}-{style}" for style in _FONT_FILES}
        for style, file_name in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(names[style], str(directory / file_name)))
        for style, (file_name, stand_in) in _OPTIONAL_FONT_FILES.items():
            if (directory / file_name).is_file():
                names[style] = f"CongsoSerif{suffix}-{style}"
                pdfmetrics.registerFont(TTFont(names[style], str(directory / file_name)))
            else:
                names[style] = names[stand_in]
        pdfmetrics.registerFontFamily(
            names["regular"],
            normal=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            boldItalic=names["bold_italic"],
        )
        _fonts_by_dir[directory] = names
        return names


def _styles(fonts: dict[str, str]) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=fonts["regular"],
        fontSize=_BODY_SIZE,
        leading=_BODY_SIZE * 1.35,
        alignment=TA_JUSTIFY,
    )
    centred = ParagraphStyle("centred", parent=base, alignment=TA_CENTER)
    return {
        "body": ParagraphStyle("paragraph", parent=base, firstLineIndent=10 * mm, spaceAfter=6),
        "head_parent": ParagraphStyle("head_parent", parent=centred, fontSize=11, leading=14),
        "head_agency": ParagraphStyle(
            "head_agency", parent=centred, fontName=fonts["bold"], fontSize=11, leading=14
        ),
        "head_number": ParagraphStyle("head_number", parent=centred, spaceBefore=4),
        "head_nation": ParagraphStyle(
            "head_nation", parent=centred, fontName=fonts["bold"], fontSize=11, leading=14
        ),
        "head_motto": ParagraphStyle(
            "head_motto", parent=centred, fontName=fonts["bold"], fontSize=12, leading=15
        ),
        "head_date": ParagraphStyle("head_date", parent=centred, fontName=fonts["italic"], spaceBefore=4),
        "title": ParagraphStyle(
            "title", parent=centred, fontName=fonts["bold"], fontSize=14, leading=19, spaceBefore=14
        ),
        "subtitle": ParagraphStyle("subtitle", parent=centred, spaceAfter=4),
        "cell_key": ParagraphStyle(
            "cell_key", parent=base, fontName=fonts["bold"], fontSize=12, leading=15, alignment=TA_LEFT
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=12, leading=15, alignment=TA_LEFT),
        "recipients_title": ParagraphStyle(
            "recipients_title", parent=base, fontName=fonts["bold_italic"], fontSize=12, alignment=TA_LEFT
        ),
        "recipients": ParagraphStyle("recipients", parent=base, fontSize=11, leading=13, alignment=TA_LEFT),
        "caption": ParagraphStyle("caption", parent=base, fontSize=9, leading=11, alignment=TA_LEFT),
        "signer_title": ParagraphStyle("signer_title", parent=centred, fontName=fonts["bold"]),
        "signer_name": ParagraphStyle("signer_name", parent=centred, fontName=fonts["bold"]),
    }


def _text(value: str) -> str:
    """Plain text as reportlab paragraph markup: nothing in it is read as a tag."""
    return escape(value).replace("\n", "<br/>")


# --- Flowables -----------------------------------------------------------------------------
class _QrCode(Flowable):
    """A QR code drawn as vector squares (crisp at any zoom), clickable through to its URL."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url = url
        self.width = self.height = size
        # Level M survives a smudge on a printed copy; make_qr never picks a Micro QR, which
        # phone cameras often ignore.
        self._matrix = segno.make_qr(url, error="m").matrix

    def draw(self) -> None:
        canv = self.canv
        border = 2  # the quiet zone, in modules, inside the drawn square
        count = len(self._matrix) + 2 * border
        module = self.width / count
        canv.saveState()
        canv.setFillColor(colors.black)
        for row_index, row in enumerate(self._matrix):
            y = self.height - (row_index + border + 1) * module
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                canv.rect((start + border) * module, y, (column - start) * module, module, stroke=0, fill=1)
        canv.restoreState()
        canv.linkURL(self.url, (0, 0, self.width, self.height), relative=1, thickness=0)


class _SignatureField(Flowable):
    """Room for the visible signature, as an empty signature field at this very spot."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width = width
        self.height = height

    def draw(self) -> None:
        canv = self.canv
        x, y = canv.absolutePosition(0, 0)
        form = canv.acroForm
        widget = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Annot"),
                "Subtype": pdfdoc.PDFName("Widget"),
                "FT": pdfdoc.PDFName("Sig"),
                "T": pdfdoc.PDFString(SIGNATURE_FIELD),
                "Rect": pdfdoc.PDFArray(
                    [round(x, 2), round(y, 2), round(x + self.width, 2), round(y + self.height, 2)]
                ),
                "P": canv._doc.thisPageRef(),
                "F": 4,  # print
            }
        )
        canv._addAnnotation(widget)
        form.fields.append(form.getRef(widget))


# --- Layout ------------------------------------------------------------------------------------
def _rule(width: float) -> HRFlowable:
    return HRFlowable(
        width=width, thickness=0.6, color=colors.black, spaceBefore=1, spaceAfter=3, hAlign="CENTER"
    )


# Every table sets FONTNAME: cells default to Helvetica, which would be referenced in the file
# without being embedded.


def _heading(document: PdfDocument, styles: dict[str, ParagraphStyle], width: float) -> Table:
    left: list[Flowable] = []
    if document.parent_agency_name:
        left.append(Paragraph(_text(document.parent_agency_name.upper()), styles["head_parent"]))
    left.append(Paragraph(_text(document.agency_name.upper()), styles["head_agency"]))
    left.append(_rule(30 * mm))
    if document.number:
        left.append(Paragraph(_text(f"Số: {document.number}"), styles["head_number"]))
    right: list[Flowable] = [
        Paragraph(NATIONAL_NAME, styles["head_nation"]),
        Paragraph(NATIONAL_MOTTO, styles["head_motto"]),
        # The rule under the motto is as long as the motto (Decree 30/2020 Appendix I).
        _rule(
            pdfmetrics.stringWidth(
                NATIONAL_MOTTO, styles["head_motto"].fontName, styles["head_motto"].fontSize
            )
        ),
    ]
    if document.issued_on is not None:
        right.append(Paragraph(_text(date_line(document.place, document.issued_on)), styles["head_date"]))
    table = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _rows(document: PdfDocument, styles: dict[str, ParagraphStyle], width: float) -> Table:
    data = [
        [Paragraph(_text(key), styles["cell_key"]), Paragraph(_text(value), styles["cell"])]
        for key, value in document.rows
    ]
    table = Table(data, colWidths=[width * 0.36, width * 0.64], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#505a5f")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f2f1")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _closing(document: PdfDocument, styles: dict[str, ParagraphStyle], width: float) -> Table | None:
    left: list[Flowable] = []
    if document.recipients:
        left.append(Paragraph("Nơi nhận:", styles["recipients_title"]))
        left.extend(Paragraph(_text(f"- {item}"), styles["recipients"]) for item in document.recipients)
        left.append(Spacer(1, 6))
    if document.qr_url:
        left.append(_QrCode(document.qr_url, _QR_SIZE))
        caption = "\n".join(part for part in (document.qr_caption, document.qr_url) if part)
        left.append(Paragraph(_text(caption), styles["caption"]))
    right: list[Flowable] = []
    if document.signer_title:
        right.append(Paragraph(_text(document.signer_title.upper()), styles["signer_title"]))
    if document.signature_box:
        right.append(Spacer(1, 4))
        right.append(_SignatureField(*_SIGNATURE_BOX))
        right.append(Spacer(1, 4))
    elif document.signer_title:
        right.append(Spacer(1, 22 * mm))  # room for a handwritten signature
    if document.signer_name:
        right.append(Paragraph(_text(document.signer_name), styles["signer_name"]))
    if not left and not right:
        return None
    table = Table([[left, right]], colWidths=[width * 0.48, width * 0.52])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _story(document: PdfDocument, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    story: list[Flowable] = [_heading(document, styles, width)]
    story.append(Paragraph(_text(document.title.upper()), styles["title"]))
    if document.subtitle:
        story.append(Paragraph(_text(document.subtitle), styles["subtitle"]))
    story.append(Spacer(1, 8))
    story.extend(Paragraph(_text(text), styles["body"]) for text in document.paragraphs)
    if document.rows:
        story.extend([Spacer(1, 4), _rows(document, styles, width), Spacer(1, 8)])
    story.extend(Paragraph(_text(text), styles["body"]) for text in document.paragraphs_after)
    closing = _closing(document, styles, width)
    if closing is not None:
        # The signer's block never sits alone at the top of a page.
        story.append(KeepTogether([Spacer(1, 10), closing]))
    return story


def _page_decorations(document: PdfDocument, fonts: dict[str, str]) -> Any:
    def decorate(canv: Canvas, template: SimpleDocTemplate) -> None:
        canv.saveState()
        page_width, _ = A4
        page = canv.getPageNumber()
        # Decree 30/2020 Appendix I: page numbers centred in the top margin, none on page 1.
        if page > 1:
            canv.setFont(fonts["regular"], _BODY_SIZE)
            canv.drawCentredString(page_width / 2, A4[1] - 12 * mm, str(page))
        if document.footer:
            canv.setFont(fonts["italic"], 8.5)
            canv.setFillColor(colors.HexColor("#505a5f"))
            canv.drawCentredString(page_width / 2, 11 * mm, document.footer)
        canv.restoreState()

    return decorate


def _pdf_date(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def pdf_render(document: PdfDocument) -> bytes:
    """Render ``document`` as an A4 PDF and return its bytes.

    Raises :class:`congso.signing.errors.PdfFontMissing` when the DejaVu fonts are not in
    ``CONGSO_PDF_FONT_DIR``. The result is unsigned: pass it to
    :func:`congso.signing.services.pdf_sign`.
    """
    with _render_lock:
        return _pdf_build(document)


def _pdf_build(document: PdfDocument) -> bytes:
    fonts = _fonts()
    styles = _styles(fonts)
    created_at = document.created_at or timezone.now()
    output = io.BytesIO()
    template = SimpleDocTemplate(
        output,
        pagesize=A4,
        title=document.title,
        author=document.author or document.agency_name,
        subject=document.subject,
        keywords=", ".join(document.keywords),
        creator=str(setting("CONGSO_SITE_NAME")),
        lang="vi",
        # Not reportlab's default Helvetica, which would be referenced without being embedded.
        initialFontName=fonts["regular"],
        # Invariant: no random file id and no clock in the output, so equal input gives equal
        # bytes; the creation date below is the document's own.
        invariant=1,
        **_MARGINS,
    )
    creation = _pdf_date(created_at)

    def make_canvas(*args: Any, **kwargs: Any) -> Canvas:
        canv = Canvas(*args, **kwargs)
        canv.setDateFormatter(lambda *_: creation)
        return canv

    decorate = _page_decorations(document, fonts)
    template.build(
        _story(document, styles, template.width),
        onFirstPage=decorate,
        onLaterPages=decorate,
        canvasmaker=make_canvas,
    )
    return output.getvalue()


def stamp_render(*, width: float, height: float, signer: str, signed_at: datetime, reason: str = "") -> bytes:
    """The look of a visible signature: a one-page PDF of exactly ``width`` × ``height`` points.

    Decree 30/2020 Appendix I shows an agency's digital signature with the agency's name and
    the signing time in ISO 8601 with Vietnam's offset, which is what this prints.
    """
    with _render_lock:
        return _stamp_build(width, height, signer, signed_at, reason)


def _stamp_build(width: float, height: float, signer: str, signed_at: datetime, reason: str) -> bytes:
    fonts = _fonts()
    output = io.BytesIO()
    canv = Canvas(output, pagesize=(width, height), invariant=1, initialFontName=fonts["regular"])
    canv.setDateFormatter(lambda *_: _pdf_date(signed_at))
    inset = 3.0
    canv.setStrokeColor(colors.HexColor("#b3001b"))
    canv.setLineWidth(0.8)
    canv.roundRect(inset / 2, inset / 2, width - inset, height - inset, 4, stroke=1, fill=0)
    local = signed_at.astimezone(VIETNAM)
    size = 7.5 if height < 60 else 8.5
    base = ParagraphStyle("stamp", fontName=fonts["regular"], fontSize=size, leading=size * 1.25)
    lines = [
        Paragraph("Ký số bởi / Signed by:", base),
        Paragraph(_text(signer), ParagraphStyle("stamp_signer", parent=base, fontName=fonts["bold"])),
        Paragraph(_text(f"Thời gian ký: {local.isoformat(timespec='seconds')}"), base),
    ]
    if reason:
        lines.append(Paragraph(_text(f"Lý do: {reason}"), base))
    frame_width = width - 4 * inset
    y = height - 2 * inset
    for line in lines:
        _, line_height = line.wrap(frame_width, height)
        if y - line_height < inset:
            break  # what does not fit is in the signature's own fields anyway
        y -= line_height
        line.drawOn(canv, 2 * inset, y)
    canv.showPage()
    canv.save()
    return output.getvalue()

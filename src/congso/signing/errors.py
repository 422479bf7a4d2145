"""Refusals of the signing domain, each with a message in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from congso.core.errors import Conflict, DomainError, InvalidInput


class SigningError(DomainError):
    """A document could not be signed; nothing was signed."""

    status = 409
    code = "signing_error"


class NoCertificate(SigningError):
    code = "signing_no_certificate"

    def __init__(self, agency_code: str):
        super().__init__(
            f"Cơ quan {agency_code} chưa có chứng thư số để ký; nhập chứng thư bằng lệnh signing_import_pkcs12",
            f"Agency {agency_code} has no signing certificate; import one with signing_import_pkcs12",
        )


class CertificateExpired(SigningError):
    code = "signing_certificate_expired"

    def __init__(self, agency_code: str, not_after: datetime):
        day = f"{not_after:%d/%m/%Y}"
        super().__init__(
            f"Chứng thư số của cơ quan {agency_code} đã hết hạn ngày {day}; nhập chứng thư mới",
            f"The signing certificate of agency {agency_code} expired on {day}; import its successor",
        )


class CertificateRejected(InvalidInput):
    """An imported certificate or key cannot be used to sign for an agency."""

    code = "signing_certificate_rejected"


class PdfUnreadable(InvalidInput):
    code = "pdf_unreadable"

    def __init__(self) -> None:
        super().__init__(
            "Tệp không phải PDF hợp lệ hoặc bị hỏng, không ký được",
            "The file is not a valid PDF or is damaged, so it cannot be signed",
        )


class PdfFontMissing(DomainError):
    """The server lacks the fonts documents are set in: an installation problem."""

    status = 503
    code = "pdf_font_missing"

    def __init__(self, directory: Path, missing: Sequence[str]):
        super().__init__(
            f"Không tìm thấy phông chữ DejaVu ({', '.join(missing)}) trong {directory}: cài gói "
            "fonts-dejavu-core hoặc đặt CONGSO_PDF_FONT_DIR",
            f"DejaVu fonts ({', '.join(missing)}) not found in {directory}: install the "
            "fonts-dejavu-core package or set CONGSO_PDF_FONT_DIR",
        )
        self.directory = directory


class UploadRejected(InvalidInput):
    """A file offered for verification was refused before being read."""

    code = "signing_upload_rejected"


class TooManyChecks(Conflict):
    status = 429
    code = "signing_rate_limited"

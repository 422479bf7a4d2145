"""The public check of a signed PDF: /xac-minh-chu-ky/ ("Kiểm tra chữ ký số").

Works without JavaScript: a multipart form, answered with the report on the same page. The
file is read in memory (or a temporary file past Django's in-memory limit), checked and
forgotten; nothing of it is stored.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from congso.core.errors import DomainError
from congso.identity.net import client_ip
from congso.identity.throttle import Limit, throttle_take

from .conf import setting
from .errors import TooManyChecks, UploadRejected
from .selectors import pdf_verify

logger = logging.getLogger(__name__)

# The form field's name: <input type="file" name="tai_lieu">
FILE_FIELD = "tai_lieu"
# Multipart framing around the file (boundaries, headers, the CSRF token) is small.
_FRAMING_BYTES = 64 * 1024
_PDF_MAGIC = b"%PDF-"


class _SizeLimitedUpload(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit, so it is never kept whole."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _size_label(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(1, size // 1024)} KB"


def _too_large(limit: int) -> UploadRejected:
    error = UploadRejected(
        f"Tệp lớn hơn {_size_label(limit)}. Hãy chọn tệp PDF nhỏ hơn.",
        f"The file is larger than {_size_label(limit)}. Choose a smaller PDF file.",
        field=FILE_FIELD,
    )
    error.status = 413
    return error


def _not_pdf() -> UploadRejected:
    return UploadRejected(
        "Tệp đã chọn không phải là tệp PDF. Hãy chọn tệp PDF.",
        "The selected file is not a PDF. Choose a PDF file.",
        field=FILE_FIELD,
    )


def _allowance(request: HttpRequest) -> None:
    limit = int(setting("CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR"))
    if limit <= 0:
        return
    window = timedelta(hours=1)
    until = throttle_take(
        f"signing.verify:ip:{client_ip(request) or 'unknown'}",
        Limit(limit=limit, window=window, lock_for=window),
    )
    if until is not None:
        when = timezone.localtime(until).strftime("%H:%M")
        raise TooManyChecks(
            f"Bạn đã kiểm tra quá nhiều tệp. Vui lòng thử lại lúc {when}.",
            f"You have checked too many files. Please try again at {when}.",
        )


def _uploaded_pdf(request: HttpRequest, handler: _SizeLimitedUpload, limit: int) -> bytes:
    upload = request.FILES.get(FILE_FIELD)
    if handler.too_large or (upload is not None and upload.size is not None and upload.size > limit):
        raise _too_large(limit)
    if upload is None or not upload.size:
        raise UploadRejected("Hãy chọn một tệp PDF.", "Choose a PDF file.", field=FILE_FIELD)
    if upload.read(len(_PDF_MAGIC)) != _PDF_MAGIC:
        raise _not_pdf()
    upload.seek(0)
    return upload.read()


@csrf_exempt  # checked by _signature_check, after the size limit is in place (see below)
@require_http_methods(["GET", "POST"])
def signature_check(request: HttpRequest) -> HttpResponse:
    limit = int(setting("CONGSO_SIGNING_VERIFY_MAX_BYTES"))
    handler = _SizeLimitedUpload(request, limit)
    if request.method == "POST":
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + _FRAMING_BYTES:
            # Refused before a byte of the body is read.
            return _render(request, {"error": _too_large(limit)})
        # Upload handlers can only change before the body is parsed, and the CSRF check
        # parses it: hence csrf_exempt on this view and csrf_protect on the one it calls.
        request.upload_handlers.insert(0, handler)
    return _signature_check(request, handler=handler, limit=limit)


@csrf_protect
def _signature_check(request: HttpRequest, *, handler: _SizeLimitedUpload, limit: int) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            _allowance(request)
            pdf = _uploaded_pdf(request, handler, limit)
        except DomainError as error:
            context["error"] = error
        else:
            report = pdf_verify(pdf=pdf)
            logger.info(
                "signing_pdf_checked",
                extra={
                    "sha256": report.document_sha256,
                    "valid": report.valid,
                    "problems": report.problem_codes,
                },
            )
            context["report"] = report
    return _render(request, context)


def _render(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    error = context.get("error")
    status = error.status if isinstance(error, DomainError) else 200
    context.update(
        {
            "file_field": FILE_FIELD,
            "max_size": _size_label(int(setting("CONGSO_SIGNING_VERIFY_MAX_BYTES"))),
        }
    )
    return render(request, "signing/signature_check.html", context, status=status)

"""Reads of the signing domain: checking a signed PDF, listing certificates.

Public API: :func:`pdf_verify` returns a :class:`SignatureReport` for any uploaded bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from . import pki
from .errors import PdfUnreadable
from .models import AgencyCertificate, Source, TrustAnchor
from .pades import SignatureCheck, signatures_check

__all__ = ["SignatureReport", "agency_certificate_list", "pdf_verify", "trust_anchor_list"]

# Each problem a report can name: (Vietnamese, English).
PROBLEMS: dict[str, tuple[str, str]] = {
    "not_pdf": ("Tệp không phải PDF hợp lệ hoặc bị hỏng", "The file is not a valid PDF or is damaged"),
    "unsigned": ("Tài liệu không có chữ ký số", "The document has no digital signature"),
    "signature_damaged": (
        "Chữ ký số trong tài liệu bị hỏng, không kiểm tra được",
        "A signature in the document is damaged and cannot be checked",
    ),
    "altered": (
        "Nội dung tài liệu đã bị sửa sau khi ký: không khớp với nội dung đã được ký",
        "The document was altered after it was signed: it does not match what was signed",
    ),
    "added_after_signing": (
        "Tài liệu đã bị thêm nội dung sau khi ký",
        "Content was added to the document after it was signed",
    ),
    "signature_unsupported": (
        "Chữ ký số dùng định dạng không được hỗ trợ, không kiểm tra được",
        "A signature uses a format this platform does not support and cannot be checked",
    ),
    "signature_invalid": (
        "Chữ ký số không hợp lệ về mặt mật mã",
        "The signature is cryptographically invalid",
    ),
    "untrusted": (
        "Chứng thư ký không do tổ chức chứng thực mà hệ thống tin cậy cấp",
        "The signing certificate was not issued by a certification authority this platform trusts",
    ),
    "revoked": ("Chứng thư ký đã bị thu hồi", "The signing certificate has been revoked"),
    "expired": (
        "Chứng thư ký đã hết hạn hoặc chưa có hiệu lực",
        "The signing certificate has expired or is not yet valid",
    ),
    "not_for_signing": (
        "Chứng thư ký không được phép dùng để ký tài liệu",
        "The signing certificate may not be used to sign documents",
    ),
    "weak_algorithm": (
        "Chữ ký dùng thuật toán không còn an toàn",
        "The signature uses an algorithm that is no longer safe",
    ),
    "earlier_signature_invalid": (
        "Một chữ ký trước đó trong tài liệu không hợp lệ",
        "An earlier signature in the document is not valid",
    ),
}

_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "untrusted",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "untrusted",
    "NO_SIGNING_CERTIFICATE_FOUND": "untrusted",
    "REVOKED": "revoked",
    "REVOKED_NO_POE": "revoked",
    "REVOKED_CA_NO_POE": "revoked",
    "EXPIRED": "expired",
    "NOT_YET_VALID": "expired",
    "OUT_OF_BOUNDS_NO_POE": "expired",
    "OUT_OF_BOUNDS_NOT_REVOKED": "expired",
    "CHAIN_CONSTRAINTS_FAILURE": "not_for_signing",
    "SIG_CONSTRAINTS_FAILURE": "not_for_signing",
    "CRYPTO_CONSTRAINTS_FAILURE": "weak_algorithm",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "weak_algorithm",
}


@dataclass
class SignatureReport:
    """The verdict on one PDF, about its last signature (the one that covers the final file).

    - ``signed``: the file has at least one signature.
    - ``intact``: the file is exactly what the signer signed (nothing altered or added since).
    - ``trusted``: the signer's certificate chains to an active trust anchor of the platform,
      is within its validity period now and is not known to be revoked.
    - ``valid``: all of that, the signature is cryptographically sound, and every earlier
      signature in the file is valid too. Only a valid report means "genuine and unchanged".
    - ``signer_agency_code`` / ``signer_agency_name``: the agency, when the certificate is
      one the platform knows (its own or imported), or when a trusted certificate names the
      agency code in its subject's serialNumber; else "".
    - ``signer_name``: the certificate's common name, as the signer's certificate states it.
    - ``signed_at``: the signing time the signer stated (/M; no trusted timestamp in B-B).
    - ``document_sha256``: of the whole file as uploaded, to compare with a register.
    - ``problems``: what is wrong, each "Vietnamese (English)"; ``problem_codes`` the same as
      keys of :data:`PROBLEMS`.
    - ``demo``: the certificate comes from the demo CA, so the signature proves nothing
      outside a demonstration.
    """

    signed: bool
    intact: bool
    trusted: bool
    valid: bool
    signer_agency_code: str
    signer_name: str
    signed_at: datetime | None
    document_sha256: str
    reason: str
    problems: list[str] = field(default_factory=list)
    problem_codes: list[str] = field(default_factory=list)
    signer_agency_name: str = ""
    signature_count: int = 0
    demo: bool = False

    def add_problem(self, code: str) -> None:
        if code not in self.problem_codes:
            vi, en = PROBLEMS[code]
            self.problem_codes.append(code)
            self.problems.append(f"{vi} ({en})")

    @property
    def problem_messages(self) -> list[tuple[str, str]]:
        """(Vietnamese, English) pairs, for pages that set the two languages apart."""
        return [PROBLEMS[code] for code in self.problem_codes]


def _problems_of(check: SignatureCheck, *, last: bool) -> list[str]:
    if check.error:
        return ["signature_unsupported" if check.error == "unsupported" else "signature_damaged"]
    codes = []
    if not check.intact:
        codes.append("altered")
    elif not check.valid:
        codes.append("signature_invalid")
    if last:
        # After the last signature, only validation data (DSS, document timestamps) may follow.
        if not check.covers_whole_file and check.later_changes not in {"none", "validation_data"}:
            codes.append("added_after_signing")
    elif not check.docmdp_ok or check.later_changes not in {"none", "validation_data", "form_filling"}:
        codes.append("added_after_signing")
    # pyHanko judges the certificate only for a sound signature over unaltered bytes.
    if check.intact and check.valid and not check.trusted:
        codes.append(_TRUST_PROBLEMS.get(check.trust_problem, "untrusted"))
    return codes


def pdf_verify(*, pdf: bytes) -> SignatureReport:
    """Check the signatures of ``pdf`` against the platform's trust anchors.

    Never raises for bad input: a non-PDF, an unsigned PDF or a damaged signature give a
    report with ``valid=False`` and the reason in ``problems``. Works offline: nothing is
    fetched (no CRL, OCSP or missing certificates). Reads the active trust anchors and the
    agency certificates only.
    """
    report = SignatureReport(
        signed=False,
        intact=False,
        trusted=False,
        valid=False,
        signer_agency_code="",
        signer_name="",
        signed_at=None,
        document_sha256=hashlib.sha256(pdf).hexdigest(),
        reason="",
    )
    anchors = list(TrustAnchor.objects.filter(active=True).values_list("certificate_pem", "source"))
    roots = [pki.certificate_load(pem) for pem, _ in anchors]
    try:
        checks = signatures_check(pdf=pdf, trust_roots=roots)
    except PdfUnreadable:
        report.add_problem("not_pdf")
        return report
    if not checks:
        report.add_problem("unsigned")
        return report

    last = checks[-1]
    report.signed = True
    report.signature_count = len(checks)
    last_problems = _problems_of(last, last=True)
    report.intact = not last.error and last.intact and "added_after_signing" not in last_problems
    report.trusted = last.trusted
    report.signer_name = last.signer_subject.get("common_name", "")
    report.signed_at = last.signed_at
    report.reason = last.reason
    for code in last_problems:
        report.add_problem(code)
    if any(_problems_of(check, last=False) for check in checks[:-1]):
        report.add_problem("earlier_signature_invalid")

    known = (
        AgencyCertificate.objects.filter(fingerprint_sha256=last.signer_certificate_sha256)
        .select_related("agency")
        .first()
        if last.signer_certificate_sha256
        else None
    )
    if known is not None:
        report.signer_agency_code = known.agency.code
        report.signer_agency_name = known.agency.name
    elif last.trusted:
        report.signer_agency_code = last.signer_subject.get("serial_number", "")
        report.signer_agency_name = last.signer_subject.get("organization_name", "")
    demo_anchors = {
        pki.fingerprint(root)
        for root, (_, source) in zip(roots, anchors, strict=True)
        if source == Source.DEMO
    }
    report.demo = last.trusted and last.anchor_sha256 in demo_anchors
    report.valid = report.intact and report.trusted and last.valid and not report.problem_codes
    return report


def agency_certificate_list(*, agency_code: str | None = None) -> QuerySet[AgencyCertificate]:
    certificates = AgencyCertificate.objects.select_related("agency")
    return certificates.filter(agency__code=agency_code) if agency_code else certificates


def trust_anchor_list(*, active_only: bool = False) -> QuerySet[TrustAnchor]:
    anchors = TrustAnchor.objects.all()
    return anchors.filter(active=True) if active_only else anchors

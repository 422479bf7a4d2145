"""PAdES signing and validation with pyHanko, without the database.

``services.pdf_sign`` and ``selectors.pdf_verify`` supply the key, the certificates and the
trust anchors; this module only speaks PDF and CMS.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import io
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner, PdfSigningSession
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore, SimpleTrustManager

from .errors import PdfUnreadable, SigningError
from .pdf import SIGNATURE_FIELD, stamp_render
from .pki import SigningKey

logger = logging.getLogger(__name__)

# Room for the CMS signature in the file, beyond the certificates it embeds: the signature
# value, signed attributes and DER overhead. Reserving it up front spares pyHanko a trial
# signature to measure it.
_CMS_OVERHEAD = 4096
# Certificates for signatures need only one of these (Vietnamese CAs issue both kinds).
_SUBFILTERS = {subfilter.value for subfilter in fields.SigSeedSubFilter}
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


@dataclass(frozen=True)
class SigningMaterial:
    key: SigningKey
    certificate: x509.Certificate
    chain: Sequence[x509.Certificate]  # from the issuer up to and including the root


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def reader_open(pdf: bytes) -> PdfFileReader:
    """A reader over ``pdf``, or :class:`PdfUnreadable` for anything pyHanko cannot parse."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise PdfUnreadable()
        reader.root  # noqa: B018  (parses the catalog: a file with no usable trailer fails here)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        logger.info("pdf_unreadable", extra={"error": str(error)[:200]})
        raise PdfUnreadable() from None
    return reader


class _StampContent(PdfContent):
    """A one-page PDF, drawn as a form XObject (the page ``ImportedPdfPage`` reads from a file)."""

    def __init__(self, pdf: bytes):
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        self.resources.xobject["/CongsoStamp"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/CongsoStamp Do"


class _PdfSignerAt(PdfSigner):
    """A PdfSigner whose signing time is given, so the visible stamp and /M say the same."""

    def __init__(self, *args: Any, at: datetime, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._at
        return session


def _field_for_signature(reader: PdfFileReader) -> tuple[str, tuple[float, float] | None]:
    """The field to sign: the document's empty signer's box if it has one (a visible
    signature of that size), else a new invisible field with an unused name."""
    names: set[str] = set()
    for name, value, field_ref in fields.enumerate_sig_fields(reader):
        names.add(name)
        if name == SIGNATURE_FIELD and value is None:
            rect = field_ref.get_object().get("/Rect")
            if rect is not None:
                x1, y1, x2, y2 = (float(number) for number in rect)
                if abs(x2 - x1) >= 20 and abs(y2 - y1) >= 10:
                    return name, (abs(x2 - x1), abs(y2 - y1))
            return name, None
    number = 1
    while f"Signature{number}" in names:
        number += 1
    return f"Signature{number}", None


def pdf_sign_with(
    *, pdf: bytes, material: SigningMaterial, reason: str, location: str, signer_label: str, at: datetime
) -> bytes:
    """Add a PAdES B-B signature to ``pdf`` as an incremental update; return the new file."""
    reader = reader_open(pdf)
    field_name, stamp_size = _field_for_signature(reader)
    stamp_style = None
    if stamp_size is not None:
        stamp = stamp_render(
            width=stamp_size[0], height=stamp_size[1], signer=signer_label, signed_at=at, reason=reason
        )
        stamp_style = StaticStampStyle(
            background=_StampContent(stamp),
            background_opacity=1.0,
            border_width=0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
            ),
        )
    key_der = material.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1(material.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # Embedded with the signature (roots included), so any verifier can build the path.
        cert_registry=SimpleCertificateStore.from_certs([_asn1(cert) for cert in material.chain]),
    )
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        name=signer_label or None,
        md_algorithm="sha256",
        # PAdES baseline B-B (ETSI EN 319 142-1): ETSI.CAdES.detached, signing-certificate-v2
        # attribute, signing time in /M rather than in the CMS.
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    certificates_size = sum(
        len(cert.public_bytes(serialization.Encoding.DER)) for cert in [material.certificate, *material.chain]
    )
    pdf_signer = _PdfSignerAt(metadata, signer, stamp_style=stamp_style, at=at)
    try:
        output = _outside_event_loop(
            pdf_signer.sign_pdf,
            IncrementalPdfFileWriter.from_reader(reader),
            bytes_reserved=-(-(certificates_size + _CMS_OVERHEAD) // 1024) * 1024,
        )
    except (PyhankoSigningError, PdfError) as error:
        raise SigningError(
            "Không ký được tài liệu PDF này", f"This PDF could not be signed: {str(error)[:200]}"
        ) from error
    result: bytes = output.getvalue()
    return result


def _outside_event_loop(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call one of pyHanko's synchronous entry points, which run their own ``asyncio.run``.

    That fails in a thread that already runs an event loop (an async view, a test driving a
    browser), so there the call goes to a short-lived worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# --- Validation --------------------------------------------------------------------------------
_LATER_CHANGES = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation_data",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko found about one embedded signature."""

    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    covers_whole_file: bool
    # What was added to the file after this signature: "none", "validation_data" (DSS,
    # timestamps), "form_filling" (including later signatures), "annotations" or "other".
    later_changes: str
    docmdp_ok: bool  # the later changes are within what the signer permitted
    signer_certificate_sha256: str
    signer_subject: dict[str, str]
    anchor_sha256: str
    signed_at: datetime | None
    reason: str
    trust_problem: str  # an AdES sub-indication name, or ""
    error: str = ""  # "damaged" or "unsupported" when the signature could not be evaluated


def _subject(certificate: asn1_x509.Certificate) -> dict[str, str]:
    native = certificate.subject.native
    return {str(key): str(value) for key, value in native.items() if isinstance(value, str)}


def _unreadable(field_name: str, error: str) -> SignatureCheck:
    return SignatureCheck(
        field_name=field_name,
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        covers_whole_file=False,
        later_changes="other",
        docmdp_ok=False,
        signer_certificate_sha256="",
        signer_subject={},
        anchor_sha256="",
        signed_at=None,
        reason="",
        trust_problem="",
        error=error,
    )


def _embedded_signatures(reader: PdfFileReader) -> tuple[list[EmbeddedPdfSignature], list[SignatureCheck]]:
    """The document's signatures (not document timestamps) in signing order, and a check for
    each filled signature field that cannot be read ("damaged") or is of a kind pyHanko does
    not validate ("unsupported")."""
    try:
        filled = list(fields.enumerate_sig_fields(reader, filled_status=True))
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        logger.info("pdf_signature_fields_unreadable", extra={"error": str(error)[:200]})
        raise PdfUnreadable() from None
    embedded: list[EmbeddedPdfSignature] = []
    unreadable: list[SignatureCheck] = []
    for name, value, field_ref in filled:
        try:
            sig_object = value.get_object()
            if sig_object.get("/Type", "/Sig") == "/DocTimeStamp":
                continue
            if sig_object.get("/SubFilter") not in _SUBFILTERS:
                unreadable.append(_unreadable(str(name), "unsupported"))
                continue
            signature = EmbeddedPdfSignature(reader, field_ref, name)
            signature.signed_revision  # noqa: B018  (reads the byte range: a broken one fails here)
        except Exception as error:  # a hostile file can break pyHanko in many ways
            logger.info("pdf_signature_unreadable", extra={"field": str(name), "error": str(error)[:200]})
            unreadable.append(_unreadable(str(name), "damaged"))
            continue
        embedded.append(signature)
    embedded.sort(key=lambda signature: signature.signed_revision)
    return embedded, unreadable


def _indication_name(indication: AdESSubIndic | None) -> str:
    return indication.name if isinstance(indication, enum.Enum) else ""


def signatures_check(*, pdf: bytes, trust_roots: Sequence[x509.Certificate]) -> list[SignatureCheck]:
    """Validate every signature in ``pdf`` against ``trust_roots`` only, at the current time.

    Raises :class:`PdfUnreadable` when ``pdf`` cannot be parsed. An empty list means unsigned.
    """
    reader = reader_open(pdf)
    embedded, unreadable = _embedded_signatures(reader)
    roots = [_asn1(cert) for cert in trust_roots]
    checks = []
    for signature in embedded:
        # Nothing is fetched: the platform answers from what it holds, quickly and offline.
        # Soft-fail revocation: the demo CA publishes no CRL or OCSP, and a certificate whose
        # status cannot be learnt offline is not held against the signer. An explicit trust
        # list (even an empty one) never falls back to the operating system's TLS roots.
        context = ValidationContext(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        field_name = str(signature.field_name)
        try:
            status = _outside_event_loop(
                validate_pdf_signature, signature, context, key_usage_settings=_KEY_USAGE
            )
        except Exception as error:  # a hostile file can break pyHanko in many ways
            logger.info("pdf_signature_unreadable", extra={"field": field_name, "error": str(error)[:200]})
            checks.append(_unreadable(field_name, "damaged"))
            continue
        path = status.validation_path
        anchor = path.first if (path is not None and status.trusted) else None
        level = status.modification_level
        checks.append(
            SignatureCheck(
                field_name=field_name,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                revoked=bool(status.revoked),
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                later_changes=_LATER_CHANGES.get(level, "other") if level is not None else "none",
                docmdp_ok=bool(status.docmdp_ok),
                signer_certificate_sha256=hashlib.sha256(status.signing_cert.dump()).hexdigest(),
                signer_subject=_subject(status.signing_cert),
                anchor_sha256=hashlib.sha256(anchor.dump()).hexdigest() if anchor is not None else "",
                signed_at=status.signer_reported_dt,
                reason=str(signature.sig_object.get("/Reason", "")),
                trust_problem=_indication_name(status.trust_problem_indic),
            )
        )
    # A signature that cannot even be read counts as the latest: the verdict is then "not
    # valid", whatever the others say.
    return checks + unreadable

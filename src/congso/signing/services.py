"""Writes of the signing domain: the PKI (demo CA, agency certificates, imports) and signing.

Public API:

- :func:`pdf_sign` — an agency signs a PDF (PAdES B-B); returns the signed bytes.
- :func:`signing_setup` — make sure the platform can sign (the demo root CA exists).
- :func:`agency_certificate_ensure`, :func:`agency_certificate_import`,
  :func:`agency_certificate_deactivate`, :func:`trust_anchor_deactivate` — the PKI.

Every write is audited in the transaction that makes it.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs12
from cryptography.x509.oid import ExtensionOID
from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.core.audit import audit_record
from congso.registry.models import Agency

from . import pki
from .conf import setting
from .errors import CertificateExpired, CertificateRejected, NoCertificate, SigningError
from .models import AgencyCertificate, Source, TrustAnchor
from .pades import SigningMaterial, pdf_sign_with

logger = logging.getLogger(__name__)

# A certificate this close to its end is not used: a signature must not outlive it at once.
_EXPIRY_MARGIN = timedelta(minutes=5)

__all__ = [
    "agency_certificate_deactivate",
    "agency_certificate_ensure",
    "agency_certificate_import",
    "pdf_sign",
    "signing_setup",
    "trust_anchor_deactivate",
]


# --- Demo CA ------------------------------------------------------------------------------------
def _demo_ca_active() -> TrustAnchor | None:
    return TrustAnchor.objects.filter(source=Source.DEMO, active=True).first()


def _demo_ca_ensure() -> TrustAnchor:
    existing = _demo_ca_active()
    if existing is not None:
        return existing
    key, certificate = pki.demo_ca_build()
    facts = pki.certificate_facts(certificate)
    key_file = pki.key_file_name("demo-root-ca", certificate)
    try:
        with transaction.atomic():
            anchor = TrustAnchor.objects.create(
                name=facts.common_name,
                subject=facts.subject,
                serial=facts.serial,
                not_before=facts.not_before,
                not_after=facts.not_after,
                certificate_pem=facts.pem,
                fingerprint_sha256=facts.fingerprint_sha256,
                source=Source.DEMO,
                key_file=key_file,
            )
            # The key is written only by the process whose row went in: on PostgreSQL a
            # concurrent insert waits on the unique index until this one commits, then fails.
            pki.key_write(key_file, key)
            audit_record(
                action="signing.trust_anchor.create",
                target=anchor,
                details={"source": Source.DEMO, "fingerprint_sha256": facts.fingerprint_sha256},
            )
    except IntegrityError:
        winner = _demo_ca_active()
        if winner is None:
            raise
        return winner
    logger.info("signing_demo_ca_created", extra={"fingerprint_sha256": facts.fingerprint_sha256})
    return anchor


def signing_setup() -> None:
    """Make sure the platform can sign: the PKI directory and, unless turned off with
    ``CONGSO_SIGNING_DEMO_CA=false``, the demo root CA "Cổng Số Demo Root CA". Idempotent and
    safe to run from several processes at once."""
    pki.pki_passphrase()
    pki.pki_directory_ensure()
    if setting("CONGSO_SIGNING_DEMO_CA"):
        _demo_ca_ensure()


# --- Agency certificates ----------------------------------------------------------------------
def _active_certificate(agency: Agency) -> AgencyCertificate | None:
    return AgencyCertificate.objects.filter(agency=agency, active=True).first()


def _usable(record: AgencyCertificate) -> bool:
    return record.not_after > timezone.now() + _EXPIRY_MARGIN


def agency_certificate_ensure(*, agency: Agency, actor: Any = None) -> AgencyCertificate:
    """The agency's active, unexpired signing certificate.

    With the demo CA on, one is issued (a new key and certificate) the first time the agency
    signs, and again when the demo certificate has expired. Otherwise raises
    :class:`NoCertificate`, or :class:`CertificateExpired` for an imported certificate past
    its date (import its successor).
    """
    existing = _active_certificate(agency)
    if existing is not None and _usable(existing):
        return existing
    if existing is not None and existing.source != Source.DEMO:
        raise CertificateExpired(agency.code, existing.not_after)
    if not setting("CONGSO_SIGNING_DEMO_CA"):
        raise NoCertificate(agency.code)
    ca = _demo_ca_ensure()
    if ca.not_after <= timezone.now() + _EXPIRY_MARGIN:
        raise SigningError(
            "CA dùng thử đã hết hạn: thôi tin cậy CA này trong trang quản trị rồi chạy signing_setup",
            "The demo CA has expired: distrust it in the admin, then run signing_setup",
        )
    with transaction.atomic():
        # Issuance is serialised on the CA's row, so that of two processes signing for a new
        # agency at once, the second waits here and then finds the first one's certificate
        # (SQLite: BEGIN IMMEDIATE already gave this transaction the write lock). The partial
        # unique index on (agency, active) stands behind it.
        TrustAnchor.objects.select_for_update().filter(pk=ca.pk).first()
        existing = _active_certificate(agency)
        if existing is not None and _usable(existing):
            return existing
        if existing is not None:
            existing.active = False
            existing.save(update_fields=["active"])
            audit_record(
                actor=actor,
                action="signing.certificate.deactivate",
                target=existing,
                details={"agency": agency.code, "expired": existing.not_after},
            )
        ca_certificate = pki.certificate_load(ca.certificate_pem)
        key, certificate = pki.agency_certificate_build(
            ca_key=pki.key_read(ca.key_file),
            ca_certificate=ca_certificate,
            name=agency.name,
            code=agency.code,
        )
        record = _certificate_record(
            agency=agency, certificate=certificate, chain=[ca_certificate], source=Source.DEMO
        )
        pki.key_write(record.key_file, key)
        audit_record(
            actor=actor,
            action="signing.certificate.issue",
            target=record,
            details={
                "agency": agency.code,
                "fingerprint_sha256": record.fingerprint_sha256,
                "issuer": ca.name,
                "not_after": record.not_after,
            },
        )
    logger.info("signing_certificate_issued", extra={"agency": agency.code})
    return record


def _certificate_record(
    *, agency: Agency, certificate: x509.Certificate, chain: list[x509.Certificate], source: str
) -> AgencyCertificate:
    facts = pki.certificate_facts(certificate)
    return AgencyCertificate.objects.create(
        agency=agency,
        subject=facts.subject,
        issuer=facts.issuer,
        common_name=facts.common_name[:255] or agency.name[:255],
        serial=facts.serial,
        not_before=facts.not_before,
        not_after=facts.not_after,
        certificate_pem=facts.pem,
        chain_pem=pki.certificates_pem(chain),
        fingerprint_sha256=facts.fingerprint_sha256,
        source=source,
        key_file=pki.key_file_name(f"agency-{agency.code}", certificate),
    )


def _public_der(public_key: Any) -> bytes:
    der: bytes = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return der


def _signing_usage_problem(certificate: x509.Certificate) -> str | None:
    try:
        usage = certificate.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return None
    if not isinstance(usage, x509.KeyUsage) or not (usage.digital_signature or usage.content_commitment):
        return "key usage allows neither digitalSignature nor nonRepudiation"
    return None


def _chain_ordered(certificate: x509.Certificate, others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of ``certificate`` among ``others``, from its issuer upwards."""
    chain: list[x509.Certificate] = []
    current = certificate
    remaining = list(others)
    while current.issuer != current.subject:
        issuer = next((cert for cert in remaining if cert.subject == current.issuer), None)
        if issuer is None:
            break
        chain.append(issuer)
        remaining.remove(issuer)
        current = issuer
    return chain


def _trust_anchor_add(*, certificate: x509.Certificate, actor: Any) -> TrustAnchor:
    facts = pki.certificate_facts(certificate)
    existing = TrustAnchor.objects.filter(fingerprint_sha256=facts.fingerprint_sha256).first()
    if existing is not None:
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active"])
            audit_record(actor=actor, action="signing.trust_anchor.activate", target=existing)
        return existing
    anchor = TrustAnchor.objects.create(
        name=(facts.common_name or facts.subject)[:255],
        subject=facts.subject,
        serial=facts.serial,
        not_before=facts.not_before,
        not_after=facts.not_after,
        certificate_pem=facts.pem,
        fingerprint_sha256=facts.fingerprint_sha256,
        source=Source.IMPORTED,
    )
    audit_record(
        actor=actor,
        action="signing.trust_anchor.create",
        target=anchor,
        details={"source": Source.IMPORTED, "fingerprint_sha256": facts.fingerprint_sha256},
    )
    return anchor


@transaction.atomic
def agency_certificate_import(
    *,
    agency: Agency,
    pkcs12_data: bytes,
    passphrase: bytes | None,
    trust_chain: bool = False,
    actor: Any = None,
) -> AgencyCertificate:
    """Make a real certificate and key (a PKCS#12 file from a licensed CA) the agency's
    signing certificate, retiring the previous one. With ``trust_chain`` the top of the
    file's CA chain becomes a trust anchor; otherwise that CA must be trusted already for
    signatures to verify as trusted."""
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(pkcs12_data, passphrase)
    except ValueError:
        raise CertificateRejected(
            "Không đọc được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng",
            "The PKCS#12 file cannot be read: wrong passphrase or damaged file",
        ) from None
    if certificate is None or key is None:
        raise CertificateRejected(
            "Tệp PKCS#12 phải chứa cả chứng thư và khóa bí mật",
            "The PKCS#12 file must hold both a certificate and its private key",
        )
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateRejected("Chỉ nhận khóa RSA hoặc ECDSA", "Only RSA and ECDSA keys are accepted")
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise CertificateRejected(
            "Khóa bí mật không khớp với chứng thư", "The private key does not match the certificate"
        )
    if certificate.not_valid_after_utc <= timezone.now():
        raise CertificateRejected("Chứng thư đã hết hạn", "The certificate has expired")
    problem = _signing_usage_problem(certificate)
    if problem is not None:
        raise CertificateRejected(
            "Chứng thư không dùng để ký được", f"The certificate cannot sign: {problem}"
        )
    fingerprint = pki.fingerprint(certificate)
    if AgencyCertificate.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise CertificateRejected("Chứng thư này đã được nhập", "This certificate has already been imported")

    chain = _chain_ordered(certificate, list(others))
    anchors: list[TrustAnchor] = []
    if trust_chain:
        top = chain[-1] if chain else None
        if top is None:
            raise CertificateRejected(
                "Tệp không chứa chứng thư của tổ chức cấp để tin cậy",
                "The file holds no issuing CA certificate to trust",
            )
        anchors.append(_trust_anchor_add(certificate=top, actor=actor))

    previous = _active_certificate(agency)
    if previous is not None:
        previous.active = False
        previous.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="signing.certificate.deactivate",
            target=previous,
            details={"agency": agency.code, "replaced_by": fingerprint},
        )
    record = _certificate_record(agency=agency, certificate=certificate, chain=chain, source=Source.IMPORTED)
    pki.key_write(record.key_file, key)
    audit_record(
        actor=actor,
        action="signing.certificate.import",
        target=record,
        details={
            "agency": agency.code,
            "fingerprint_sha256": fingerprint,
            "issuer": record.issuer,
            "not_after": record.not_after,
            "trust_anchors": [anchor.fingerprint_sha256 for anchor in anchors],
        },
    )
    return record


@transaction.atomic
def agency_certificate_deactivate(*, certificate: AgencyCertificate, actor: Any) -> AgencyCertificate:
    """Stop signing with this certificate (its key file stays, encrypted, for the record).
    Documents it signed still verify; to distrust them, deactivate the CA's trust anchor."""
    if certificate.active:
        certificate.active = False
        certificate.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="signing.certificate.deactivate",
            target=certificate,
            details={"agency": certificate.agency.code},
        )
    return certificate


@transaction.atomic
def trust_anchor_deactivate(*, anchor: TrustAnchor, actor: Any) -> TrustAnchor:
    """Stop trusting a CA: signatures chaining to it verify as untrusted from now on."""
    if anchor.active:
        anchor.active = False
        anchor.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="signing.trust_anchor.deactivate",
            target=anchor,
            details={"name": anchor.name},
        )
    return anchor


# --- Signing --------------------------------------------------------------------------------------
def _material(record: AgencyCertificate) -> SigningMaterial:
    chain = pki.certificates_load(record.chain_pem)
    certificate = pki.certificate_load(record.certificate_pem)
    if not chain or chain[-1].issuer != chain[-1].subject:
        # Embed the root too when the platform holds it, so a verifier can build the whole path.
        top = chain[-1] if chain else certificate
        root = next(
            (
                anchor_certificate
                for anchor_certificate in (
                    pki.certificate_load(pem)
                    for pem in TrustAnchor.objects.filter(active=True).values_list(
                        "certificate_pem", flat=True
                    )
                )
                if anchor_certificate.subject == top.issuer
            ),
            None,
        )
        if root is not None:
            chain.append(root)
    return SigningMaterial(key=pki.key_read(record.key_file), certificate=certificate, chain=chain)


def pdf_sign(*, agency: Agency, pdf: bytes, reason: str, location: str = "", actor: Any = None) -> bytes:
    """Sign ``pdf`` with ``agency``'s certificate and return the signed PDF.

    A PAdES baseline B-B signature (ETSI EN 319 142-1) with the signer's certificate chain
    embedded, added as an incremental update, so earlier signatures stay valid. When the
    document has an empty signer's box (see :class:`congso.signing.pdf.PdfDocument`), the
    signature is visible there: the agency's name and the signing time. ``reason`` (e.g.
    "Ký kết quả giải quyết hồ sơ H15.50-260205-0001") and ``location`` go into the
    signature. With the demo CA on, an agency without a certificate gets one first.

    Raises :class:`~congso.signing.errors.PdfUnreadable` for a file that is not a usable PDF,
    :class:`~congso.signing.errors.NoCertificate` when the agency cannot sign, and
    :class:`~congso.signing.errors.SigningError` when pyHanko refuses. Audited as
    ``signing.pdf.sign`` with the SHA-256 of the input and of the result.
    """
    record = agency_certificate_ensure(agency=agency, actor=actor)
    signed = pdf_sign_with(
        pdf=pdf,
        material=_material(record),
        reason=reason,
        location=location,
        signer_label=record.common_name,
        at=timezone.now(),
    )
    # Signing is CPU work outside any transaction; only the audit entry takes the chain's lock.
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="signing.pdf.sign",
            target=record,
            details={
                "agency": agency.code,
                "reason": reason[:200],
                "input_sha256": hashlib.sha256(pdf).hexdigest(),
                "signed_sha256": hashlib.sha256(signed).hexdigest(),
                "bytes": len(signed),
            },
        )
    return signed

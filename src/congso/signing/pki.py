"""Keys and certificates: building them, and keeping private keys encrypted on disk.

Nothing here touches the database; :mod:`congso.signing.services` decides when a key is made
and records its certificate. Private keys are written once, as encrypted PKCS#8 PEM files
(PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC) of mode 0600 in ``CONGSO_PKI_DIR`` (mode 0700).
The passphrase comes from ``CONGSO_PKI_PASSPHRASE``, else it is generated once into
``DATA_DIR/pki_passphrase``; set it in production, long and random (the key derivation is
not meant to slow down the guessing of a short one).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from .conf import pki_dir, setting

DEMO_CA_NAME = "Cổng Số Demo Root CA"
DEMO_CA_ORGANISATION = "Cổng Số – chỉ dùng thử (demo only, not a real CA)"
_DEMO_CA_YEARS = 10
# A certificate is valid from a little before it is made, for clocks a few minutes apart.
_CLOCK_SKEW = timedelta(minutes=5)
_PASSPHRASE_FILE = "pki_passphrase"  # noqa: S105  (a file name, not a secret)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class CertificateFacts:
    """What the database records of a certificate (never its key)."""

    subject: str
    issuer: str
    common_name: str
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    pem: str


def certificate_facts(certificate: x509.Certificate) -> CertificateFacts:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        common_name=str(names[0].value) if names else "",
        serial=f"{certificate.serial_number:x}",
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint_sha256=fingerprint(certificate),
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def certificate_load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def certificates_load(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode("ascii")) if pem.strip() else []


def certificates_pem(certificates: list[x509.Certificate]) -> str:
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode("ascii") for cert in certificates)


# --- Building certificates ------------------------------------------------------------------
def _key_new() -> ec.EllipticCurvePrivateKey:
    # ECDSA P-256: signatures in well under a millisecond and small; every PAdES validator
    # (Adobe, EU DSS, pyHanko) accepts it. Imported certificates may be RSA.
    return ec.generate_private_key(ec.SECP256R1())


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def demo_ca_build() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed root CA, named as a demo wherever its name is shown."""
    key = _key_new()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_CA_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=365 * _DEMO_CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def agency_subject(*, name: str, code: str) -> x509.Name:
    """O and CN carry the agency's name, serialNumber its national agency code."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
        ]
    )


def agency_certificate_build(
    *, ca_key: CertificateIssuerPrivateKeyTypes, ca_certificate: x509.Certificate, name: str, code: str
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new key and its signing certificate (digitalSignature + nonRepudiation) for an agency."""
    key = _key_new()
    now = timezone.now()
    not_after = min(
        now + timedelta(days=int(setting("CONGSO_SIGNING_CERTIFICATE_DAYS"))),
        ca_certificate.not_valid_after_utc,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(agency_subject(name=name, code=code))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


# --- Private keys on disk ----------------------------------------------------------------------
def pki_directory_ensure() -> Path:
    """``CONGSO_PKI_DIR``, created if need be, and readable by this user only (0700)."""
    path = pki_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _write_exclusive(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` (mode 0600) unless it exists; readers never see half a file.

    Written whole under a private name, then hard-linked into place: of two processes
    starting at once, one wins the link and the other reads the winner's file.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def pki_passphrase() -> bytes:
    """The passphrase of every private key file."""
    configured = str(setting("CONGSO_PKI_PASSPHRASE") or "")
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.DATA_DIR) / _PASSPHRASE_FILE
    if not path.exists():
        _write_exclusive(path, secrets.token_urlsafe(48).encode("ascii"))
    return path.read_bytes().strip()


def key_file_name(prefix: str, certificate: x509.Certificate) -> str:
    """A file name no other key can have: the owner's name and the certificate's fingerprint."""
    return f"{_SAFE_NAME.sub('_', prefix)}-{fingerprint(certificate)[:24]}.key.pem"


def key_write(name: str, key: SigningKey) -> Path:
    """Store ``key`` encrypted under ``CONGSO_PKI_DIR/name``; an existing file is never replaced."""
    path = pki_directory_ensure() / name
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(pki_passphrase()),
    )
    if not _write_exclusive(path, pem):
        raise FileExistsError(path)
    return path


_keys_lock = threading.Lock()
_keys: dict[tuple[Path, str], SigningKey] = {}


def key_read(name: str) -> SigningKey:
    """The private key stored under ``name``, decrypted once per process."""
    path = pki_dir() / name
    cache_key = (path, hashlib.sha256(pki_passphrase()).hexdigest())
    with _keys_lock:
        cached = _keys.get(cache_key)
    if cached is not None:
        return cached
    key = serialization.load_pem_private_key(path.read_bytes(), password=pki_passphrase())
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"{path}: only RSA and ECDSA keys sign documents")
    with _keys_lock:
        _keys[cache_key] = key
    return key

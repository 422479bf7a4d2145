"""The PKI and signing: demo CA, agency certificates, imports, key files, audit, concurrency."""

from __future__ import annotations

import asyncio
import io
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from congso.core.audit import audit_verify
from congso.core.models import AuditEntry
from congso.registry.models import Agency
from congso.signing import pki
from congso.signing.errors import CertificateRejected, NoCertificate, PdfUnreadable
from congso.signing.models import AgencyCertificate, Source, TrustAnchor
from congso.signing.pades import SignatureCheck, SigningMaterial, pdf_sign_with, signatures_check
from congso.signing.pdf import SIGNATURE_FIELD
from congso.signing.pki import DEMO_CA_NAME
from congso.signing.selectors import pdf_verify
from congso.signing.services import (
    agency_certificate_deactivate,
    agency_certificate_ensure,
    agency_certificate_import,
    pdf_sign,
    signing_setup,
    trust_anchor_deactivate,
)

from . import factories

pytestmark = pytest.mark.django_db


def _signatures(pdf: bytes) -> list:  # type: ignore[type-arg]
    return list(PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures)


# --- Setup and certificates --------------------------------------------------------------------
def test_signing_setup_creates_one_demo_ca_however_often_it_runs() -> None:
    signing_setup()
    signing_setup()

    anchors = list(TrustAnchor.objects.all())
    assert len(anchors) == 1
    assert anchors[0].name == DEMO_CA_NAME
    assert anchors[0].source == Source.DEMO
    certificate = x509.load_pem_x509_certificate(anchors[0].certificate_pem.encode())
    organisation = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert "demo" in str(organisation).lower()
    assert certificate.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca


def test_agency_certificate_names_the_agency_and_may_only_sign(agency: Agency) -> None:
    record = agency_certificate_ensure(agency=agency)

    certificate = x509.load_pem_x509_certificate(record.certificate_pem.encode())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == agency.name
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == agency.name
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == agency.code
    assert certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEMO_CA_NAME
    usage = certificate.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    assert record.active
    assert record.source == Source.DEMO
    assert agency_certificate_ensure(agency=agency) == record


def test_key_files_are_private_and_encrypted(agency: Agency, pki_dir: Path) -> None:
    record = agency_certificate_ensure(agency=agency)
    ca = TrustAnchor.objects.get()

    assert stat.S_IMODE(pki_dir.stat().st_mode) == 0o700
    key_files = sorted(pki_dir.iterdir())
    assert sorted(path.name for path in key_files) == sorted([record.key_file, ca.key_file])
    for path in key_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        pem = path.read_bytes()
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):  # "password was not given but private key is encrypted"
            serialization.load_pem_private_key(pem, password=None)
        with pytest.raises(ValueError, match=r"Bad decrypt|Incorrect password"):
            serialization.load_pem_private_key(pem, password=b"wrong passphrase")
    key = serialization.load_pem_private_key(
        (pki_dir / record.key_file).read_bytes(), password=f"test-passphrase-{pki_dir.parent.name}".encode()
    )
    certificate = x509.load_pem_x509_certificate(record.certificate_pem.encode())
    assert key.public_key() == certificate.public_key()
    # The database holds certificates only.
    for row in (*AgencyCertificate.objects.values(), *TrustAnchor.objects.values()):
        assert "PRIVATE KEY" not in str(row)


def test_passphrase_is_generated_once_into_the_data_directory(agency: Agency, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with override_settings(DATA_DIR=data_dir, CONGSO_PKI_PASSPHRASE=""):
        record = agency_certificate_ensure(agency=agency)
        passphrase_file = data_dir / "pki_passphrase"
        passphrase = passphrase_file.read_bytes()
        pdf_sign(agency=agency, pdf=factories.receipt_pdf(), reason="Thử")

        assert passphrase_file.read_bytes() == passphrase
        assert len(passphrase) >= 48
        assert stat.S_IMODE(passphrase_file.stat().st_mode) == 0o600
        assert record.key_file


def test_without_the_demo_ca_an_agency_needs_an_imported_certificate(agency: Agency) -> None:
    with override_settings(CONGSO_SIGNING_DEMO_CA=False), pytest.raises(NoCertificate) as caught:
        pdf_sign(agency=agency, pdf=factories.receipt_pdf(), reason="Thử")

    assert agency.code in caught.value.message_vi
    assert "signing_import_pkcs12" in caught.value.message_en
    assert not TrustAnchor.objects.exists()


def test_expired_demo_certificate_is_replaced(agency: Agency) -> None:
    old = agency_certificate_ensure(agency=agency)
    AgencyCertificate.objects.filter(pk=old.pk).update(not_after=timezone.now() - timedelta(days=1))

    new = agency_certificate_ensure(agency=agency)

    old.refresh_from_db()
    assert new.pk != old.pk
    assert new.active
    assert not old.active


def test_every_write_is_audited_and_the_chain_holds(agency: Agency, receipt_pdf: bytes) -> None:
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký giấy tiếp nhận")

    actions = list(
        AuditEntry.objects.filter(action__startswith="signing.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["signing.trust_anchor.create", "signing.certificate.issue", "signing.pdf.sign"]
    entry = AuditEntry.objects.get(action="signing.pdf.sign")
    assert entry.details["agency"] == agency.code
    assert entry.details["reason"] == "Ký giấy tiếp nhận"
    assert entry.details["signed_sha256"] == pdf_verify(pdf=signed).document_sha256
    assert audit_verify().ok


# --- Signing ------------------------------------------------------------------------------------
def test_signature_is_pades_with_the_chain_embedded(agency: Agency, receipt_pdf: bytes) -> None:
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký kết quả", location="Bắc Ninh")

    (signature,) = _signatures(signed)
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert str(signature.sig_object["/Reason"]) == "Ký kết quả"
    assert str(signature.sig_object["/Location"]) == "Bắc Ninh"
    embedded = {cert.chosen.subject.native["common_name"] for cert in signature.signed_data["certificates"]}
    assert embedded == {agency.name, DEMO_CA_NAME}
    signed_attributes = {attr["type"].native for attr in signature.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in signed_attributes  # PAdES B-B
    assert "signing_time" not in signed_attributes  # PAdES: the time is in /M
    assert signed.startswith(receipt_pdf)  # an incremental update: the original bytes stay


def test_signature_is_visible_in_the_signer_box(agency: Agency, receipt_pdf: bytes) -> None:
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký giấy tiếp nhận")

    (signature,) = _signatures(signed)
    assert signature.field_name == SIGNATURE_FIELD
    widget = signature.sig_field
    x1, y1, x2, y2 = (float(n) for n in widget["/Rect"])
    assert x2 - x1 > 100
    assert y2 - y1 > 40
    assert "/N" in widget["/AP"]


def test_documents_without_a_box_are_signed_invisibly(agency: Agency) -> None:
    signed = pdf_sign(agency=agency, pdf=factories.receipt_pdf(signature_box=False), reason="Thử")

    (signature,) = _signatures(signed)
    assert signature.field_name == "Signature1"
    x1, y1, x2, y2 = (float(n) for n in signature.sig_field.get("/Rect", [0, 0, 0, 0]))
    assert (x2 - x1, y2 - y1) == (0, 0)


def test_signing_something_that_is_not_a_pdf_is_refused(agency: Agency) -> None:
    with pytest.raises(PdfUnreadable):
        pdf_sign(agency=agency, pdf=b"%PDF-1.7 but nothing else", reason="Thử")

    assert not AuditEntry.objects.filter(action="signing.pdf.sign").exists()


# --- Importing a real certificate ---------------------------------------------------------------
def _pkcs12(
    signer: factories.ForeignSigner, *, passphrase: bytes = b"mat-khau", with_ca: bool = True
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"agency",
        signer.key,  # type: ignore[arg-type]
        signer.certificate,
        [signer.ca_certificate] if with_ca else None,
        serialization.BestAvailableEncryption(passphrase),
    )


def test_imported_certificate_signs_and_verifies_as_the_agency(agency: Agency, receipt_pdf: bytes) -> None:
    demo = agency_certificate_ensure(agency=agency)
    signer = factories.foreign_signer(
        signer_name="Sở Tư pháp (VNPT-CA)", agency_code=agency.code, rsa_keys=True
    )

    imported = agency_certificate_import(
        agency=agency, pkcs12_data=_pkcs12(signer), passphrase=b"mat-khau", trust_chain=True
    )
    report = pdf_verify(pdf=pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký kết quả"))

    demo.refresh_from_db()
    assert imported.active
    assert not demo.active
    assert imported.source == Source.IMPORTED
    assert report.valid
    assert report.trusted
    assert not report.demo
    assert report.signer_agency_code == agency.code
    assert report.signer_name == "Sở Tư pháp (VNPT-CA)"
    assert TrustAnchor.objects.filter(name="Foreign Test Root CA", source=Source.IMPORTED).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"signing.certificate.import", "signing.certificate.deactivate"} <= actions


def test_imported_certificate_without_trusting_its_ca_verifies_as_untrusted(
    agency: Agency, receipt_pdf: bytes
) -> None:
    signer = factories.foreign_signer(agency_code=agency.code)
    agency_certificate_import(agency=agency, pkcs12_data=_pkcs12(signer), passphrase=b"mat-khau")

    report = pdf_verify(pdf=pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký"))

    assert report.intact
    assert not report.trusted
    assert not report.valid
    assert "untrusted" in report.problem_codes


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [(b"sai-mat-khau", "wrong passphrase"), (None, "wrong passphrase")],
)
def test_import_refuses_a_file_it_cannot_open(agency: Agency, passphrase: bytes | None, message: str) -> None:
    signer = factories.foreign_signer(agency_code=agency.code)

    with pytest.raises(CertificateRejected) as caught:
        agency_certificate_import(agency=agency, pkcs12_data=_pkcs12(signer), passphrase=passphrase)

    assert message in caught.value.message_en
    assert not AgencyCertificate.objects.exists()


def test_import_refuses_a_chain_to_trust_when_there_is_none(agency: Agency) -> None:
    signer = factories.foreign_signer(agency_code=agency.code)

    with pytest.raises(CertificateRejected):
        agency_certificate_import(
            agency=agency,
            pkcs12_data=_pkcs12(signer, with_ca=False),
            passphrase=b"mat-khau",
            trust_chain=True,
        )

    assert not AgencyCertificate.objects.exists()


def test_distrusting_a_ca_makes_its_signatures_untrusted(agency: Agency, receipt_pdf: bytes) -> None:
    signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký")

    trust_anchor_deactivate(anchor=TrustAnchor.objects.get(), actor=None)

    report = pdf_verify(pdf=signed)
    assert report.intact
    assert not report.trusted
    assert not report.valid


def test_retired_certificate_is_not_used_for_new_signatures(agency: Agency, receipt_pdf: bytes) -> None:
    first = agency_certificate_ensure(agency=agency)
    agency_certificate_deactivate(certificate=first, actor=None)

    pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký")

    assert AgencyCertificate.objects.filter(agency=agency, active=True).exclude(pk=first.pk).count() == 1


# --- Concurrency ----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_processes_signing_first_for_an_agency_make_one_key(pki_dir: Path, receipt_pdf: bytes) -> None:
    agency = factories.agency()
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[bytes] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def sign() -> None:
        try:
            barrier.wait(timeout=30)
            signed = pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký song song")
            with lock:
                results.append(signed)
        except BaseException as error:  # reported by the assertion below
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(results) == workers
    certificates = list(AgencyCertificate.objects.filter(agency=agency))
    assert len(certificates) == 1
    assert TrustAnchor.objects.count() == 1
    assert sorted(path.name for path in pki_dir.iterdir()) == sorted(
        [certificates[0].key_file, TrustAnchor.objects.get().key_file]
    )
    for signed in results:
        report = pdf_verify(pdf=signed)
        assert report.valid, report.problems
    assert audit_verify().ok


def test_signing_and_checking_work_inside_a_running_event_loop(agency: Agency, receipt_pdf: bytes) -> None:
    # pyHanko's synchronous calls start their own event loop; an async caller (a browser test,
    # an async view) already has one running in its thread.
    record = agency_certificate_ensure(agency=agency)
    material = SigningMaterial(
        key=pki.key_read(record.key_file),
        certificate=pki.certificate_load(record.certificate_pem),
        chain=pki.certificates_load(record.chain_pem),
    )
    roots = [pki.certificate_load(TrustAnchor.objects.get().certificate_pem)]

    async def sign_and_check() -> list[SignatureCheck]:
        signed = pdf_sign_with(
            pdf=receipt_pdf,
            material=material,
            reason="Ký",
            location="",
            signer_label=agency.name,
            at=timezone.now(),
        )
        return signatures_check(pdf=signed, trust_roots=roots)

    (check,) = asyncio.run(sign_and_check())
    assert check.intact
    assert check.trusted

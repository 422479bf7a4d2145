"""``signing_setup`` and ``signing_import_pkcs12``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from congso.registry.models import Agency
from congso.signing.models import AgencyCertificate, Source, TrustAnchor
from congso.signing.selectors import pdf_verify
from congso.signing.services import pdf_sign

from . import factories

pytestmark = pytest.mark.django_db


def test_signing_setup_reports_the_demo_ca(pki_dir: Path) -> None:
    output = StringIO()

    call_command("signing_setup", stdout=output)
    call_command("signing_setup", stdout=output)

    assert TrustAnchor.objects.count() == 1
    assert "Cổng Số Demo Root CA" in output.getvalue()
    assert str(pki_dir) in output.getvalue()


def test_import_pkcs12_makes_the_agency_sign_with_it(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receipt_pdf: bytes
) -> None:
    signer = factories.foreign_signer(signer_name="Sở Tư pháp", agency_code=agency.code)
    bundle = tmp_path / "agency.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"agency",
            signer.key,  # type: ignore[arg-type]
            signer.certificate,
            [signer.ca_certificate],
            serialization.BestAvailableEncryption(b"mat-khau"),
        )
    )
    monkeypatch.setenv("CONGSO_PKCS12_PASSPHRASE", "mat-khau")
    output = StringIO()

    call_command("signing_import_pkcs12", str(bundle), agency=agency.code, trust_chain=True, stdout=output)

    record = AgencyCertificate.objects.get(agency=agency, active=True)
    assert record.source == Source.IMPORTED
    assert record.fingerprint_sha256 in output.getvalue()
    report = pdf_verify(pdf=pdf_sign(agency=agency, pdf=receipt_pdf, reason="Ký"))
    assert report.valid
    assert report.signer_agency_code == agency.code


def test_import_pkcs12_names_an_unknown_agency(tmp_path: Path) -> None:
    bundle = tmp_path / "agency.p12"
    bundle.write_bytes(b"not used")

    with pytest.raises(CommandError, match="no such agency"):
        call_command("signing_import_pkcs12", str(bundle), agency="G99")


def test_import_pkcs12_explains_a_wrong_passphrase(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = factories.foreign_signer(agency_code=agency.code)
    bundle = tmp_path / "agency.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"agency",
            signer.key,  # type: ignore[arg-type]
            signer.certificate,
            None,
            serialization.BestAvailableEncryption(b"mat-khau"),
        )
    )
    monkeypatch.setenv("CONGSO_PKCS12_PASSPHRASE", "khac")

    with pytest.raises(CommandError, match="wrong passphrase"):
        call_command("signing_import_pkcs12", str(bundle), agency=agency.code)

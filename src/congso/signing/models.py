"""Agencies' signing certificates ("chữ ký số cơ quan") and the CAs the platform trusts.

The database holds certificates, which are public, and the *name* of each private key's file;
the keys themselves stay encrypted in ``CONGSO_PKI_DIR`` (see :mod:`congso.signing.pki`).
Rows are written by ``services.py`` only and never deleted: a retired certificate still names
the agency behind the documents it signed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Source(models.TextChoices):
    DEMO = "demo", "Tự sinh để dùng thử (demo)"
    IMPORTED = "imported", "Nhập từ tổ chức chứng thực (production)"


class TrustAnchor(models.Model):
    """A CA certificate whose agency certificates the platform accepts ("chứng thư số gốc tin cậy")."""

    name = models.CharField("tên", max_length=255)
    subject = models.TextField("chủ thể")
    serial = models.CharField("số hiệu", max_length=64)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    certificate_pem = models.TextField("chứng thư (PEM)")
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    # Only the platform's own demo CA has a key here: it issues the demo agency certificates.
    key_file = models.CharField("tệp khóa bí mật (mã hóa)", max_length=255, blank=True, editable=False)
    active = models.BooleanField("được tin cậy", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư số gốc tin cậy"
        verbose_name_plural = "chứng thư số gốc tin cậy"
        ordering = ["-active", "name"]
        constraints = [
            # Two processes setting up at the same moment agree on one demo CA.
            models.UniqueConstraint(
                fields=["source"], condition=Q(source="demo", active=True), name="signing_one_active_demo_ca"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_demo(self) -> bool:
        return self.source == Source.DEMO


class AgencyCertificate(models.Model):
    """The certificate an agency signs its documents with, and where its encrypted key is."""

    agency = models.ForeignKey(
        "registry.Agency",
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    subject = models.TextField("chủ thể")
    issuer = models.TextField("tổ chức cấp")
    common_name = models.CharField("tên trên chứng thư", max_length=255)
    serial = models.CharField("số hiệu", max_length=64)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    certificate_pem = models.TextField("chứng thư (PEM)")
    # Intermediate CA certificates embedded in each signature, so verifiers can build the path.
    chain_pem = models.TextField("chuỗi chứng thư trung gian (PEM)", blank=True)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    key_file = models.CharField("tệp khóa bí mật (mã hóa)", max_length=255, editable=False)
    active = models.BooleanField("đang dùng để ký", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư số của cơ quan"
        verbose_name_plural = "chứng thư số của cơ quan"
        ordering = ["agency__code", "-active", "-not_after"]
        constraints = [
            # One key signs for an agency at a time; this is what makes two processes signing
            # for a new agency at once end up with one key, not two.
            models.UniqueConstraint(
                fields=["agency"], condition=Q(active=True), name="signing_one_active_certificate_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial[:16]})"

"""``manage.py signing_import_pkcs12 --agency CODE FILE``: an agency's real signing certificate.

The PKCS#12 file (.p12/.pfx) from a licensed certification authority holds the certificate,
its private key and usually the CA chain. Its passphrase is read from the environment
variable named by ``--passphrase-env`` (default ``CONGSO_PKCS12_PASSPHRASE``), else asked for
on the terminal; never from the command line, where other users could see it.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.registry.models import Agency
from congso.signing.services import agency_certificate_import


class Command(BaseCommand):
    help = "Nhập chứng thư số và khóa của cơ quan từ tệp PKCS#12 / Import an agency certificate and key"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="PKCS#12 file (.p12, .pfx)")
        parser.add_argument("--agency", required=True, help="national agency code, e.g. H15.50")
        parser.add_argument(
            "--trust-chain",
            action="store_true",
            help="also trust the top CA certificate of the file's chain (a trust anchor)",
        )
        parser.add_argument(
            "--passphrase-env",
            default="CONGSO_PKCS12_PASSPHRASE",
            help="environment variable holding the file's passphrase (default: CONGSO_PKCS12_PASSPHRASE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path} (cannot read the file): {error}") from error
        # Agencies are public reference data keyed by their national code; the registry has no
        # selector for one agency by code yet, hence the direct read.
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']} (no such agency)")
        passphrase = os.environ.get(options["passphrase_env"])
        if passphrase is None and sys.stdin.isatty():
            passphrase = getpass.getpass("Mật khẩu tệp PKCS#12 (passphrase, empty for none): ")
        try:
            certificate = agency_certificate_import(
                agency=agency,
                pkcs12_data=data,
                passphrase=passphrase.encode("utf-8") if passphrase else None,
                trust_chain=options["trust_chain"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{agency.code}: {certificate.common_name}, valid until {certificate.not_after:%Y-%m-%d}, "
            f"SHA-256 {certificate.fingerprint_sha256}"
        )

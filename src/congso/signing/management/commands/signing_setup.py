"""``manage.py signing_setup``: make sure the platform can sign (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.signing.conf import pki_dir
from congso.signing.selectors import trust_anchor_list
from congso.signing.services import signing_setup


class Command(BaseCommand):
    help = "Chuẩn bị ký số: thư mục khóa và CA dùng thử / Prepare signing: key directory and demo CA"

    def handle(self, *args: Any, **options: Any) -> None:
        signing_setup()
        self.stdout.write(f"Key directory / thư mục khóa: {pki_dir()}")
        for anchor in trust_anchor_list(active_only=True):
            self.stdout.write(
                f"Trusted / tin cậy: {anchor.name} [{anchor.source}] SHA-256 {anchor.fingerprint_sha256}"
            )

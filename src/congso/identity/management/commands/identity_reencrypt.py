"""``manage.py identity_reencrypt``: seal every stored secret with the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.identity import services
from congso.identity.fieldcrypt import FieldKeyError


class Command(BaseCommand):
    help = (
        "Mã hoá lại khoá bí mật của ứng dụng xác thực bằng khoá mới nhất trong "
        "CONGSO_FIELD_ENCRYPTION_KEYS; sau đó có thể bỏ khoá cũ. / Re-encrypt authenticator-app "
        "secrets with the first key of CONGSO_FIELD_ENCRYPTION_KEYS; older keys can then be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="devices per transaction")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            outcome = services.totp_secrets_reencrypt(batch_size=batch_size)
        except FieldKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"key {outcome.key_id}: {outcome.reencrypted} re-encrypted, "
            f"{outcome.already_current} already current, {len(outcome.failed)} failed"
        )
        if outcome.failed:
            listed = ", ".join(str(pk) for pk in outcome.failed[:50])
            raise CommandError(
                f"{len(outcome.failed)} authenticator devices do not decrypt with any configured key "
                f"(ids: {listed}). Put the key that sealed them back into CONGSO_FIELD_ENCRYPTION_KEYS "
                "and run again; do not remove it before."
            )

"""``manage.py oidc_rotate_key``: a new active signing key; the previous ones stay published."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.identity.oidc import services
from congso.identity.oidc.keys import KeyConfigurationError


class Command(BaseCommand):
    help = (
        "Tạo khoá ký mới cho OpenID Connect; khoá cũ vẫn được công bố để token đã ký còn kiểm tra được. "
        "/ Make a new active OpenID Connect signing key; older keys stay in the JWKS so the tokens they "
        "signed keep verifying."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            default=3,
            help="keys to keep published, the new one included (at least 2; older ones move to retired/)",
        )

    def handle(self, *args: Any, keep: int, **options: Any) -> None:
        try:
            new_kid, retired = services.signing_key_rotate(keep=keep)
        except KeyConfigurationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"active key: {new_kid}")
        for kid in retired:
            self.stdout.write(f"retired key: {kid}")
